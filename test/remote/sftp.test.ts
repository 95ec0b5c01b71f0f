/**
 * The SFTP kind against a real, private OpenSSH sshd (test/helpers/sshd.ts):
 * listing, single-file transfers both ways, resume after a cut connection,
 * cancel, conflicts, permission errors and the folder operations.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, isFerryError } from '../../src/protocol/errors.js';
import { EntryKind } from '../../src/protocol/messages.js';
import { openRemote } from '../../src/remote/open-remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import type { Remote } from '../../src/remote/remote.js';
import { CountingRateLimit } from '../helpers/counting-rate-limit.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';

const makeTemp = tempFolderMaker();

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function connect(server: Sshd): Promise<Remote> {
  return openRemote(parseRemoteUrl(`sftp://${server.user}@127.0.0.1:${server.port}/`), {
    identityFile: server.clientKey, env: server.clientEnv(),
  });
}

function expectCode(code: number) {
  return (error: unknown): boolean => {
    assert.ok(isFerryError(error, code), `expected code ${code}, got ${String(error)}`);
    return true;
  };
}

void describe('SFTP kind against a private sshd', { skip: skipUnlessInstalled('sshd') }, () => {
  let server: Sshd;
  let remote: Remote;
  let local: string;

  before(async () => {
    server = await startSshd();
    await server.trustHostKey();
    remote = await connect(server);
    local = await makeTemp('ferry-sftp-local-');
  });

  after(async () => {
    await remote?.quit();
    await server?.stop();
  });

  void test('describes the session: sftp, encrypted, checked by size, with the host key fingerprint', () => {
    assert.equal(remote.description.kind, 'sftp');
    assert.equal(remote.description.verification, 'size');
    assert.equal(remote.description.user, server.user);
    assert.match(remote.description.fingerprint ?? '', /^SHA256:/);
    assert.equal(remote.features.checksums, false);
    assert.equal(remote.connected, true);
  });

  void test('lists a folder with kinds, sizes, modes and symlink targets when asked', async () => {
    const folder = path.join(server.root, 'listing');
    await fs.mkdir(path.join(folder, 'sub'), { recursive: true });
    await fs.writeFile(path.join(folder, 'a.txt'), 'hello');
    await fs.chmod(path.join(folder, 'a.txt'), 0o640);
    await fs.symlink('a.txt', path.join(folder, 'link'));
    await fs.writeFile(path.join(folder, 'sub', 'deep.txt'), 'x');
    const entries = await remote.list(folder, { linkTargets: true });
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    assert.deepEqual([...byName.keys()].sort(), ['a.txt', 'link', 'sub']);
    // OpenSSH answers opendir of a file with NO_SUCH_FILE: still a file, not a missing path.
    await assert.rejects(remote.list(path.join(folder, 'a.txt')), expectCode(ErrorCode.NOT_A_DIRECTORY));
    await assert.rejects(remote.list(path.join(folder, 'missing')), expectCode(ErrorCode.NOT_FOUND));
    assert.equal(byName.get('a.txt')!.kind, EntryKind.FILE);
    assert.equal(byName.get('a.txt')!.size, 5);
    assert.equal(byName.get('a.txt')!.mode, 0o640);
    assert.equal(byName.get('sub')!.kind, EntryKind.DIRECTORY);
    assert.equal(byName.get('link')!.kind, EntryKind.SYMLINK);
    assert.equal(byName.get('link')!.linkTarget, 'a.txt');
    const plain = await remote.list(folder);
    assert.equal(plain.find((entry) => entry.name === 'link')!.linkTarget, undefined);
    const recursive = await remote.list(folder, { recursive: true });
    assert.ok(recursive.some((entry) => entry.name === 'sub/deep.txt'));
    await assert.rejects(remote.list(path.join(server.root, 'nothing-here')), expectCode(ErrorCode.NOT_FOUND));
  });

  void test('stat says NOT_FOUND for a missing path', async () => {
    await assert.rejects(remote.stat(path.join(server.root, 'missing')), expectCode(ErrorCode.NOT_FOUND));
    const entry = await remote.stat(server.root);
    assert.equal(entry.kind, EntryKind.DIRECTORY);
  });

  void test('downloads a file larger than the pipeline window, byte for byte, with its mtime', async () => {
    const content = randomBytes(5 * 1024 * 1024 + 123);
    const source = path.join(server.root, 'big.bin');
    await fs.writeFile(source, content);
    const when = new Date('2021-05-06T07:08:09Z');
    await fs.utimes(source, when, when);
    const target = path.join(local, 'big.bin');
    const seen: number[] = [];
    const result = await remote.download(source, target, { onProgress: (p) => seen.push(p.bytes), progressIntervalMs: 0 });
    assert.equal(result.size, content.length);
    assert.equal(result.bytes, content.length);
    assert.equal(result.resumedFrom, 0);
    assert.equal(sha256(await fs.readFile(target)), sha256(content));
    assert.equal((await fs.stat(target)).mtimeMs, when.getTime());
    assert.equal(seen.at(-1), content.length);
    assert.ok(!existsSync(path.join(local, '.big.bin.ferry-part')));
  });

  void test('uploads a file through a temporary name and renames it into place', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 7);
    const source = path.join(local, 'up.bin');
    await fs.writeFile(source, content);
    await fs.chmod(source, 0o644);
    const target = path.join(server.root, 'up.bin');
    const result = await remote.upload(source, target);
    assert.equal(result.size, content.length);
    assert.equal(sha256(await fs.readFile(target)), sha256(content));
    assert.equal((await fs.stat(target)).mode & 0o777, 0o644);
    assert.ok(!existsSync(path.join(server.root, '.up.bin.ferry-part')));
  });

  void test('a rate limit is asked for every byte, both ways', async () => {
    const content = randomBytes(700_000);
    await fs.writeFile(path.join(server.root, 'limited.bin'), content);
    // High enough never to wait here: only that each byte went through it is checked.
    const down = new CountingRateLimit(1024 ** 3);
    await remote.download(path.join(server.root, 'limited.bin'), path.join(local, 'limited.bin'), { rateLimit: down });
    assert.equal(down.taken, content.length);
    const up = new CountingRateLimit(1024 ** 3);
    await remote.upload(path.join(local, 'limited.bin'), path.join(server.root, 'limited-up.bin'), { rateLimit: up });
    assert.equal(up.taken, content.length);
    assert.deepEqual(await fs.readFile(path.join(server.root, 'limited-up.bin')), content);
  });

  void test('an empty file goes both ways', async () => {
    await fs.writeFile(path.join(server.root, 'empty'), '');
    await remote.download(path.join(server.root, 'empty'), path.join(local, 'empty'));
    assert.equal((await fs.stat(path.join(local, 'empty'))).size, 0);
    await remote.upload(path.join(local, 'empty'), path.join(server.root, 'empty-again'));
    assert.equal((await fs.stat(path.join(server.root, 'empty-again'))).size, 0);
  });

  void test('an existing target is EXISTS without overwrite, replaced with it', async () => {
    await fs.writeFile(path.join(server.root, 'conflict.txt'), 'server');
    await fs.writeFile(path.join(local, 'conflict.txt'), 'local!');
    await assert.rejects(remote.download(path.join(server.root, 'conflict.txt'), path.join(local, 'conflict.txt')), expectCode(ErrorCode.EXISTS));
    await assert.rejects(remote.upload(path.join(local, 'conflict.txt'), path.join(server.root, 'conflict.txt')), expectCode(ErrorCode.EXISTS));
    assert.equal(await fs.readFile(path.join(server.root, 'conflict.txt'), 'utf8'), 'server');
    assert.equal(await fs.readFile(path.join(local, 'conflict.txt'), 'utf8'), 'local!');
    await remote.upload(path.join(local, 'conflict.txt'), path.join(server.root, 'conflict.txt'), { overwrite: true });
    assert.equal(await fs.readFile(path.join(server.root, 'conflict.txt'), 'utf8'), 'local!');
    await fs.writeFile(path.join(server.root, 'conflict.txt'), 'server again');
    await remote.download(path.join(server.root, 'conflict.txt'), path.join(local, 'conflict.txt'), { overwrite: true });
    assert.equal(await fs.readFile(path.join(local, 'conflict.txt'), 'utf8'), 'server again');
  });

  void test('a cancelled download rejects with CANCELLED and keeps its partial file, which resume continues', async () => {
    const content = randomBytes(8 * 1024 * 1024);
    const source = path.join(server.root, 'cancel.bin');
    await fs.writeFile(source, content);
    const target = path.join(local, 'cancel.bin');
    const controller = new AbortController();
    await assert.rejects(remote.download(source, target, {
      signal: controller.signal, progressIntervalMs: 0,
      onProgress: ({ bytes }) => {
        if (bytes >= 1024 * 1024) controller.abort();
      },
    }), expectCode(ErrorCode.CANCELLED));
    assert.ok(!existsSync(target));
    const partial = await fs.readFile(path.join(local, '.cancel.bin.ferry-part'));
    assert.ok(partial.length > 0 && partial.length < content.length);
    assert.ok(partial.equals(content.subarray(0, partial.length)), 'the partial file is a prefix of the source');
    const result = await remote.download(source, target, { resume: true });
    assert.equal(result.resumedFrom, partial.length);
    assert.equal(result.bytes, content.length - partial.length);
    assert.equal(sha256(await fs.readFile(target)), sha256(content));
  });

  void test('a cancelled upload leaves nothing under the final name, and resume continues its temporary file', async () => {
    const content = randomBytes(8 * 1024 * 1024);
    const source = path.join(local, 'cancel-up.bin');
    await fs.writeFile(source, content);
    const target = path.join(server.root, 'cancel-up.bin');
    const controller = new AbortController();
    await assert.rejects(remote.upload(source, target, {
      signal: controller.signal, progressIntervalMs: 0,
      onProgress: ({ bytes }) => {
        if (bytes >= 6 * 1024 * 1024) controller.abort();
      },
    }), expectCode(ErrorCode.CANCELLED));
    assert.ok(!existsSync(target));
    const held = (await fs.stat(path.join(server.root, '.cancel-up.bin.ferry-part'))).size;
    assert.ok(held > 0);
    const result = await remote.upload(source, target, { resume: true });
    assert.ok(result.resumedFrom > 0, `resumed from ${result.resumedFrom}`);
    assert.equal(sha256(await fs.readFile(target)), sha256(content));
    assert.ok(!existsSync(path.join(server.root, '.cancel-up.bin.ferry-part')));
  });

  void test('mkdir (with parents), rename (with and without overwrite), delete, rmdir (recursive)', async () => {
    const base = path.join(server.root, 'ops');
    await remote.mkdir(path.join(base, 'a', 'b'), { parents: true });
    assert.ok((await fs.stat(path.join(base, 'a', 'b'))).isDirectory());
    await remote.mkdir(path.join(base, 'a', 'b'), { parents: true });
    await assert.rejects(remote.mkdir(path.join(base, 'a')), expectCode(ErrorCode.EXISTS));
    await assert.rejects(remote.mkdir(path.join(base, 'x', 'y')), expectCode(ErrorCode.NOT_FOUND));

    await fs.writeFile(path.join(base, 'one'), '1');
    await fs.writeFile(path.join(base, 'two'), '2');
    await assert.rejects(remote.rename(path.join(base, 'one'), path.join(base, 'two')), expectCode(ErrorCode.EXISTS));
    assert.equal(await fs.readFile(path.join(base, 'two'), 'utf8'), '2');
    await remote.rename(path.join(base, 'one'), path.join(base, 'two'), { overwrite: true });
    assert.equal(await fs.readFile(path.join(base, 'two'), 'utf8'), '1');
    assert.ok(!existsSync(path.join(base, 'one')));
    await remote.rename(path.join(base, 'two'), path.join(base, 'three'));
    await assert.rejects(remote.rename(path.join(base, 'missing'), path.join(base, 'four')), expectCode(ErrorCode.NOT_FOUND));

    await remote.delete(path.join(base, 'three'));
    assert.ok(!existsSync(path.join(base, 'three')));
    await assert.rejects(remote.delete(path.join(base, 'three')), expectCode(ErrorCode.NOT_FOUND));
    await assert.rejects(remote.delete(path.join(base, 'a')), expectCode(ErrorCode.IS_A_DIRECTORY));

    await fs.writeFile(path.join(base, 'a', 'b', 'f'), 'f');
    await assert.rejects(remote.rmdir(path.join(base, 'a')), expectCode(ErrorCode.NOT_EMPTY));
    await remote.rmdir(path.join(base, 'a'), { recursive: true });
    assert.ok(!existsSync(path.join(base, 'a')));
  });

  void test('chmod changes modes, recursively, never through a symlink', async () => {
    const base = path.join(server.root, 'modes');
    await fs.mkdir(path.join(base, 'in'), { recursive: true });
    await fs.writeFile(path.join(base, 'in', 'f'), 'f');
    await fs.writeFile(path.join(server.root, 'outside'), 'o');
    await fs.chmod(path.join(server.root, 'outside'), 0o644);
    await fs.symlink(path.join(server.root, 'outside'), path.join(base, 'in', 'l'));
    await remote.chmod(path.join(base, 'in', 'f'), { clear: 0o777, set: 0o600 });
    assert.equal((await fs.stat(path.join(base, 'in', 'f'))).mode & 0o777, 0o600);
    await remote.chmod(base, { clear: 0, set: 0o070 }, { recursive: true });
    assert.equal((await fs.stat(path.join(base, 'in', 'f'))).mode & 0o777, 0o670);
    assert.equal((await fs.stat(path.join(server.root, 'outside'))).mode & 0o777, 0o644);
  });

  void test('openRead hands out the bytes in order from an offset', async () => {
    const content = randomBytes(700 * 1024 + 3);
    await fs.writeFile(path.join(server.root, 'view.bin'), content);
    const stream = await remote.openRead(path.join(server.root, 'view.bin'), { offset: 1000 });
    assert.equal(stream.size, content.length);
    const pieces: Buffer[] = [];
    for (let piece = await stream.read(); piece; piece = await stream.read()) pieces.push(Buffer.from(piece));
    assert.ok(Buffer.concat(pieces).equals(content.subarray(1000)));
    const early = await remote.openRead(path.join(server.root, 'view.bin'));
    assert.ok((await early.read())!.length > 0);
    early.close();
    await assert.rejects(early.read(), expectCode(ErrorCode.CANCELLED));
  });

  void test('quit tells onClose listeners without an error; a closed session rejects every call with CONNECTION_LOST', async () => {
    const quitting = await connect(server);
    const quitReasons: (Error | undefined)[] = [];
    quitting.onClose((reason) => quitReasons.push(reason));
    await quitting.quit();
    assert.deepEqual(quitReasons, [undefined]);
    assert.equal(quitting.connected, false);

    const closing = await connect(server);
    const reasons: (Error | undefined)[] = [];
    closing.onClose((reason) => reasons.push(reason));
    closing.close('done here');
    assert.equal(reasons.length, 1);
    assert.ok(isFerryError(reasons[0], ErrorCode.CONNECTION_LOST));
    await assert.rejects(closing.list('/'), expectCode(ErrorCode.CONNECTION_LOST));
    await assert.rejects(closing.download('/etc/hostname', path.join(local, 'never')), expectCode(ErrorCode.CONNECTION_LOST));
    await assert.rejects(closing.downloadTree('/etc', path.join(local, 'never-tree')), expectCode(ErrorCode.CONNECTION_LOST));
  });

  void test('find walks the tree and matches names, sizes and times as a ferryd would', async () => {
    const base = path.join(server.root, 'search');
    await fs.mkdir(path.join(base, 'a', 'b'), { recursive: true });
    await fs.writeFile(path.join(base, 'top.LOG'), 'x'.repeat(10));
    await fs.writeFile(path.join(base, 'a', 'one.log'), 'x'.repeat(100));
    await fs.writeFile(path.join(base, 'a', 'b', 'two.log'), 'x'.repeat(1000));
    await fs.writeFile(path.join(base, 'a', 'b', 'other.txt'), 'x');
    const old = new Date('2020-01-01T00:00:00Z');
    await fs.utimes(path.join(base, 'a', 'one.log'), old, old);
    const names = async (query: Parameters<Remote['find']>[1]): Promise<string[]> =>
      (await remote.find(base, query)).map((entry) => entry.name).sort();
    assert.deepEqual(await names({ pattern: '*.log' }), ['a/b/two.log', 'a/one.log']);
    assert.deepEqual(await names({ pattern: '*.log', ignoreCase: true }), ['a/b/two.log', 'a/one.log', 'top.LOG']);
    assert.deepEqual(await names({ pattern: '*.log', minSize: 50, maxSize: 500 }), ['a/one.log']);
    assert.deepEqual(await names({ pattern: '', minMtimeMs: old.getTime() + 1, minSize: 1, maxSize: 1 }), ['a/b/other.txt']);
    const batches: string[][] = [];
    await remote.find(base, { pattern: 't*' }, { onBatch: (batch) => batches.push(batch.map((entry) => entry.name)) });
    assert.deepEqual(batches.flat().sort(), ['a/b/two.log', 'top.LOG']);
    assert.equal(remote.features.find, true);
  });

  void test('checksums say UNSUPPORTED', async () => {
    await assert.rejects(remote.checksums('/', ['a']), expectCode(ErrorCode.UNSUPPORTED));
  });
});

void describe('SFTP transfers across a cut connection', { skip: skipUnlessInstalled('sshd') }, () => {
  let server: Sshd;
  let local: string;

  before(async () => {
    server = await startSshd();
    await server.trustHostKey();
    local = await makeTemp('ferry-sftp-cut-');
  });

  after(async () => {
    await server?.stop();
  });

  void test('a download cut off by the server keeps its partial file and resumes on a new connection', async () => {
    const content = randomBytes(16 * 1024 * 1024);
    const source = path.join(server.root, 'cut.bin');
    await fs.writeFile(source, content);
    const target = path.join(local, 'cut.bin');
    const first = await connect(server);
    const closed = new Promise<Error | undefined>((resolve) => first.onClose(resolve));
    let cut = false;
    await assert.rejects(first.download(source, target, {
      progressIntervalMs: 0,
      onProgress: ({ bytes }) => {
        if (!cut && bytes >= 2 * 1024 * 1024) {
          cut = true;
          server.cutSessions();
        }
      },
    }), expectCode(ErrorCode.CONNECTION_LOST));
    const reason = await closed;
    assert.ok(isFerryError(reason, ErrorCode.CONNECTION_LOST));
    assert.equal(first.connected, false);
    assert.ok(!existsSync(target), 'nothing under the final name');
    const partial = await fs.readFile(path.join(local, '.cut.bin.ferry-part'));
    assert.ok(partial.length >= 2 * 1024 * 1024 && partial.length < content.length);
    assert.ok(partial.equals(content.subarray(0, partial.length)));

    const second = await connect(server);
    try {
      const result = await second.download(source, target, { resume: true });
      assert.equal(result.resumedFrom, partial.length);
      assert.equal(sha256(await fs.readFile(target)), sha256(content));
    } finally {
      await second.quit();
    }
  });

  void test('an upload cut off by the server resumes its temporary file on a new connection', async () => {
    const content = randomBytes(16 * 1024 * 1024);
    const source = path.join(local, 'cut-up.bin');
    await fs.writeFile(source, content);
    const target = path.join(server.root, 'cut-up.bin');
    const first = await connect(server);
    let cut = false;
    await assert.rejects(first.upload(source, target, {
      progressIntervalMs: 0,
      onProgress: ({ bytes }) => {
        if (!cut && bytes >= 8 * 1024 * 1024) {
          cut = true;
          server.cutSessions();
        }
      },
    }), expectCode(ErrorCode.CONNECTION_LOST));
    assert.ok(!existsSync(target));
    const held = (await fs.stat(path.join(server.root, '.cut-up.bin.ferry-part'))).size;
    assert.ok(held > 0);
    const second = await connect(server);
    try {
      const result = await second.upload(source, target, { resume: true });
      assert.ok(result.resumedFrom > 0);
      assert.equal(sha256(await fs.readFile(target)), sha256(content));
    } finally {
      await second.quit();
    }
  });
});
