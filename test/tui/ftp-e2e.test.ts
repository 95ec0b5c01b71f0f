/**
 * End to end: the built `ferry ftp://…` in a pseudo-terminal against a private
 * vsftpd (anonymous, writable /pub) — the FTP kind loads from outside the
 * bundle, the listing shows with `[ftp plain]` on the status line, a file
 * goes up through the queue and its row says it was checked by size (never
 * SHA-256, which FTP cannot give), and one comes down the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startVsftpd } from '../helpers/vsftpd.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { Keys, spawnInTerminal } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();

void test('ferry ftp://… opens the UI on an FTP server; copies both ways are checked by size', { skip: skipUnlessInstalled('vsftpd'), timeout: 90_000 }, async () => {
  const server = await startVsftpd({});
  const local = await tempFolder('ferry-ftp-e2e-local-');
  await fs.writeFile(path.join(server.pub, 'on-ftp.txt'), 'from the FTP server');
  await fs.writeFile(path.join(local, 'up.txt'), 'to the FTP server');
  const term = spawnInTerminal(process.execPath, [ferryBin, `${server.origin}/pub`], { cwd: local, columns: 100, rows: 24 });
  try {
    await term.waitForText('on-ftp.txt');
    await term.waitForText('[ftp plain]');
    // The remote pane is active once the session opens (docs/TUI.md): F5 copies its cursor entry down.
    term.write(Keys.f5);
    await term.waitForText('Download on-ftp.txt');
    term.write(Keys.enter);
    await term.waitForText('size ✓');
    assert.equal(await fs.readFile(path.join(local, 'on-ftp.txt'), 'utf8'), 'from the FTP server');

    term.write(Keys.tab);
    await term.waitForFrame((screen) => screen.includes('on-ftp.txt') && screen.includes('up.txt'));
    term.write(Keys.end);
    term.write(Keys.f5);
    await term.waitForText('Upload up.txt');
    term.write(Keys.enter);
    for (let tries = 0; ; tries++) {
      const there = await fs.readFile(path.join(server.pub, 'up.txt'), 'utf8').catch(() => undefined);
      if (there === 'to the FTP server') break;
      assert.ok(tries < 600, 'the upload lands on the server under its name');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await term.waitForFrame((screen) => (screen.match(/size ✓/g) ?? []).length >= 2, { what: 'both rows checked by size' });
    assert.ok(!term.text().includes('SHA-256 ✓'), 'an FTP transfer never claims an end-to-end hash');
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
    await server.stop();
  }
});
