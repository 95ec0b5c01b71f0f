/**
 * The FTP kind against a real, private vsftpd (test/helpers/vsftpd.ts):
 * anonymous and password logins, every operation and its error codes, single
 * transfers with their conflict rules and size check, reads from an offset,
 * permission errors, and the connection pool carrying parallel transfers and
 * surviving a dropped member.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { EntryKind } from '../../src/protocol/messages.js';
import { openRemote } from '../../src/remote/open-remote.js';
import type { Remote } from '../../src/remote/remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { patternBytes, writePattern } from '../client/files.js';
import { CountingRateLimit } from '../helpers/counting-rate-limit.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { startVsftpd, type PrivateVsftpd } from '../helpers/vsftpd.js';

const skip = skipUnlessInstalled('vsftpd');
const makeTemp = tempFolderMaker();

function code(expected: number) {
  return (error: unknown): boolean => {
    if (error instanceof FerryError && error.code === expected) return true;
    throw error;
  };
}

void describe('FTP kind against vsftpd', { skip }, () => {
  let server: PrivateVsftpd;
  let remote: Remote;
  let local: string;

  before(async () => {
    server = await startVsftpd({ passwordUser: true });
    local = await makeTemp('ferry-ftp-local-');
    remote = await openRemote(parseRemoteUrl(`${server.origin}/pub`));
    // Things an anonymous user may read but not change, owned by root beside the writable /pub.
    fs.mkdirSync(path.join(server.root, 'locked'));
    fs.writeFileSync(path.join(server.root, 'locked', 'fixed.txt'), 'fixed');
    fs.writeFileSync(path.join(server.root, 'secret.txt'), 'secret', { mode: 0o600 });
  });
  after(async () => {
    remote?.close();
    await server?.stop();
  });

  void it('logs in anonymously and says what it checks and can do', () => {
    assert.equal(remote.description.kind, 'ftp');
    assert.equal(remote.description.user, '');
    assert.equal(remote.description.encrypted, false);
    assert.equal(remote.description.verification, 'size');
    assert.equal(remote.description.origin, `ftp://127.0.0.1:${server.port}`);
    assert.equal(remote.connected, true);
    assert.deepEqual(remote.features, { chmod: false, find: false, checksums: false, linkTargets: true, resume: true, uploadMtime: true });
  });

  void it('puts a file, lists it and gets the same bytes back with its time', async () => {
    const source = path.join(local, 'put.bin');
    const content = writePattern(source, 300_000, 3);
    const progress: number[] = [];
    const put = await remote.upload(source, '/pub/put.bin', { onProgress: (p) => progress.push(p.bytes), progressIntervalMs: 0 });
    assert.equal(put.size, content.length);
    assert.equal(put.bytes, content.length);
    assert.equal(progress.at(-1), content.length);
    assert.deepEqual(fs.readFileSync(path.join(server.pub, 'put.bin')), content);

    const listed = await remote.list('/pub');
    const entry = listed.find((each) => each.name === 'put.bin');
    assert.ok(entry);
    assert.equal(entry.kind, EntryKind.FILE);
    assert.equal(entry.size, content.length);
    assert.equal(entry.mode, 0o644);
    assert.ok(!listed.some((each) => each.name.endsWith('.ferry-part')), 'no temporary file is left or listed');

    const target = path.join(local, 'got.bin');
    const got = await remote.download('/pub/put.bin', target);
    assert.equal(got.size, content.length);
    assert.deepEqual(fs.readFileSync(target), content);
    assert.ok(!fs.existsSync(path.join(local, '.got.bin.ferry-part')));
    assert.equal(fs.statSync(target).mode & 0o777, 0o644, 'the listed permission bits');
    const serverTime = Math.floor(fs.statSync(path.join(server.pub, 'put.bin')).mtimeMs / 1000);
    // The listing shows the minute (vsftpd) and says so; fetched right after it, the copy still gets the second (MDTM).
    assert.equal(entry.mtimeResolutionMs, 60_000);
    assert.equal(entry.mtimeMs, Math.floor(serverTime / 60) * 60_000);
    assert.equal(fs.statSync(target).mtimeMs, serverTime * 1000);

    // Without a listing at hand, MDTM gives the time to the second.
    await remote.rename('/pub/put.bin', '/pub/put-again.bin');
    const again = path.join(local, 'got-again.bin');
    await remote.download('/pub/put-again.bin', again);
    assert.deepEqual(fs.readFileSync(again), content);
    assert.equal(Math.floor(fs.statSync(again).mtimeMs / 1000), serverTime);

    const stat = await remote.stat('/pub/put-again.bin');
    assert.equal(stat.size, content.length);
    assert.equal(Math.floor(stat.mtimeMs / 1000), serverTime);
  });

  void it('an upload keeps the local mtime to the second: stat reads it back with MDTM, a listing to its minute or day', async () => {
    const recent = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000 + 17_345;
    const old = Date.UTC(2024, 2, 1, 12, 0, 7, 250);
    for (const [name, mtimeMs, listedTo] of [['recent.txt', recent, 60_000], ['old.txt', old, 86_400_000]] as const) {
      const source = path.join(local, name);
      fs.writeFileSync(source, `${name}\n`);
      fs.utimesSync(source, new Date(mtimeMs), new Date(mtimeMs));
      await remote.upload(source, `/pub/${name}`);
      const second = Math.floor(mtimeMs / 1000) * 1000;
      assert.equal(Math.floor(fs.statSync(path.join(server.pub, name)).mtimeMs), second, `${name}: the server's file has the source's second`);
      const stat = await remote.stat(`/pub/${name}`);
      assert.deepEqual([stat.mtimeMs, stat.mtimeResolutionMs], [second, 1000], name);
      const listed = (await remote.list('/pub')).find((entry) => entry.name === name);
      assert.deepEqual([listed?.mtimeMs, listed?.mtimeResolutionMs], [Math.floor(mtimeMs / listedTo) * listedTo, listedTo], name);
      // fileTimes (what a sync asks where a listing is that coarse) gives the second, for many paths at once.
      assert.deepEqual(await remote.fileTimes!([`/pub/${name}`, '/pub/nothing-here']), [{ mtimeMs: second, mtimeResolutionMs: 1000 }, undefined]);
    }
    // Replaced: the new source's time.
    const source = path.join(local, 'recent.txt');
    fs.utimesSync(source, new Date(recent + 20_000), new Date(recent + 20_000));
    await remote.upload(source, '/pub/recent.txt', { overwrite: true });
    assert.equal((await remote.stat('/pub/recent.txt')).mtimeMs, Math.floor((recent + 20_000) / 1000) * 1000);
    assert.equal(remote.features.uploadMtime, true);
  });

  void it('asks a rate limit for every byte, both ways, small files too', async () => {
    for (const size of [5_000, 700_000]) {
      const content = patternBytes(size, 31);
      fs.writeFileSync(path.join(server.pub, `limited-${size}.bin`), content);
      // High enough never to wait here: only that each byte went through it is checked.
      const down = new CountingRateLimit(1024 ** 3);
      await remote.download(`/pub/limited-${size}.bin`, path.join(local, `limited-${size}.bin`), { rateLimit: down });
      assert.equal(down.taken, size);
      assert.deepEqual(fs.readFileSync(path.join(local, `limited-${size}.bin`)), content);
      const up = new CountingRateLimit(1024 ** 3);
      await remote.upload(path.join(local, `limited-${size}.bin`), `/pub/limited-up-${size}.bin`, { rateLimit: up });
      assert.equal(up.taken, size);
      assert.deepEqual(fs.readFileSync(path.join(server.pub, `limited-up-${size}.bin`)), content);
    }
  });

  void it('downloads a file that changed since it was listed, checked against its size now', async () => {
    fs.writeFileSync(path.join(server.pub, 'changing.txt'), 'short');
    assert.equal((await remote.list('/pub')).find((entry) => entry.name === 'changing.txt')?.size, 5);
    fs.writeFileSync(path.join(server.pub, 'changing.txt'), 'rather longer now');
    const target = path.join(local, 'changing.txt');
    const got = await remote.download('/pub/changing.txt', target);
    assert.equal(got.size, 17);
    assert.equal(fs.readFileSync(target, 'utf8'), 'rather longer now');

    assert.ok((await remote.list('/pub')).some((entry) => entry.name === 'changing.txt'));
    fs.rmSync(path.join(server.pub, 'changing.txt'));
    await assert.rejects(remote.download('/pub/changing.txt', path.join(local, 'gone.txt')), code(ErrorCode.NOT_FOUND));
    assert.ok(!fs.existsSync(path.join(local, '.gone.txt.ferry-part')));
  });

  void it('stops a small download whose file grew far past its listed size, leaving nothing', async () => {
    fs.writeFileSync(path.join(server.pub, 'grows.bin'), 'tiny');
    await remote.list('/pub');
    fs.writeFileSync(path.join(server.pub, 'grows.bin'), patternBytes(1_300_000, 9));
    const target = path.join(local, 'grows.bin');
    await assert.rejects(remote.download('/pub/grows.bin', target), code(ErrorCode.SIZE_MISMATCH));
    assert.ok(!fs.existsSync(target));
    assert.ok(!fs.existsSync(path.join(local, '.grows.bin.ferry-part')));
    // The connection it ran on was closed and left the pool; the next call gets a working one.
    await remote.download('/pub/grows.bin', target);
    assert.deepEqual(fs.readFileSync(target), patternBytes(1_300_000, 9));
  });

  void it('replaces an older temporary file only with checked bytes, and leaves it when the download fails', async () => {
    fs.writeFileSync(path.join(server.pub, 'small.txt'), 'the new content');
    await remote.list('/pub');
    const target = path.join(local, 'small.txt');
    const partial = path.join(local, '.small.txt.ferry-part');
    fs.writeFileSync(partial, 'an older, interrupted and rather longer download');
    await remote.download('/pub/small.txt', target);
    assert.equal(fs.readFileSync(target, 'utf8'), 'the new content');
    assert.ok(!fs.existsSync(partial));

    fs.writeFileSync(partial, 'kept');
    fs.rmSync(path.join(server.pub, 'small.txt'));
    await assert.rejects(remote.download('/pub/small.txt', path.join(local, 'small-again.txt')), code(ErrorCode.NOT_FOUND));
    await assert.rejects(remote.download('/pub/small.txt', target, { overwrite: true }), code(ErrorCode.NOT_FOUND));
    assert.equal(fs.readFileSync(partial, 'utf8'), 'kept');
    assert.equal(fs.readFileSync(target, 'utf8'), 'the new content');
    assert.ok(!fs.existsSync(path.join(local, '.small-again.txt.ferry-part')));
  });

  void it('refuses to replace files without overwrite, both ways', async () => {
    const source = path.join(local, 'conflict.txt');
    fs.writeFileSync(source, 'first');
    await remote.upload(source, '/pub/conflict.txt');
    fs.writeFileSync(source, 'second, longer');
    await assert.rejects(remote.upload(source, '/pub/conflict.txt'), code(ErrorCode.EXISTS));
    assert.equal(fs.readFileSync(path.join(server.pub, 'conflict.txt'), 'utf8'), 'first');
    await remote.upload(source, '/pub/conflict.txt', { overwrite: true });
    assert.equal(fs.readFileSync(path.join(server.pub, 'conflict.txt'), 'utf8'), 'second, longer');

    const target = path.join(local, 'conflict-local.txt');
    fs.writeFileSync(target, 'mine');
    await assert.rejects(remote.download('/pub/conflict.txt', target), code(ErrorCode.EXISTS));
    assert.equal(fs.readFileSync(target, 'utf8'), 'mine');
    await remote.download('/pub/conflict.txt', target, { overwrite: true });
    assert.equal(fs.readFileSync(target, 'utf8'), 'second, longer');
  });

  void it('makes, lists and removes folders', async () => {
    await remote.mkdir('/pub/made');
    await assert.rejects(remote.mkdir('/pub/made'), code(ErrorCode.EXISTS));
    await remote.mkdir('/pub/made', { parents: true });
    await remote.mkdir('/pub/deep/er/est', { parents: true });
    assert.ok(fs.statSync(path.join(server.pub, 'deep/er/est')).isDirectory());
    await assert.rejects(remote.mkdir('/pub/nowhere/child'), code(ErrorCode.NOT_FOUND));

    const source = path.join(local, 'inside.txt');
    fs.writeFileSync(source, 'inside');
    await remote.upload(source, '/pub/deep/er/inside.txt');
    const tree = await remote.list('/pub/deep', { recursive: true });
    assert.deepEqual(tree.map((entry) => entry.name).sort(), ['er', 'er/est', 'er/inside.txt']);

    await assert.rejects(remote.rmdir('/pub/deep'), code(ErrorCode.NOT_EMPTY));
    await assert.rejects(remote.rmdir('/pub/deep/er/inside.txt'), code(ErrorCode.NOT_A_DIRECTORY));
    await assert.rejects(remote.rmdir('/pub/absent'), code(ErrorCode.NOT_FOUND));
    await remote.rmdir('/pub/deep', { recursive: true });
    await remote.rmdir('/pub/made');
    assert.ok(!fs.existsSync(path.join(server.pub, 'deep')));
    assert.ok(!fs.existsSync(path.join(server.pub, 'made')));
  });

  void it('deletes files and says why it cannot', async () => {
    fs.writeFileSync(path.join(server.pub, 'gone.txt'), 'x');
    await remote.delete('/pub/gone.txt');
    assert.ok(!fs.existsSync(path.join(server.pub, 'gone.txt')));
    await assert.rejects(remote.delete('/pub/gone.txt'), code(ErrorCode.NOT_FOUND));
    await remote.mkdir('/pub/a-folder');
    await assert.rejects(remote.delete('/pub/a-folder'), code(ErrorCode.IS_A_DIRECTORY));
  });

  void it('renames, refusing an existing target unless told to replace it', async () => {
    fs.writeFileSync(path.join(server.pub, 'old.txt'), 'old');
    fs.writeFileSync(path.join(server.pub, 'other.txt'), 'other');
    await remote.rename('/pub/old.txt', '/pub/new.txt');
    assert.equal(fs.readFileSync(path.join(server.pub, 'new.txt'), 'utf8'), 'old');
    await assert.rejects(remote.rename('/pub/new.txt', '/pub/other.txt'), code(ErrorCode.EXISTS));
    assert.equal(fs.readFileSync(path.join(server.pub, 'other.txt'), 'utf8'), 'other');
    await remote.rename('/pub/new.txt', '/pub/other.txt', { overwrite: true });
    assert.equal(fs.readFileSync(path.join(server.pub, 'other.txt'), 'utf8'), 'old');
    await assert.rejects(remote.rename('/pub/missing.txt', '/pub/x.txt'), code(ErrorCode.NOT_FOUND));
  });

  void it('stats files and folders, and lists only folders', async () => {
    assert.equal((await remote.stat('/pub')).kind, EntryKind.DIRECTORY);
    assert.equal((await remote.stat('/')).kind, EntryKind.DIRECTORY);
    await assert.rejects(remote.stat('/pub/nothing-here'), code(ErrorCode.NOT_FOUND));
    await assert.rejects(remote.list('/pub/nothing-here'), code(ErrorCode.NOT_FOUND));
    await assert.rejects(remote.list('/locked/fixed.txt'), code(ErrorCode.NOT_A_DIRECTORY));
    await assert.rejects(remote.download('/pub/nothing-here', path.join(local, 'never')), code(ErrorCode.NOT_FOUND));
    await assert.rejects(remote.download('/pub', path.join(local, 'never')), code(ErrorCode.IS_A_DIRECTORY));
    assert.ok(!fs.existsSync(path.join(local, 'never')));
    assert.ok(!fs.existsSync(path.join(local, '.never.ferry-part')));
  });

  void it('reports permission errors as PERMISSION', async () => {
    const source = path.join(local, 'denied.txt');
    fs.writeFileSync(source, 'denied');
    await assert.rejects(remote.upload(source, '/locked/denied.txt'), code(ErrorCode.PERMISSION));
    await assert.rejects(remote.mkdir('/locked/sub'), code(ErrorCode.PERMISSION));
    await assert.rejects(remote.delete('/locked/fixed.txt'), code(ErrorCode.PERMISSION));
    await assert.rejects(remote.rename('/locked/fixed.txt', '/pub/stolen.txt'), code(ErrorCode.PERMISSION));
    await assert.rejects(remote.download('/secret.txt', path.join(local, 'secret.txt')), code(ErrorCode.PERMISSION));
    assert.ok(fs.existsSync(path.join(server.root, 'locked', 'fixed.txt')));
    await assert.rejects(remote.upload(source, '/no-such-folder/denied.txt'), code(ErrorCode.NOT_FOUND));
  });

  void it('has no chmod, find or checksums for an anonymous vsftpd login', async () => {
    await assert.rejects(remote.chmod('/pub', { clear: 0o7777, set: 0o700 }), code(ErrorCode.UNSUPPORTED));
    await assert.rejects(remote.find('/pub', { pattern: '*' }), code(ErrorCode.UNSUPPORTED));
    await assert.rejects(remote.checksums('/pub', ['put.bin']), code(ErrorCode.UNSUPPORTED));
  });

  void it('reads a file from an offset as a stream', async () => {
    const content = patternBytes(700_000, 9);
    fs.writeFileSync(path.join(server.pub, 'read.bin'), content);
    const stream = await remote.openRead('/pub/read.bin', { offset: 100_000 });
    assert.equal(stream.size, content.length);
    assert.equal(stream.offset, 100_000);
    const parts: Buffer[] = [];
    for (let chunk = await stream.read(); chunk; chunk = await stream.read()) parts.push(Buffer.from(chunk));
    assert.deepEqual(Buffer.concat(parts), content.subarray(100_000));

    const early = await remote.openRead('/pub/read.bin');
    assert.ok(await early.read());
    early.close();
    await assert.rejects(early.read(), code(ErrorCode.CANCELLED));
    // The pool is not held by the closed stream.
    assert.equal((await remote.stat('/pub/read.bin')).size, content.length);
  });

  void it('runs transfers in parallel on several connections, and outlives dropped ones', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `par-${i}.bin`);
    for (const [i, name] of names.entries()) fs.writeFileSync(path.join(server.pub, name), patternBytes(50_000 + i, i + 1));
    const folder = await makeTemp('ferry-ftp-par-');
    await Promise.all(names.map((name) => remote.download(`/pub/${name}`, path.join(folder, name))));
    for (const [i, name] of names.entries()) assert.deepEqual(fs.readFileSync(path.join(folder, name)), patternBytes(50_000 + i, i + 1));

    // Every connection of the pool is cut from the server's side: the next calls open fresh ones.
    server.cutSessions();
    const again = await makeTemp('ferry-ftp-par-again-');
    // Members that had not noticed the cut fail their first command; the call runs again on a fresh connection.
    await Promise.all(names.slice(0, 4).map((name) => remote.download(`/pub/${name}`, path.join(again, name))));
    assert.equal(fs.readdirSync(again).filter((name) => !name.endsWith('.ferry-part')).length, 4);
    assert.equal(remote.connected, true);
  });

  void it('logs in with a password, and can chmod there', async () => {
    const user = server.user!;
    fs.writeFileSync(path.join(user.home, 'mine.txt'), 'mine');
    fs.chownSync(path.join(user.home, 'mine.txt'), fs.statSync(user.home).uid, fs.statSync(user.home).gid);
    const asked: string[] = [];
    const session = await openRemote(parseRemoteUrl(`ftp://${user.name}@127.0.0.1:${server.port}/`), {
      askSecret: (prompt) => {
        asked.push(prompt);
        return Promise.resolve(user.password);
      },
    });
    try {
      assert.equal(asked.length, 1);
      assert.equal(session.description.user, user.name);
      assert.equal(session.features.chmod, true);
      assert.deepEqual((await session.list('/')).map((entry) => entry.name), ['mine.txt']);
      await session.chmod('/mine.txt', { clear: 0o7777, set: 0o600 });
      assert.equal(fs.statSync(path.join(user.home, 'mine.txt')).mode & 0o7777, 0o600);
      await session.chmod('/mine.txt', { clear: 0, set: 0o040 });
      assert.equal(fs.statSync(path.join(user.home, 'mine.txt')).mode & 0o7777, 0o640);
      const source = path.join(local, 'user-put.txt');
      fs.writeFileSync(source, 'from the user');
      await session.upload(source, '/user-put.txt');
      assert.equal(fs.readFileSync(path.join(user.home, 'user-put.txt'), 'utf8'), 'from the user');
    } finally {
      await session.quit();
    }
    assert.equal(session.connected, false);
  });

  void it('refuses a wrong password with AUTH', async () => {
    const user = server.user!;
    await assert.rejects(
      openRemote(parseRemoteUrl(`ftp://${user.name}:wrong@127.0.0.1:${server.port}/`)),
      code(ErrorCode.AUTH),
    );
    await assert.rejects(
      openRemote(parseRemoteUrl(`ftp://${user.name}@127.0.0.1:${server.port}/`)),
      code(ErrorCode.AUTH),
    );
  });
});

void describe('FTP kind against a vsftpd without MDTM', { skip }, () => {
  let server: PrivateVsftpd;
  let remote: Remote;

  before(async () => {
    server = await startVsftpd({ deniedCommands: ['MDTM'] });
    remote = await openRemote(parseRemoteUrl(`${server.origin}/pub`));
  });
  after(async () => {
    remote?.close();
    await server?.stop();
  });

  void it('uploads all the same when the server sets no times, keeping its own, and says so in features', async () => {
    const local = await makeTemp('ferry-ftp-no-mdtm-');
    const source = path.join(local, 'kept.txt');
    fs.writeFileSync(source, 'kept\n');
    const then = new Date(Date.UTC(2024, 2, 1, 12, 0, 7));
    fs.utimesSync(source, then, then);
    // vsftpd lists no MFMT: `MDTM time path` is the one way, and this server refuses MDTM.
    const put = await remote.upload(source, '/pub/kept.txt');
    assert.equal(put.size, 5);
    assert.equal(fs.readFileSync(path.join(server.pub, 'kept.txt'), 'utf8'), 'kept\n');
    assert.notEqual(Math.floor(fs.statSync(path.join(server.pub, 'kept.txt')).mtimeMs / 1000), then.getTime() / 1000, 'the time of the upload');
    assert.equal(remote.features.uploadMtime, false);
    // No second time for the next upload: nothing left to try, and the upload still lands.
    await remote.upload(source, '/pub/kept-again.txt');
    assert.equal(fs.readFileSync(path.join(server.pub, 'kept-again.txt'), 'utf8'), 'kept\n');
    // Without MDTM, no time finer than the listing's.
    assert.deepEqual(await remote.fileTimes!(['/pub/kept.txt']), [undefined]);
    assert.equal((await remote.stat('/pub/kept.txt')).mtimeResolutionMs, 60_000);
  });
});
