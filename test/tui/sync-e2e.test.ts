/**
 * End to end in a pseudo-terminal: the built `ferry` binary against a real
 * ferryd. D compares the panes' trees and sums up; Y from the local pane shows
 * the plan and, with Enter, makes the server's folder like the local one
 * through the transfer queue; the files are checked on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/server/log.js';
import { startServer } from '../../src/server/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { waitUntil } from '../helpers/ink.js';
import { Keys, spawnInTerminal } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();

async function writeAt(top: string, relative: string, content: string, when: Date): Promise<void> {
  const full = path.join(top, ...relative.split('/'));
  await fs.mkdir(path.dirname(full), { recursive: true });
  await fs.writeFile(full, content);
  await fs.utimes(full, when, when);
}

void test('D compares the trees, Y syncs the local folder to the server through the queue', async () => {
  const remoteRoot = await tempFolder('ferry-sync-e2e-remote-');
  const localRoot = await tempFolder('ferry-sync-e2e-local-');
  const old = new Date('2024-01-01T00:00:00Z');
  const later = new Date('2024-06-01T00:00:00Z');
  await writeAt(remoteRoot, 'docs/deep/x.txt', 'old', old);
  await writeAt(localRoot, 'docs/deep/x.txt', 'newer text', later);
  await writeAt(localRoot, 'new.txt', 'new', old);
  await writeAt(remoteRoot, 'extra.txt', 'only there', old);
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  const term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${server.port}/`], { cwd: localRoot, columns: 110, rows: 32 });
  try {
    await term.waitForText('extra.txt', 15_000);
    term.write('D');
    // The status line may cut the summary's end (the selection's total shares the line).
    const compared = await term.waitForText(/compare \(recursive\): 1 only/, 15_000);
    assert.match(compared, /1 only left, 1 only right, 1 newer le/);
    // After connecting the remote pane is active: the sync goes from the local one.
    term.write(Keys.tab);
    term.write('Y');
    const dialog = await term.waitForText(/create +1 files/, 15_000);
    assert.match(dialog, /update +1 files/);
    term.write(Keys.enter);
    await waitUntil(async () => {
      const text = await fs.readFile(path.join(remoteRoot, 'docs/deep/x.txt'), 'utf8').catch(() => '');
      return text === 'newer text' && await fs.stat(path.join(remoteRoot, 'new.txt')).then(() => true, () => false);
    }, 'the sync on disk', 15_000);
    assert.equal(await fs.readFile(path.join(remoteRoot, 'extra.txt'), 'utf8'), 'only there', 'nothing deleted without d');
    await term.waitForText(/sync \S+ +\d+ B in /, 15_000);
  } finally {
    term.close();
    await server.close(0).catch(() => undefined);
  }
});
