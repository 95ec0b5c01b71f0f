/**
 * End to end: the built `ferry -i KEY sftp://…` in a pseudo-terminal against
 * a private sshd — the bundle loads the SFTP kind (ssh2 from node_modules, as
 * it stays outside the bundle), the new host key is asked about, the listing
 * shows, and the status line says `[sftp SSH]`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSshd } from '../helpers/sshd.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { Keys, spawnInTerminal } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();

void test('ferry -i KEY sftp://… opens the UI on the SFTP server after the host key question', { skip: skipUnlessInstalled('sshd'), timeout: 60_000 }, async () => {
  const sshd = await startSshd({});
  const local = await tempFolder('ferry-sftp-e2e-local-');
  await fs.writeFile(path.join(sshd.root, 'over-ssh.txt'), 'x');
  const term = spawnInTerminal(process.execPath, [ferryBin, '-i', sshd.clientKey, `sftp://${sshd.user}@127.0.0.1:${sshd.port}${sshd.root}`], {
    cwd: local, columns: 100, rows: 24, env: sshd.clientEnv(),
  });
  try {
    await term.waitForText('Unknown host key');
    await term.waitForText(/SHA256:[A-Za-z0-9+/]{43}/);
    await term.waitForFrame((screen) => screen.includes('Trust (y)') && !screen.includes('a moment'));
    term.write('y');
    await term.waitForText('over-ssh.txt');
    await term.waitForText('[sftp SSH]');
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
    await sshd.stop();
  }
});
