import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { OFF_THREAD_HASH_BYTES } from '../../src/hashing/hash-worker.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { startTestServer } from '../helpers/server.js';
import { codeOf, RawClient, sha256, withServer } from './raw-client.js';

const EMPTY = Buffer.alloc(0);

const exists = (p: string): Promise<boolean> => fs.lstat(p).then(() => true, () => false);
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

void test('DWLD: OPEN with size, mtime and mode, DATA, then HASH of the whole file', () => withServer(async (srv, c) => {
  const content = randomBytes(300_000);
  await fs.writeFile(path.join(srv.root, 'f.bin'), content, { mode: 0o640 });
  await fs.utimes(path.join(srv.root, 'f.bin'), new Date(), new Date(1_700_000_000_000));
  const got = await c.download('/f.bin');
  assert.ok('content' in got);
  assert.ok(got.content.equals(content));
  assert.ok(got.hash.equals(sha256(content)));
  assert.equal(got.open.op, 'OPEN');
  if (got.open.op === 'OPEN') {
    assert.equal(got.open.size, content.length);
    assert.equal(got.open.offset, 0);
    assert.equal(got.open.mtimeMs, 1_700_000_000_000);
    assert.equal(got.open.mode, 0o640);
    assert.equal(got.open.window, 0);
    assert.equal(got.open.prefixHash.length, 0);
  }
  await fs.writeFile(path.join(srv.root, 'empty'), '');
  const empty = await c.download('empty');
  assert.ok('content' in empty && empty.content.length === 0 && empty.hash.equals(sha256(EMPTY)));
}));

void test('DWLD errors: missing, folder, offset beyond the end, prefix hash rules, wrong prefix', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'hello.txt'), 'hello\n');
  await fs.mkdir(path.join(srv.root, 'dir'));
  const fail = async (p: string, offset: number, prefixHash: Buffer): Promise<number | string> => {
    const got = await c.download(p, offset, prefixHash);
    return 'fail' in got ? got.fail.code : 'ok';
  };
  assert.equal(await fail('nope', 0, EMPTY), ErrorCode.NOT_FOUND);
  assert.equal(await fail('dir', 0, EMPTY), ErrorCode.IS_A_DIRECTORY);
  assert.equal(await fail('hello.txt', 7, sha256(Buffer.from('hello\nx'))), ErrorCode.SIZE_MISMATCH);
  assert.equal(await fail('hello.txt', 3, EMPTY), ErrorCode.BAD_FRAME);
  assert.equal(await fail('hello.txt', 0, sha256(EMPTY)), ErrorCode.BAD_FRAME);
  assert.equal(await fail('hello.txt', 3, sha256(Buffer.from('HEL'))), ErrorCode.HASH_MISMATCH);
}));

void test('DWLD resume: from an offset with the right prefix hash, the HASH covers the whole file', () => withServer(async (srv, c) => {
  const content = randomBytes(1_500_000);
  await fs.writeFile(path.join(srv.root, 'big'), content);
  const offset = 1_000_003;
  const got = await c.download('big', offset, sha256(content.subarray(0, offset)));
  assert.ok('content' in got);
  assert.ok(got.content.equals(content.subarray(offset)));
  assert.ok(got.hash.equals(sha256(content)));
  assert.equal(got.open.op === 'OPEN' && got.open.offset, offset);
  const atEnd = await c.download('big', content.length, sha256(content));
  assert.ok('content' in atEnd && atEnd.content.length === 0 && atEnd.hash.equals(sha256(content)));
}));

void test('DWLD sends no more content than its credit and DATA frames stay within maxFrame', () => withServer(async (srv, c) => {
  const content = randomBytes(400_000);
  await fs.writeFile(path.join(srv.root, 'f'), content);
  c.send({ op: 'DWLD', id: 7, path: 'f', offset: 0, prefixHash: EMPTY, window: 100_000 });
  assert.equal((await c.nextFor(7)).op, 'OPEN');
  let received = 0;
  const parts: Buffer[] = [];
  while (received < 100_000) {
    const msg = await c.nextFor(7);
    assert.equal(msg.op, 'DATA');
    if (msg.op !== 'DATA') return;
    assert.ok(msg.data.length <= 65536 - 16, `frame of ${msg.data.length} bytes`);
    assert.equal(msg.offset, received);
    received += msg.data.length;
    parts.push(Buffer.from(msg.data));
  }
  assert.equal(received, 100_000);
  // Without WIND nothing more comes, while other requests are still answered.
  assert.equal(codeOf(await c.request({ op: 'STAT', id: 8, path: 'f' })), 'STAT');
  await pause(100);
  await assert.rejects(c.next((m) => m.id === 7, 50));
  c.send({ op: 'WIND', id: 7, increment: 300_000 });
  for (;;) {
    const msg = await c.nextFor(7);
    if (msg.op === 'HASH') {
      assert.ok(Buffer.from(msg.hash).equals(sha256(content)));
      break;
    }
    assert.equal(msg.op, 'DATA');
    if (msg.op === 'DATA') parts.push(Buffer.from(msg.data));
  }
  assert.ok(Buffer.concat(parts).equals(content));
}, { limits: { maxFrame: 65536 } }));

void test('UPLD: content lands under the final name with mtime and mode; no temporary file remains', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'up'));
  const content = randomBytes(2_000_000);
  const done = await c.upload('up/file.bin', content, 0, { mtimeMs: 1_600_000_000_000, mode: 0o600 });
  assert.equal(codeOf(done), 'DONE');
  const target = path.join(srv.root, 'up/file.bin');
  assert.ok((await fs.readFile(target)).equals(content));
  const stats = await fs.stat(target);
  assert.equal(stats.mode & 0o777, 0o600);
  assert.equal(Math.round(stats.mtimeMs), 1_600_000_000_000);
  assert.deepEqual(await fs.readdir(path.join(srv.root, 'up')), ['file.bin']);
  assert.equal(codeOf(await c.upload('empty', EMPTY)), 'DONE');
  assert.equal((await fs.readFile(path.join(srv.root, 'empty'))).length, 0);
}));

void test('UPLD of a small file in several DATA frames: hashed across all of them', () => withServer(async (srv, c) => {
  const content = randomBytes(10_000);
  const send = async (id: number, name: string, hash: Buffer): Promise<ServerMessage> => {
    c.send({ op: 'UPLD', id, path: name, size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
    assert.equal((await c.nextFor(id)).op, 'OPEN');
    for (let at = 0; at < content.length; at += 3000) c.send({ op: 'DATA', id, offset: at, data: content.subarray(at, at + 3000) });
    c.send({ op: 'HASH', id, hash });
    return c.next((m) => m.id === id && m.op !== 'WIND');
  };
  assert.equal(codeOf(await send(50, 'pieces.bin', sha256(content))), 'DONE');
  assert.ok((await fs.readFile(path.join(srv.root, 'pieces.bin'))).equals(content));
  // A hash of the last piece alone is not the file's.
  assert.equal(codeOf(await send(51, 'wrong.bin', sha256(content.subarray(9000)))), ErrorCode.HASH_MISMATCH);
  assert.equal(await exists(path.join(srv.root, 'wrong.bin')), false);
}));

// ferryd hashes a large upload on its worker or on its main thread, by the machine's cores
// (src/server/upload.ts); the environment forces each path here in turn.
for (const [forced, where] of [['1', 'on the worker'], ['0', 'on the main thread']] as const) {
  void test(`UPLD of a large file (hashed ${where}): right content commits, a wrong hash or a short body leaves nothing`, async () => {
    const before = process.env.FERRYD_UPLOAD_HASH_WORKER;
    process.env.FERRYD_UPLOAD_HASH_WORKER = forced;
    try {
      await withServer(async (srv, c) => {
        const content = randomBytes(OFF_THREAD_HASH_BYTES + 123_457);
        assert.equal(codeOf(await c.upload('big.bin', content)), 'DONE');
        assert.ok((await fs.readFile(path.join(srv.root, 'big.bin'))).equals(content));

        c.send({ op: 'UPLD', id: 40, path: 'wrong.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
        const open = await c.nextFor(40);
        assert.ok(open.op === 'OPEN');
        await c.sendContent(40, content, 0, open.window);
        const tampered = Buffer.from(content);
        tampered[0] = (tampered[0] ?? 0) ^ 1;
        c.send({ op: 'HASH', id: 40, hash: sha256(tampered) });
        assert.equal(codeOf(await c.next((m) => m.id === 40 && m.op !== 'WIND')), ErrorCode.HASH_MISMATCH);

        c.send({ op: 'UPLD', id: 41, path: 'short.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
        const shortOpen = await c.nextFor(41);
        assert.ok(shortOpen.op === 'OPEN');
        await c.sendContent(41, content.subarray(0, content.length - 1), 0, shortOpen.window);
        c.send({ op: 'HASH', id: 41, hash: sha256(content) });
        assert.equal(codeOf(await c.next((m) => m.id === 41 && m.op !== 'WIND')), ErrorCode.SIZE_MISMATCH);

        assert.deepEqual((await fs.readdir(srv.root)).sort(), ['big.bin']);
        // The session goes on: the next large upload still hashes right.
        assert.equal(codeOf(await c.upload('again.bin', content)), 'DONE');
        assert.ok((await fs.readFile(path.join(srv.root, 'again.bin'))).equals(content));
      });
    } finally {
      if (before === undefined) delete process.env.FERRYD_UPLOAD_HASH_WORKER;
      else process.env.FERRYD_UPLOAD_HASH_WORKER = before;
    }
  });
}

void test('UPLD errors: EXISTS, overwrite, folder, missing parent, root', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'old'), 'old');
  await fs.mkdir(path.join(srv.root, 'dir'));
  assert.equal(codeOf(await c.upload('old', Buffer.from('new'))), ErrorCode.EXISTS);
  assert.equal(await fs.readFile(path.join(srv.root, 'old'), 'utf8'), 'old');
  assert.equal(codeOf(await c.upload('old', Buffer.from('new'), 1)), 'DONE');
  assert.equal(await fs.readFile(path.join(srv.root, 'old'), 'utf8'), 'new');
  assert.equal(codeOf(await c.upload('dir', Buffer.from('x'), 1)), ErrorCode.IS_A_DIRECTORY);
  assert.equal(codeOf(await c.upload('missing/x', Buffer.from('x'))), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await c.upload('/', Buffer.from('x'), 1)), ErrorCode.IS_A_DIRECTORY);
}));

void test('UPLD with a wrong hash or a short body fails, deletes the temporary file and writes no final file', () => withServer(async (srv, c) => {
  const content = Buffer.from('the real content');
  // Wrong hash.
  c.send({ op: 'UPLD', id: 5, path: 'h.txt', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
  const open = await c.nextFor(5);
  assert.equal(open.op, 'OPEN');
  c.send({ op: 'DATA', id: 5, offset: 0, data: content });
  c.send({ op: 'HASH', id: 5, hash: sha256(Buffer.from('something else')) });
  assert.equal(codeOf(await c.next((m) => m.id === 5 && m.op !== 'WIND')), ErrorCode.HASH_MISMATCH);
  // HASH before all the bytes.
  c.send({ op: 'UPLD', id: 6, path: 's.txt', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
  assert.equal((await c.nextFor(6)).op, 'OPEN');
  c.send({ op: 'DATA', id: 6, offset: 0, data: content.subarray(0, 4) });
  c.send({ op: 'HASH', id: 6, hash: sha256(content) });
  assert.equal(codeOf(await c.next((m) => m.id === 6 && m.op !== 'WIND')), ErrorCode.SIZE_MISMATCH);
  // DATA beyond the declared size: SIZE_MISMATCH at once.
  c.send({ op: 'UPLD', id: 7, path: 'b.txt', size: 3, mtimeMs: 0, mode: 0, flags: 0 });
  assert.equal((await c.nextFor(7)).op, 'OPEN');
  c.send({ op: 'DATA', id: 7, offset: 0, data: content });
  assert.equal(codeOf(await c.next((m) => m.id === 7 && m.op !== 'WIND')), ErrorCode.SIZE_MISMATCH);
  // DATA at the wrong offset: BAD_FRAME for the request.
  c.send({ op: 'UPLD', id: 8, path: 'o.txt', size: 10, mtimeMs: 0, mode: 0, flags: 0 });
  assert.equal((await c.nextFor(8)).op, 'OPEN');
  c.send({ op: 'DATA', id: 8, offset: 5, data: Buffer.from('abcde') });
  assert.equal(codeOf(await c.next((m) => m.id === 8 && m.op !== 'WIND')), ErrorCode.BAD_FRAME);
  await pause(50);
  assert.deepEqual(await fs.readdir(srv.root), []);
}));

void test('UPLD beyond the credit window is BAD_FRAME', () => withServer(async (srv, c) => {
  c.send({ op: 'UPLD', id: 5, path: 'x', size: 10_000, mtimeMs: 0, mode: 0, flags: 0 });
  const open = await c.nextFor(5);
  assert.equal(open.op === 'OPEN' && open.window, 4096);
  c.send({ op: 'DATA', id: 5, offset: 0, data: Buffer.alloc(5000) });
  assert.equal(codeOf(await c.next((m) => m.id === 5 && m.op !== 'WIND')), ErrorCode.BAD_FRAME);
  await pause(50);
  assert.deepEqual(await fs.readdir(srv.root), []);
}, { limits: { uploadWindow: 4096 } }));

void test('UPLD grants WIND as it writes, so a file much larger than the window gets through', () => withServer(async (srv, c) => {
  const content = randomBytes(1_000_000);
  assert.equal(codeOf(await c.upload('w.bin', content)), 'DONE');
  assert.ok((await fs.readFile(path.join(srv.root, 'w.bin'))).equals(content));
}, { limits: { uploadWindow: 65536 } }));

void test('UPLD resume: an interrupted upload leaves its temporary file, which a later UPLD continues', async () => {
  const srv = await startTestServer();
  try {
    const content = randomBytes(700_000);
    const first = await RawClient.open(srv.port);
    first.send({ op: 'UPLD', id: 5, path: 'r.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 2 });
    const open = await first.nextFor(5);
    assert.ok(open.op === 'OPEN' && open.offset === 0 && open.prefixHash.length === 0);
    const part = 300_000;
    first.send({ op: 'DATA', id: 5, offset: 0, data: content.subarray(0, part) });
    // Wait until the server has written it (its WINDs add up), then drop the connection.
    let granted = 0;
    while (granted < part) {
      const msg = await first.nextFor(5);
      if (msg.op === 'WIND') granted += msg.increment;
    }
    first.destroy();
    await pause(100);
    const temp = path.join(srv.root, '.r.bin.ferry-part');
    assert.equal((await fs.stat(temp)).size, part);
    assert.equal(await exists(path.join(srv.root, 'r.bin')), false);

    const second = await RawClient.open(srv.port);
    second.send({ op: 'UPLD', id: 6, path: 'r.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 2 });
    const reopened = await second.nextFor(6);
    assert.equal(reopened.op, 'OPEN');
    if (reopened.op !== 'OPEN') return;
    assert.equal(reopened.offset, part);
    assert.ok(Buffer.from(reopened.prefixHash).equals(sha256(content.subarray(0, part))));
    await second.sendContent(6, content, reopened.offset, reopened.window);
    second.send({ op: 'HASH', id: 6, hash: sha256(content) });
    assert.equal(codeOf(await second.next((m) => m.id === 6 && m.op !== 'WIND')), 'DONE');
    assert.ok((await fs.readFile(path.join(srv.root, 'r.bin'))).equals(content));
    assert.equal(await exists(temp), false);

    // Without the resume flag an existing temporary file is started over.
    await fs.writeFile(path.join(srv.root, '.n.bin.ferry-part'), 'stale');
    second.send({ op: 'UPLD', id: 7, path: 'n.bin', size: 3, mtimeMs: 0, mode: 0, flags: 0 });
    const fresh = await second.nextFor(7);
    assert.ok(fresh.op === 'OPEN' && fresh.offset === 0);
    second.send({ op: 'CANC', id: 7 });
    assert.equal(codeOf(await second.next((m) => m.id === 7 && m.op !== 'WIND')), ErrorCode.CANCELLED);
    await second.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('a second upload to the same path from another session gets BUSY until the first ends', async () => {
  const srv = await startTestServer();
  try {
    const a = await RawClient.open(srv.port);
    const b = await RawClient.open(srv.port);
    a.send({ op: 'UPLD', id: 5, path: 'same', size: 10, mtimeMs: 0, mode: 0, flags: 0 });
    assert.equal((await a.nextFor(5)).op, 'OPEN');
    assert.equal(codeOf(await b.request({ op: 'UPLD', id: 5, path: 'same', size: 3, mtimeMs: 0, mode: 0, flags: 1 })), ErrorCode.BUSY);
    assert.equal(codeOf(await b.request({ op: 'UPLD', id: 6, path: '/same', size: 3, mtimeMs: 0, mode: 0, flags: 1 })), ErrorCode.BUSY);
    a.send({ op: 'CANC', id: 5 });
    assert.equal(codeOf(await a.nextFor(5)), ErrorCode.CANCELLED);
    assert.equal(await exists(path.join(srv.root, '.same.ferry-part')), false);
    assert.equal(codeOf(await b.upload('same', Buffer.from('abc'), 1)), 'DONE');
    await a.quit();
    await b.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('CANC ends a download with CANCELLED (or its HASH) and the session carries on', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'f'), randomBytes(200_000));
  c.send({ op: 'DWLD', id: 5, path: 'f', offset: 0, prefixHash: EMPTY, window: 1000 });
  assert.equal((await c.nextFor(5)).op, 'OPEN');
  c.send({ op: 'CANC', id: 5 });
  const end = await c.next((m) => m.id === 5 && m.op !== 'DATA');
  assert.equal(codeOf(end), ErrorCode.CANCELLED);
  // CANC for an id not in flight is ignored; DATA/WIND/HASH for unknown ids too.
  c.send({ op: 'CANC', id: 99 });
  c.send({ op: 'WIND', id: 98, increment: 5 });
  c.send({ op: 'DATA', id: 97, offset: 0, data: Buffer.from('x') });
  c.send({ op: 'HASH', id: 96, hash: sha256(EMPTY) });
  assert.equal(codeOf(await c.request({ op: 'STAT', id: 6, path: 'f' })), 'STAT');
}));

void test('DATA or HASH for a request that receives none is BAD_FRAME for that request', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'f'), 'abc');
  c.send({ op: 'DWLD', id: 5, path: 'f', offset: 0, prefixHash: EMPTY, window: 0 });
  assert.equal((await c.nextFor(5)).op, 'OPEN');
  c.send({ op: 'DATA', id: 5, offset: 0, data: Buffer.from('x') });
  assert.equal(codeOf(await c.nextFor(5)), ErrorCode.BAD_FRAME);
  c.send({ op: 'DWLD', id: 6, path: 'f', offset: 0, prefixHash: EMPTY, window: 0 });
  assert.equal((await c.nextFor(6)).op, 'OPEN');
  c.send({ op: 'HASH', id: 6, hash: sha256(EMPTY) });
  assert.equal(codeOf(await c.nextFor(6)), ErrorCode.BAD_FRAME);
}));

void test('a LIST is answered while a large download is running', () => withServer(async (srv, c) => {
  const size = 48 * 1024 * 1024;
  const handle = await fs.open(path.join(srv.root, 'large.bin'), 'w');
  await handle.truncate(size);
  await handle.close();
  await fs.writeFile(path.join(srv.root, 'small.txt'), 'x');
  c.send({ op: 'DWLD', id: 5, path: 'large.bin', offset: 0, prefixHash: EMPTY, window: size });
  assert.equal((await c.nextFor(5)).op, 'OPEN');
  assert.equal((await c.nextFor(5)).op, 'DATA');
  c.send({ op: 'LIST', id: 6, path: '', flags: 0 });
  let listedAt = -1;
  let downloadEndedAt = -1;
  let order = 0;
  let bytes = 0;
  while (listedAt < 0 || downloadEndedAt < 0) {
    const msg = await c.next((m) => m.id === 5 || m.id === 6);
    order++;
    if (msg.op === 'ENTS') listedAt = order;
    else if (msg.op === 'HASH') downloadEndedAt = order;
    else if (msg.op === 'DATA') bytes += msg.data.length;
    else assert.fail(`unexpected ${JSON.stringify(msg).slice(0, 200)}`);
  }
  assert.ok(listedAt < downloadEndedAt, `LIST answered at frame ${listedAt}, download ended at ${downloadEndedAt}`);
  assert.ok(bytes > 0);
}));

void test('concurrent sessions upload and download at once, every hash matches', async () => {
  const srv = await startTestServer();
  try {
    const files = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const content = randomBytes(200_000 + i * 5000);
      await fs.writeFile(path.join(srv.root, `d${i}`), content);
      return content;
    }));
    await Promise.all(files.map(async (content, i) => {
      const c = await RawClient.open(srv.port);
      const up = randomBytes(150_000 + i);
      const [down, uploaded] = await Promise.all([c.download(`d${i}`), c.upload(`u${i}`, up)]);
      assert.ok('content' in down && down.content.equals(content));
      assert.equal(codeOf(uploaded), 'DONE');
      assert.ok((await fs.readFile(path.join(srv.root, `u${i}`))).equals(up));
      await c.quit();
    }));
  } finally {
    await srv.cleanup();
  }
});

void test('QUIT with an upload in flight keeps its temporary file for a resume', () => withServer(async (srv, c) => {
  c.send({ op: 'UPLD', id: 5, path: 'q', size: 10, mtimeMs: 0, mode: 0, flags: 0 });
  assert.equal((await c.nextFor(5)).op, 'OPEN');
  c.send({ op: 'DATA', id: 5, offset: 0, data: Buffer.from('abcd') });
  await c.nextFor(5); // WIND: written
  c.send({ op: 'QUIT', id: 6 });
  assert.equal(codeOf(await c.nextFor(6)), 'DONE');
  await c.closed;
  await pause(50);
  assert.equal(await fs.readFile(path.join(srv.root, '.q.ferry-part'), 'utf8'), 'abcd');
  assert.equal(await exists(path.join(srv.root, 'q')), false);
}));

void test('a large download (hashed off the main thread) and a resumed one carry the right SHA-256', () => withServer(async (srv, c) => {
  const content = randomBytes(10 * 1024 * 1024 + 12345);
  await fs.writeFile(path.join(srv.root, 'ten.bin'), content);
  const [whole, again] = await Promise.all([c.download('ten.bin'), c.download('ten.bin')]);
  for (const got of [whole, again]) {
    assert.ok('content' in got);
    assert.ok(got.content.equals(content));
    assert.ok(got.hash.equals(sha256(content)));
  }
  const resumed = await c.download('ten.bin', 5_000_000, sha256(content.subarray(0, 5_000_000)));
  assert.ok('content' in resumed && resumed.hash.equals(sha256(content)));
  assert.ok(resumed.content.equals(content.subarray(5_000_000)));
}));
