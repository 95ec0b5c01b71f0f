/**
 * Unfinished transfers across a restart of `ferry`, in a pseudo-terminal
 * against a real ferryd: a download cut off by quitting is offered on the
 * next start and, accepted, resumes from its partial copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/server/log.js';
import { startServer } from '../../src/server/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { Keys, spawnInTerminal, type TerminalSession } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();

void test('quitting during a download keeps it; the next start offers it and it resumes', { timeout: 120_000 }, async () => {
  const remoteRoot = await tempFolder('ferry-saved-remote-');
  const localRoot = await tempFolder('ferry-saved-local-');
  const home = await tempFolder('ferry-saved-home-');
  const size = 1024 ** 3;
  await fs.writeFile(path.join(remoteRoot, 'big.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'big.bin'), size);
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state') };
  const open = (): TerminalSession =>
    spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${server.port}/`], { cwd: localRoot, columns: 110, rows: 30, env });
  let term = open();
  try {
    await term.waitForText('big.bin');
    term.write('d');
    await term.waitForText(/↓big\.bin.*\b[1-9]\d*%/);
    term.write(Keys.f10);
    await term.waitForText('Quit Ferry?');
    term.write('y');
    assert.equal(await term.exited(), 0);
    term.close();
    const saved = JSON.parse(await fs.readFile(path.join(home, 'state', 'ferry', 'transfers.json'), 'utf8')) as { server: unknown; transfers: unknown[] };
    assert.deepEqual(saved.server, { host: '127.0.0.1', port: server.port, user: '', tls: 'auto' });
    assert.deepEqual(saved.transfers, [{ direction: 'download', name: 'big.bin', source: '/big.bin', target: path.join(localRoot, 'big.bin'), isFolder: false }]);

    term = open();
    await term.waitForText('Unfinished transfers');
    await term.waitForText('1 transfer with 127.0.0.1');
    term.write('y');
    await term.waitForText(/resumed at [1-9]/, 90_000);
    assert.equal((await fs.stat(path.join(localRoot, 'big.bin'))).size, size);
    // Everything finished: nothing is offered any more.
    await term.waitForFrame(() => true);
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
    assert.equal(await fs.stat(path.join(home, 'state', 'ferry', 'transfers.json')).catch(() => undefined), undefined);
  } finally {
    term.close();
    await server.close(0).catch(() => undefined);
  }
});
