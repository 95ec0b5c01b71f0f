/**
 * The UI's config file: what each entry does, and how a bad one is reported
 * (file, key, what is wrong) while the rest still applies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { defaultConfigFile, defaultTuiConfig, parseTuiConfig, readTuiConfig } from '../../src/tui/config/config-file.js';
import { applyKeyOverrides, parseKeyName } from '../../src/tui/keys/key-overrides.js';
import { defaultBindings, matchCommand } from '../../src/tui/keys/keymap.js';
import { parseKey } from '../../src/tui/keys/parse-key.js';
import { themeFor } from '../../src/tui/theme.js';
import { tempFolderFor } from '../helpers/temp-folders.js';

const FILE = '/home/u/.config/ferry/config.json';

void test('the config file sits in Ferry\'s config folder, beside known_hosts', () => {
  assert.equal(defaultConfigFile({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/u' }), '/x/conf/ferry/config.json');
  assert.equal(defaultConfigFile({ HOME: '/home/u' }), '/home/u/.config/ferry/config.json');
});

void test('good entries are taken as they are', () => {
  const { config, problems } = parseTuiConfig(
    JSON.stringify({ concurrency: 4, reconnectTries: 0, theme: 'monochrome', colours: { accent: 'magenta', danger: '#ff8800' }, keys: { 'pane.copy': ['F12'] } }),
    FILE,
  );
  assert.deepEqual(problems, []);
  assert.equal(config.concurrency, 4);
  assert.equal(config.reconnectTries, 0);
  assert.equal(config.theme, 'monochrome');
  assert.deepEqual(config.colours, { accent: 'magenta', danger: '#ff8800' });
  assert.deepEqual(config.keys, { 'pane.copy': ['F12'] });
});

void test('each bad entry names the file, the key and what is wrong, and keeps its default; the rest applies', () => {
  const { config, problems } = parseTuiConfig(
    JSON.stringify({ concurrency: 0, reconnectTries: 'many', theme: 'dark', colours: { accent: 'purple', border: 'red', success: 'blue' }, speed: 1 }),
    FILE,
  );
  assert.equal(config.concurrency, defaultTuiConfig.concurrency);
  assert.equal(config.reconnectTries, defaultTuiConfig.reconnectTries);
  assert.equal(config.theme, 'colour');
  assert.deepEqual(config.colours, { success: 'blue' });
  assert.deepEqual(problems, [
    `${FILE}: concurrency: expected a whole number from 1 to 8, got 0`,
    `${FILE}: reconnectTries: expected a whole number from 0 (off) to 20, got "many"`,
    `${FILE}: theme: expected "colour" or "monochrome", got "dark"`,
    `${FILE}: colours.accent: expected a colour name (black, red, green, yellow, blue, magenta, cyan, white, …Bright) or #rrggbb, got "purple"`,
    `${FILE}: colours.border: no such role (roles: accent, danger, warning, success, muted, directory, symlink, hintKey)`,
    `${FILE}: speed: unknown setting (settings: concurrency, rateLimit, reconnectTries, theme, colours, keys)`,
  ]);
});

void test('a file that is not JSON, or not an object, is one problem and the defaults', () => {
  const broken = parseTuiConfig('{ "concurrency": 3,', FILE);
  assert.equal(broken.problems.length, 1);
  assert.match(broken.problems[0]!, /^\/home\/u\/\.config\/ferry\/config\.json: not valid JSON \(.+\); using the defaults$/);
  assert.deepEqual(broken.config, defaultTuiConfig);
  assert.deepEqual(parseTuiConfig('[1]', FILE).problems, [`${FILE}: expected a JSON object ({ … }); using the defaults`]);
});

void test('a missing file is the defaults without a problem; one that cannot be read is a problem', async (t) => {
  const folder = await tempFolderFor(t, 'ferry-config-');
  assert.deepEqual(await readTuiConfig(path.join(folder, 'config.json')), { config: defaultTuiConfig, problems: [] });
  await fs.mkdir(path.join(folder, 'folder.json'));
  const unreadable = await readTuiConfig(path.join(folder, 'folder.json'));
  assert.match(unreadable.problems[0] ?? '', /folder\.json: cannot be read \(EISDIR\); using the defaults/);
});

void test('key names are read as the help writes them', () => {
  assert.deepEqual(parseKeyName('F4'), { name: 'f4' });
  assert.deepEqual(parseKeyName('^R'), { name: 'r', ctrl: true });
  assert.deepEqual(parseKeyName('Ctrl-r'), { name: 'r', ctrl: true });
  assert.deepEqual(parseKeyName('M-x'), { name: 'x', meta: true });
  assert.deepEqual(parseKeyName('S-Tab'), { name: 'tab', shift: true });
  assert.deepEqual(parseKeyName('Tab'), { name: 'tab', shift: false });
  assert.deepEqual(parseKeyName('Del'), { name: 'delete' });
  assert.deepEqual(parseKeyName('G'), { name: 'G' });
  for (const bad of ['F13', 'Ctrl-', '^1', 'ab', '', '\u0007', 'S-x']) assert.equal(parseKeyName(bad), undefined, JSON.stringify(bad));
});

void test('a key override replaces the command\'s keys in the table every key is matched against', () => {
  const { table, problems } = applyKeyOverrides({ 'pane.copy': ['F12', 'c'], 'focus-queue': 'W' });
  assert.deepEqual(problems, []);
  assert.equal(matchCommand(parseKey('\x1b[24~'), 'pane', table), 'copy');
  assert.equal(matchCommand(parseKey('\x1b[15~'), 'pane', table), undefined, 'F5 no longer copies');
  assert.equal(matchCommand(parseKey('W'), 'global', table), 'focus-queue');
  assert.equal(matchCommand(parseKey('w'), 'global', table), undefined);
  // The defaults are untouched.
  assert.equal(matchCommand(parseKey('\x1b[15~'), 'pane', defaultBindings), 'copy');
});

void test('bad key overrides are reported and leave the defaults', () => {
  const { table, problems } = applyKeyOverrides({
    'pane.kopy': ['F4'],
    dismiss: 'q',
    'pane.mkdir': ['F77'],
    'pane.rename': [],
    'pane.delete': ['c'],
    'pane.refresh': ['q'],
  });
  assert.deepEqual(problems, [
    { entry: 'pane.kopy', problem: 'no such command (the names are in docs/TUI.md, "Config file")' },
    { entry: 'dismiss', problem: 'the command is in several places; name one: queue.dismiss, dialog.dismiss, help.dismiss' },
    { entry: 'pane.mkdir', problem: 'not a key: "F77" (write keys as F5, ^R, M-x, S-Tab, Del, x)' },
    { entry: 'pane.rename', problem: 'expected a key name or a non-empty list of them, like ["F5", "c"]' },
    { entry: 'pane.delete', problem: 'key "c" is already pane.copy\'s; default keys kept' },
    { entry: 'pane.refresh', problem: 'key "q" is already global.quit\'s; default keys kept' },
  ]);
  assert.equal(matchCommand(parseKey('\x1b[19~'), 'pane', table), 'delete');
  assert.equal(matchCommand(parseKey('c'), 'pane', table), 'copy');
});

void test('the monochrome theme has no colours; configured colours replace the roles they name; NO_COLOR wins', () => {
  const mono = themeFor({}, 'monochrome');
  assert.equal(mono.accent, undefined);
  assert.equal(mono.hintKey.inverse, true);
  const custom = themeFor({}, 'colour', { accent: 'magenta', hintKey: 'yellow' });
  assert.equal(custom.accent, 'magenta');
  assert.equal(custom.danger, 'red');
  assert.deepEqual(custom.hintKey, { color: 'black', backgroundColor: 'yellow', inverse: false });
  assert.equal(themeFor({ NO_COLOR: '1' }, 'colour', { accent: 'magenta' }).accent, undefined);
});

void test('rateLimit takes a rate ("10M", "500K"), bytes per second, or 0 for none; anything else is a problem', () => {
  assert.equal(defaultTuiConfig.rateLimit, 0);
  assert.equal(parseTuiConfig(JSON.stringify({ rateLimit: '10M' }), FILE).config.rateLimit, 10 * 1024 * 1024);
  assert.equal(parseTuiConfig(JSON.stringify({ rateLimit: '500K' }), FILE).config.rateLimit, 500 * 1024);
  assert.equal(parseTuiConfig(JSON.stringify({ rateLimit: 65536 }), FILE).config.rateLimit, 65536);
  assert.equal(parseTuiConfig(JSON.stringify({ rateLimit: 'off' }), FILE).config.rateLimit, 0);
  for (const bad of ['fast', -1, 12, '1.5X']) {
    const { config, problems } = parseTuiConfig(JSON.stringify({ rateLimit: bad }), FILE);
    assert.equal(config.rateLimit, 0);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /rateLimit: expected bytes per second/);
  }
});
