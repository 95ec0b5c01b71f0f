/**
 * The config file as `ferry` reads it at start, in a pseudo-terminal against
 * a real ferryd: its keys, theme and transfers at once take effect, and a bad
 * entry is reported on the status line and again on stderr at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/server/log.js';
import { startServer } from '../../src/server/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { Keys, spawnInTerminal } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();

void test('config.json: remapped keys, monochrome, transfers at once; a bad entry is reported and the rest applies', { timeout: 60_000 }, async () => {
  const remoteRoot = await tempFolder('ferry-config-remote-');
  const localRoot = await tempFolder('ferry-config-local-');
  const configHome = await tempFolder('ferry-config-home-');
  await fs.writeFile(path.join(remoteRoot, 'only.txt'), 'from the server');
  await fs.mkdir(path.join(configHome, 'ferry'));
  await fs.writeFile(
    path.join(configHome, 'ferry', 'config.json'),
    JSON.stringify({ theme: 'monochrome', concurrency: 3, keys: { 'pane.copy': ['F12'], 'focus-queue': 'W' }, colours: { accent: 'purple' } }),
  );
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  const term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${server.port}/`], {
    cwd: localRoot,
    columns: 120,
    rows: 30,
    env: { XDG_CONFIG_HOME: configHome, HOME: configHome },
  });
  try {
    await term.waitForText('only.txt');
    await term.waitForText('colours.accent: expected a col');
    await term.waitForText('F12Copy');
    await term.waitForText('WQueue');
    // Monochrome: the hint bar's keys are inverse, not on a cyan (palette 6) background.
    await term.flush();
    assert.deepEqual([...term.paletteBackgrounds()], []);
    // F5 copies no more; F12 does (the remote pane is active, its cursor on the one file).
    term.write(Keys.f5);
    term.write('\x1b[24~');
    // Copy asks where to, the other pane's folder offered: Enter takes it.
    await term.waitForText('To (');
    term.write(Keys.enter);
    await term.waitForText('1 transfer finished');
    assert.equal(await fs.readFile(path.join(localRoot, 'only.txt'), 'utf8'), 'from the server');
    term.write('W');
    await term.waitForText('(3 at once)');
    term.write(Keys.escape);
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
    assert.match(term.text(), /ferry: config: .*config\.json: colours\.accent: expected a colour name/);
  } finally {
    term.close();
    await server.close(0).catch(() => undefined);
  }
});
