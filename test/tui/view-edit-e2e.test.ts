/**
 * F3 and F4 as they ship: the built `ferry` binary in a pseudo-terminal
 * against a real ferryd on loopback. The viewer opens a 2 GiB sparse remote
 * file at once and never lets its bytes steer the terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/server/log.js';
import { startServer, type FerryServer } from '../../src/server/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { spawnInTerminal, type TerminalSession } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();
const F3 = '\x1bOR';

interface World {
  server: FerryServer;
  remoteRoot: string;
  localRoot: string;
  term: TerminalSession;
}

async function withWorld(
  setup: (remoteRoot: string, localRoot: string) => Promise<void>,
  run: (world: World) => Promise<void>,
  env: NodeJS.ProcessEnv | ((remoteRoot: string) => NodeJS.ProcessEnv) = {},
): Promise<void> {
  const remoteRoot = await tempFolder('ferry-view-remote-');
  const localRoot = await tempFolder('ferry-view-local-');
  await setup(remoteRoot, localRoot);
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  const term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${server.port}/`], {
    cwd: localRoot, columns: 100, rows: 30, env: { ...process.env, ...(typeof env === 'function' ? env(remoteRoot) : env) },
  });
  try {
    await run({ server, remoteRoot, localRoot, term });
  } finally {
    term.close();
    await server.close(0).catch(() => undefined);
  }
}

/** Puts the remote pane's cursor on `name` with the `/` filter. */
async function focusByFilter(term: TerminalSession, name: string): Promise<void> {
  term.write('/');
  await term.waitForText('filter: _');
  term.write(`${name}\r`);
  await term.waitForFrame((screen) => screen.includes(`filter: ${name}`) && !screen.includes(`filter: ${name}_`));
}

void test('F3 on a 2 GiB sparse remote file shows its first screen at once, pages, searches, shows hex, and closes', async () => {
  await withWorld(async (remoteRoot) => {
    const handle = await fs.open(path.join(remoteRoot, 'huge.log'), 'w');
    const head = Array.from({ length: 2000 }, (_, i) => `entry ${i + 1}${i === 0 ? ' \x1b[41mred\x1b]0;title\x07' : ''}\n`).join('');
    await handle.write(Buffer.from(head), 0, undefined, 0);
    await handle.truncate(2 * 1024 * 1024 * 1024);
    await handle.close();
  }, async ({ term }) => {
    await term.waitForText('huge.log');
    await focusByFilter(term, 'huge');
    term.write(F3);
    const first = await term.waitForText('entry 2');
    assert.match(first, /huge\.log · 2\.0G · text · 0%/);
    assert.match(first, /entry 1 \?\[41mred\?\]0;title\?/, 'escape sequences show as ?');
    assert.equal(term.paletteBackgrounds().has(1), false, 'nothing painted red');
    term.write('\x1b[6~');
    await term.waitForFrame((screen) => /^entry 27$/m.test(screen) && !/^entry 2$/m.test(screen));
    term.write('/entry 150\r');
    await term.waitForFrame((screen) => /found "entry 150" at byte \d+/.test(screen) && screen.split('\n')[1] === 'entry 150');
    term.write('h');
    await term.waitForFrame((screen) => / hex · /.test(screen) && /^[0-9a-f]{8} {2}/m.test(screen));
    term.write('q');
    await term.waitForFrame((screen) => !screen.includes(' hex · ') && screen.includes('huge.log'));
  });
});

/**
 * A stand-in editor: it records how its file and folder are protected,
 * says hello, reads one line from the terminal (in cooked mode: the UI has
 * given the terminal away) and appends it, and can change the server's file
 * meanwhile, as another user would.
 */
const EDITOR_SCRIPT = `
const fs = require('node:fs');
const path = require('node:path');
const file = process.argv[process.argv.length - 1];
fs.appendFileSync(process.env.EDIT_LOG, JSON.stringify({
  file, mode: fs.statSync(file).mode & 0o777, folderMode: fs.statSync(path.dirname(file)).mode & 0o777,
}) + '\\n');
if (process.env.EDIT_REMOTE_ALSO) fs.appendFileSync(process.env.EDIT_REMOTE_ALSO, 'changed on the server\\n');
process.stdout.write('EDITOR SAYS HI\\n');
let line = '';
const one = Buffer.alloc(1);
while (!line.endsWith('\\n')) {
  if (fs.readSync(0, one, 0, 1, null) === 0) break;
  line += one.toString();
}
if (line.trim() !== 'keep') fs.appendFileSync(file, line);
`;

async function editorEnv(folder: string): Promise<{ env: NodeJS.ProcessEnv; log: string }> {
  const script = path.join(folder, 'editor.cjs');
  await fs.writeFile(script, EDITOR_SCRIPT);
  const log = path.join(folder, 'editor.log');
  return { log, env: { VISUAL: '', EDITOR: `'${process.execPath}' '${script}'`, EDIT_LOG: log } };
}

/**
 * Presses F4 and answers the stand-in editor with `line`, checking the terminal was handed over. The
 * editor's greeting is counted in the output, not looked for on the screen: an earlier edit's greeting
 * stays on the normal screen, which shows again the moment the UI leaves the alternate one — before this
 * editor runs and the terminal leaves raw mode, when a line typed would never end (raw mode sends Enter as
 * CR, the editor waits for LF).
 */
async function editWith(term: TerminalSession, line: string): Promise<void> {
  const greetings = (): number => term.output().split('EDITOR SAYS HI').length - 1;
  const before = greetings();
  term.write('\x1bOS');
  await term.waitForFrame(() => greetings() > before, { what: 'the editor to start' });
  assert.equal(term.onAlternateScreen(), false, 'the editor runs on the normal screen');
  assert.equal(term.cursorVisible(), true, 'with the cursor shown');
  term.write(`${line}\r`);
}

void test('F4 on a remote file: a private copy (0600 in a 0700 folder) is edited and uploaded back; the terminal comes back whole', async () => {
  const tools = await tempFolder('ferry-edit-tools-');
  const { env, log } = await editorEnv(tools);
  await withWorld(async (remoteRoot) => {
    await fs.writeFile(path.join(remoteRoot, 'notes.txt'), 'first line\n');
    await fs.chmod(path.join(remoteRoot, 'notes.txt'), 0o640);
  }, async ({ term, remoteRoot }) => {
    await term.waitForText('notes.txt');
    await editWith(term, 'typed in the editor');
    await term.waitForText('uploaded your edit of notes.txt');
    assert.equal(term.onAlternateScreen(), true);
    assert.match(term.text(), /ferry:\/\/127\.0\.0\.1:\d+\//, 'the panes are drawn again');
    assert.equal(await fs.readFile(path.join(remoteRoot, 'notes.txt'), 'utf8'), 'first line\ntyped in the editor\n');
    assert.equal((await fs.stat(path.join(remoteRoot, 'notes.txt'))).mode & 0o777, 0o640, 'the server file keeps its mode');
    const record = JSON.parse((await fs.readFile(log, 'utf8')).trim()) as { file: string; mode: number; folderMode: number };
    assert.equal(record.mode, 0o600);
    assert.equal(record.folderMode, 0o700);
    // The private copy is removed after the upload.
    for (let tries = 0; await fs.access(path.dirname(record.file)).then(() => true, () => false); tries++) {
      assert.ok(tries < 500, `${path.dirname(record.file)} is still there`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // Unchanged: nothing goes up.
    const before = (await fs.stat(path.join(remoteRoot, 'notes.txt'))).mtimeMs;
    await editWith(term, 'keep');
    await term.waitForText('notes.txt not changed: nothing uploaded');
    assert.equal((await fs.stat(path.join(remoteRoot, 'notes.txt'))).mtimeMs, before);
  }, env);
});

void test('F4 when the server file changed meanwhile asks; Esc saves the edit as a local copy and leaves the server file alone', async () => {
  const tools = await tempFolder('ferry-edit-tools-');
  const { env } = await editorEnv(tools);
  let remoteFile = '';
  await withWorld(async (remoteRoot) => {
    remoteFile = path.join(remoteRoot, 'shared.txt');
    await fs.writeFile(remoteFile, 'v1\n');
  }, async ({ term, localRoot }) => {
    await term.waitForText('shared.txt');
    await editWith(term, 'my change');
    await term.waitForText('Changed on the server while you edited');
    term.write('\x1b');
    await term.waitForText(/your edit is saved as .*shared\.txt/);
    assert.equal(await fs.readFile(remoteFile, 'utf8'), 'v1\nchanged on the server\n');
    assert.equal(await fs.readFile(path.join(localRoot, 'shared.txt'), 'utf8'), 'v1\nmy change\n');
  }, (remoteRoot) => ({ ...env, EDIT_REMOTE_ALSO: path.join(remoteRoot, 'shared.txt') }));
});

void test('F4 on a local file edits it in place and the pane shows the new size', async () => {
  const tools = await tempFolder('ferry-edit-tools-');
  const { env } = await editorEnv(tools);
  await withWorld(async (_remoteRoot, localRoot) => {
    await fs.writeFile(path.join(localRoot, 'todo.txt'), 'one\n');
  }, async ({ term, localRoot }) => {
    await term.waitForText('todo.txt');
    // The session opens after the local pane is drawn; its "connected to" would replace the edit's message.
    await term.waitForText('connected to');
    term.write('\t');
    await editWith(term, 'two');
    await term.waitForText('edited todo.txt');
    assert.equal(await fs.readFile(path.join(localRoot, 'todo.txt'), 'utf8'), 'one\ntwo\n');
    assert.equal(term.onAlternateScreen(), true);
  }, env);
});

for (const [key, expected] of [['o', 'v1\nmy change\n'], ['k', 'v1\nchanged on the server\n']] as const) {
  void test(`F4 when the server file changed meanwhile: ${key} ${key === 'o' ? 'overwrites it with the edit' : 'keeps the server file'}`, async () => {
    const tools = await tempFolder('ferry-edit-tools-');
    const { env } = await editorEnv(tools);
    let remoteFile = '';
    await withWorld(async (remoteRoot) => {
      remoteFile = path.join(remoteRoot, 'shared.txt');
      await fs.writeFile(remoteFile, 'v1\n');
    }, async ({ term, localRoot }) => {
      await term.waitForText('shared.txt');
      await editWith(term, 'my change');
      await term.waitForText('Changed on the server while you edited');
      term.write(key);
      await term.waitForText(key === 'o' ? 'uploaded your edit of shared.txt' : "kept the server's shared.txt");
      assert.equal(await fs.readFile(remoteFile, 'utf8'), expected);
      await assert.rejects(fs.access(path.join(localRoot, 'shared.txt')), 'no local copy');
    }, (remoteRoot) => ({ ...env, EDIT_REMOTE_ALSO: path.join(remoteRoot, 'shared.txt') }));
  });
}
