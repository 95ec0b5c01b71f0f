/**
 * `ferry sync` with an FTP side against a private vsftpd (skipped without
 * vsftpd, failing under CI=true): up to FTP and in sync on the second run
 * (uploads keep their source's second; the listing's minute or day is
 * confirmed with MDTM), a same-size change within the same minute still
 * sent, FTP to local and to a ferryd (server to server across kinds),
 * --checksum reading the FTP side's files (FTP cannot hash on the server),
 * and a server without MDTM, where a match to the listing's minute counts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYNC_CHANGED_EXIT } from '../../src/cli/sync-command.js';
import { openRemote } from '../../src/remote/open-remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { LocalPlace } from '../../src/sync/local-place.js';
import { RemotePlace } from '../../src/sync/remote-place.js';
import { runSync } from '../../src/sync/run-sync.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { removeTempFolder, tempFolderSync } from '../helpers/temp-folders.js';
import { startVsftpd, type PrivateVsftpd } from '../helpers/vsftpd.js';
import { ferry, mtimeOf, readTree, T0, writeTree } from './sync-helpers.js';

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
    assert.equal(mtimeOf(path.join(ferryd.root, 'copy', 'sub', 'b.txt')), T0.getTime(), 'the second MDTM gives, not the listing\'s day');
    const acrossAgain = await ferry('sync', url, `${ferryd.url}/copy`);
    assert.deepEqual([acrossAgain.code, acrossAgain.stdout], [0, 'in sync\n'], acrossAgain.stderr);

    // Same size, other content: --checksum finds it by reading the FTP side's files (FTP cannot hash them).
    fs.writeFileSync(path.join(local, 'a.txt'), 'ALPHA');
    const checked = await ferry('sync', '--checksum', '--dry-run', local, url);
    assert.equal(checked.code, SYNC_CHANGED_EXIT, checked.stderr);
    assert.match(checked.stdout, /^update {2}a\.txt {2}5 B$/m);
    assert.doesNotMatch(checked.stdout, /sub\/b\.txt/, 'same content: left alone');
  });

  void it('a second run finds an FTP copy in sync: nothing is sent, the server\'s files are left as they are', async () => {
    const top = tempFolderSync('ferry-sync-ftp-again-');
    // LIST shows T0 (two years back) only to the day, a time of the last hours to the minute: MDTM decides both.
    writeTree(top, { 'c.txt': 'gamma', 'sub/d.txt': 'delta' });
    writeTree(top, { 'e.txt': 'epsilon' }, new Date(recentMinute() + 12_345));
    const url = `${ftp.origin}/pub/again`;
    const onServer = (relative: string): fs.Stats => fs.statSync(path.join(ftp.pub, 'again', relative));
    try {
      const first = await ferry('sync', top, url);
      assert.equal(first.code, SYNC_CHANGED_EXIT, first.stderr);
      for (const name of ['c.txt', 'sub/d.txt', 'e.txt']) {
        assert.equal(Math.floor(onServer(name).mtimeMs / 1000), Math.floor(mtimeOf(path.join(top, name)) / 1000), `${name} has its source's second`);
      }
      const inodes = ['c.txt', 'sub/d.txt', 'e.txt'].map((name) => onServer(name).ino);
      const again = await ferry('sync', top, url);
      assert.deepEqual([again.code, again.stdout], [0, 'in sync\n'], again.stderr);
      // An upload lands in a new file renamed over the old: the same inodes mean no file was sent again.
      assert.deepEqual(['c.txt', 'sub/d.txt', 'e.txt'].map((name) => onServer(name).ino), inodes);
    } finally {
      await removeTempFolder(top);
    }
  });

  void it('a same-size change within the same minute is sent, and only it: MDTM shows the second', async () => {
    const top = tempFolderSync('ferry-sync-ftp-minute-');
    const minute = recentMinute();
    writeTree(top, { 'f.txt': 'phi', 'g.txt': 'gamma' }, new Date(minute + 10_250));
    const url = `${ftp.origin}/pub/minute`;
    const remote = await openRemote(parseRemoteUrl(url));
    try {
      const place = new RemotePlace(remote, '/pub/minute', url);
      assert.equal((await runSync(new LocalPlace(top), place)).bytes, 8);
      // Same size, twenty seconds later in the same minute: the listing (12:34) cannot tell, MDTM (12:34:10) can.
      writeTree(top, { 'g.txt': 'GAMMA' }, new Date(minute + 30_500));
      const unchanged = fs.statSync(path.join(ftp.pub, 'minute', 'f.txt')).ino;
      const outcome = await runSync(new LocalPlace(top), place);
      assert.deepEqual(outcome.plan.update.map((entry) => entry.path), ['g.txt']);
      assert.equal(outcome.bytes, 5);
      assert.equal(fs.readFileSync(path.join(ftp.pub, 'minute', 'g.txt'), 'utf8'), 'GAMMA');
      assert.equal(fs.statSync(path.join(ftp.pub, 'minute', 'f.txt')).ino, unchanged, 'f.txt was not sent again');
      assert.equal((await runSync(new LocalPlace(top), place)).changed, false);
    } finally {
      await remote.quit();
      await removeTempFolder(top);
    }
  });

  void it('FTP to local: the copies get the server\'s second, not the listing\'s minute, and a second run is in sync', async () => {
    const top = tempFolderSync('ferry-sync-ftp-down-');
    const seeded = path.join(ftp.pub, 'down');
    writeTree(seeded, { 'h.txt': 'eta' }, new Date(recentMinute() + 41_000));
    writeTree(seeded, { 'old/i.txt': 'iota' });
    const url = `${ftp.origin}/pub/down`;
    try {
      assert.equal((await ferry('sync', url, top)).code, SYNC_CHANGED_EXIT);
      assert.equal(mtimeOf(path.join(top, 'h.txt')), mtimeOf(path.join(seeded, 'h.txt')));
      assert.equal(mtimeOf(path.join(top, 'old', 'i.txt')), T0.getTime());
      const again = await ferry('sync', url, top);
      assert.deepEqual([again.code, again.stdout], [0, 'in sync\n'], again.stderr);
    } finally {
      await removeTempFolder(top);
    }
  });
});

void describe('ferry sync to an FTP server without MDTM', { skip }, () => {
  let ftp: PrivateVsftpd;

  before(async () => {
    ftp = await startVsftpd({ deniedCommands: ['MDTM'] });
  });
  after(async () => {
    await ftp?.stop();
  });

  void it('uploads keep the server\'s time; a match to the listing\'s minute then counts as unchanged', async () => {
    const top = tempFolderSync('ferry-sync-no-mdtm-');
    writeTree(top, { 'j.txt': 'kappa' });
    const url = `${ftp.origin}/pub/plain`;
    const remote = await openRemote(parseRemoteUrl(url));
    try {
      const place = new RemotePlace(remote, '/pub/plain', url);
      assert.equal((await runSync(new LocalPlace(top), place)).bytes, 5);
      assert.equal(remote.features.uploadMtime, false, 'the server refused to set the time');
      // Within the minute the listing shows, MDTM cannot say more: the listing is all there is to go on.
      const onServer = fs.statSync(path.join(ftp.pub, 'plain', 'j.txt')).mtime;
      fs.utimesSync(path.join(top, 'j.txt'), onServer, onServer);
      const again = await runSync(new LocalPlace(top), place);
      assert.deepEqual([again.changed, again.bytes], [false, 0]);
      // Another minute is still another time.
      const later = new Date(onServer.getTime() + 60_000);
      fs.utimesSync(path.join(top, 'j.txt'), later, later);
      assert.deepEqual((await runSync(new LocalPlace(top), place, { dryRun: true })).plan.update.map((entry) => entry.path), ['j.txt']);
    } finally {
      await remote.quit();
      await removeTempFolder(top);
    }
  });
});

/** The start of a minute three hours back: recent enough that vsftpd's LIST shows it to the minute. */
function recentMinute(): number {
  return Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;
}
