/**
 * `ferry sync` with an FTP side against a private vsftpd (skipped without
 * vsftpd, failing under CI=true): up to FTP and in sync on the second run,
 * FTP to a ferryd (server to server across kinds), and --checksum reading
 * the FTP side's files (FTP cannot hash on the server).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYNC_CHANGED_EXIT } from '../../src/cli/sync-command.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { removeTempFolder, tempFolderSync } from '../helpers/temp-folders.js';
import { startVsftpd, type PrivateVsftpd } from '../helpers/vsftpd.js';
import { ferry, readTree, writeTree } from './sync-helpers.js';

const skip = skipUnlessInstalled('vsftpd');

void describe('ferry sync with an FTP side', { skip }, () => {
  let ftp: PrivateVsftpd;
  let ferryd: TestServer;
  let local: string;

  before(async () => {
    ftp = await startVsftpd();
    ferryd = await startTestServer();
    local = tempFolderSync('ferry-sync-ftp-');
  });
  after(async () => {
    await ftp?.stop();
    await ferryd?.cleanup();
    if (local) await removeTempFolder(local);
  });

  void it('syncs a folder up to FTP, then finds it in sync; FTP to a ferryd; --checksum reads the FTP files', async () => {
    writeTree(local, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' });
    const url = `${ftp.origin}/pub/site`;
    const first = await ferry('sync', local, url);
    assert.equal(first.code, SYNC_CHANGED_EXIT, first.stderr);
    assert.deepEqual(readTree(path.join(ftp.pub, 'site')), readTree(local));

    const across = await ferry('sync', url, `${ferryd.url}/copy`);
    assert.equal(across.code, SYNC_CHANGED_EXIT, across.stderr);
    assert.deepEqual(readTree(path.join(ferryd.root, 'copy')), readTree(local));

    // Same size, other content: --checksum finds it by reading the FTP side's files (FTP cannot hash them).
    fs.writeFileSync(path.join(local, 'a.txt'), 'ALPHA');
    const checked = await ferry('sync', '--checksum', '--dry-run', local, url);
    assert.equal(checked.code, SYNC_CHANGED_EXIT, checked.stderr);
    assert.match(checked.stdout, /^update {2}a\.txt {2}5 B$/m);
    assert.doesNotMatch(checked.stdout, /sub\/b\.txt/, 'same content: left alone');
  });

  void it('a second run finds an FTP copy in sync', { todo: 'the FTP kind does not set an uploaded file\'s mtime (MFMT) yet: every file looks changed' }, async () => {
    const top = path.join(local, '..', `${path.basename(local)}-again`);
    writeTree(top, { 'c.txt': 'gamma' });
    const url = `${ftp.origin}/pub/again`;
    try {
      assert.equal((await ferry('sync', top, url)).code, SYNC_CHANGED_EXIT);
      const again = await ferry('sync', top, url);
      assert.deepEqual([again.code, again.stdout], [0, 'in sync\n']);
    } finally {
      await removeTempFolder(top);
    }
  });
});
