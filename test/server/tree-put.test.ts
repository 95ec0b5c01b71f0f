/**
 * TPUT on the wire (docs/PROTOCOL.md §6, "Tree upload"): items written and
 * checked like UPLDs, committed in batches, DONE only once all are final;
 * failures commit what was checked before them and never leave a partial or
 * unchecked file under a final name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { EntryKind, type Entry, type ServerMessage } from '../../src/protocol/messages.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient, sha256, withServer } from './raw-client.js';

const folder = (name: string): Item => ({ entry: { name, kind: EntryKind.DIRECTORY, size: 0, mtimeMs: 0, mode: 0 } });
type Item = { entry: Entry; content?: Buffer; hash?: Buffer };

const file = (name: string, size: number, mtimeMs = 0, mode = 0): Entry => ({ name, kind: EntryKind.FILE, size, mtimeMs, mode });

/** TPUT: waits for OPEN, sends the items within credit, then DONE (unless `done` is false); returns the final frame. */
async function put(c: RawClient, top: string, items: Item[], options: { flags?: number; done?: boolean } = {}): Promise<ServerMessage> {
  const id = c.id();
  c.send({ op: 'TPUT', id, path: top, flags: options.flags ?? 0 });
  const open = await c.nextFor(id);
  if (open.op !== 'OPEN') return open;
  assert.equal(open.offset, 0);
  assert.ok(open.window > 0);
  for (const item of items) {
    c.send({ op: 'FILE', id, entry: item.entry });
    if (item.entry.kind !== EntryKind.FILE) continue;
    const content = item.content ?? Buffer.alloc(0);
    for (let at = 0; at < content.length; at += 256 * 1024) {
      c.send({ op: 'DATA', id, offset: at, data: content.subarray(at, Math.min(content.length, at + 256 * 1024)) });
    }
    c.send({ op: 'HASH', id, hash: item.hash ?? sha256(content) });
  }
  if (options.done !== false) c.send({ op: 'DONE', id });
  return c.next((msg) => msg.id === id && (msg.op === 'DONE' || msg.op === 'FAIL'));
}

const read = (p: string): Promise<Buffer | undefined> => fs.readFile(p).catch(() => undefined);

async function tempFilesBelow(root: string): Promise<string[]> {
  const names = await fs.readdir(root, { recursive: true });
  return names.map(String).filter((name) => name.endsWith('.ferry-part'));
}

void test('TPUT creates folders and files with their content, mtime and mode, and answers DONE once all are final', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'up'));
  const big = randomBytes(3 * 1024 * 1024 + 11);
  const small = randomBytes(5000);
  const final = await put(c, 'up', [
    folder('a'), folder('a/b/c'), folder('empty'),
    { entry: file('top.txt', 4, 1_600_000_000_000, 0o640), content: Buffer.from('top\n') },
    { entry: file('a/zero', 0) },
    { entry: file('a/b/small.bin', small.length), content: small },
    { entry: file('a/b/c/big.bin', big.length, 0, 0o600), content: big },
  ]);
  assert.equal(final.op, 'DONE');
  const up = path.join(srv.root, 'up');
  assert.equal((await read(path.join(up, 'top.txt')))?.toString(), 'top\n');
  assert.equal((await read(path.join(up, 'a', 'zero')))?.length, 0);
  assert.ok((await read(path.join(up, 'a', 'b', 'small.bin')))?.equals(small));
  assert.ok((await read(path.join(up, 'a', 'b', 'c', 'big.bin')))?.equals(big));
  assert.ok((await fs.stat(path.join(up, 'empty'))).isDirectory());
  const top = await fs.stat(path.join(up, 'top.txt'));
  assert.equal(top.mtimeMs, 1_600_000_000_000);
  assert.equal(top.mode & 0o777, 0o640);
  assert.equal((await fs.stat(path.join(up, 'a', 'b', 'c', 'big.bin'))).mode & 0o777, 0o600);
  assert.deepEqual(await tempFilesBelow(srv.root), []);
}));

void test('more files than one batch: all committed', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'many'));
  const items: Item[] = [folder('d')];
  for (let i = 0; i < 1100; i++) items.push({ entry: file(`d/f${i}`, 3), content: Buffer.from(String(i % 1000).padStart(3, '0')) });
  assert.equal((await put(c, 'many', items)).op, 'DONE');
  const names = await fs.readdir(path.join(srv.root, 'many', 'd'));
  assert.equal(names.length, 1100);
  assert.equal((await read(path.join(srv.root, 'many', 'd', 'f1099')))?.toString(), '099');
}));

void test('a refused file ends the tree with its code; files checked before it are committed, it leaves nothing', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 't'));
  await fs.writeFile(path.join(srv.root, 't', 'taken'), 'mine');
  const exists = await put(c, 't', [
    { entry: file('first', 5), content: Buffer.from('first') },
    { entry: file('taken', 5), content: Buffer.from('other') },
    { entry: file('never', 5), content: Buffer.from('never') },
  ]);
  assert.ok(exists.op === 'FAIL' && exists.code === ErrorCode.EXISTS, JSON.stringify(exists));
  assert.equal((await read(path.join(srv.root, 't', 'first')))?.toString(), 'first');
  assert.equal((await read(path.join(srv.root, 't', 'taken')))?.toString(), 'mine');
  assert.equal(await read(path.join(srv.root, 't', 'never')), undefined);

  const badHash = await put(c, 't', [
    { entry: file('second', 6), content: Buffer.from('second') },
    { entry: file('wrong', 5), content: Buffer.from('wrong'), hash: sha256(Buffer.from('right')) },
  ]);
  assert.ok(badHash.op === 'FAIL' && badHash.code === ErrorCode.HASH_MISMATCH);
  assert.equal((await read(path.join(srv.root, 't', 'second')))?.toString(), 'second');
  assert.equal(await read(path.join(srv.root, 't', 'wrong')), undefined);

  const short = await put(c, 't', [{ entry: file('short', 10), content: Buffer.from('12345') }]);
  assert.ok(short.op === 'FAIL' && short.code === ErrorCode.SIZE_MISMATCH);
  const long = await put(c, 't', [{ entry: file('long', 2), content: Buffer.from('12345') }]);
  assert.ok(long.op === 'FAIL' && long.code === ErrorCode.SIZE_MISMATCH);
  assert.equal(await read(path.join(srv.root, 't', 'short')), undefined);
  assert.equal(await read(path.join(srv.root, 't', 'long')), undefined);
  assert.deepEqual(await tempFilesBelow(srv.root), []);

  const replaced = await put(c, 't', [{ entry: file('taken', 5), content: Buffer.from('yours') }], { flags: 1 });
  assert.equal(replaced.op, 'DONE');
  assert.equal((await read(path.join(srv.root, 't', 'taken')))?.toString(), 'yours');
}));

void test('names must stay below the tree: escapes, absolute names and symlinks leading out are INVALID_PATH', () => withServer(async (srv, c) => {
  const outside = await fs.mkdtemp(path.join(path.dirname(srv.root), 'ferry-outside-'));
  try {
    await fs.mkdir(path.join(srv.root, 't'));
    await fs.symlink(outside, path.join(srv.root, 't', 'link'));
    for (const name of ['../x', 'a/../../x', '/abs', 'a//b', '.', 'link/x', 'a\\b', '.x.ferry-part', 'd/.y.ferry-part']) {
      const final = await put(c, 't', [{ entry: file(name, 1), content: Buffer.from('x') }]);
      assert.ok(final.op === 'FAIL' && final.code === ErrorCode.INVALID_PATH, `${name}: ${JSON.stringify(final)}`);
    }
    const linkedFolder = await put(c, 't', [folder('link/sub')]);
    assert.ok(linkedFolder.op === 'FAIL' && linkedFolder.code === ErrorCode.INVALID_PATH);
    assert.deepEqual(await fs.readdir(outside), []);
    assert.deepEqual(await fs.readdir(path.join(srv.root, 't')), ['link']);
  } finally {
    await fs.rm(outside, { recursive: true, force: true });
  }
}));

void test('protocol rules: other kinds, FILE inside a file, DATA past the credit are BAD_FRAME; the folder must exist', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 't'));
  await fs.writeFile(path.join(srv.root, 'plain.txt'), 'x');
  const link = await put(c, 't', [{ entry: { name: 'l', kind: EntryKind.SYMLINK, size: 0, mtimeMs: 0, mode: 0 } }]);
  assert.ok(link.op === 'FAIL' && link.code === ErrorCode.BAD_FRAME);

  const id = c.id();
  c.send({ op: 'TPUT', id, path: 't', flags: 0 });
  const open = await c.nextFor(id);
  assert.equal(open.op, 'OPEN');
  c.send({ op: 'FILE', id, entry: file('a', 10) });
  c.send({ op: 'FILE', id, entry: file('b', 10) });
  const nested = await c.next((msg) => msg.id === id && msg.op === 'FAIL');
  assert.ok(nested.op === 'FAIL' && nested.code === ErrorCode.BAD_FRAME);

  const missing = await put(c, 'nope', []);
  assert.ok(missing.op === 'FAIL' && missing.code === ErrorCode.NOT_FOUND);
  const notFolder = await put(c, 'plain.txt', []);
  assert.ok(notFolder.op === 'FAIL' && notFolder.code === ErrorCode.NOT_A_DIRECTORY);
  assert.deepEqual(await fs.readdir(path.join(srv.root, 't')), []);
}));

void test('DATA beyond the credit the OPEN granted is BAD_FRAME', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 't'));
  const id = c.id();
  c.send({ op: 'TPUT', id, path: 't', flags: 0 });
  const granted = await c.nextFor(id);
  assert.ok(granted.op === 'OPEN' && granted.window === 65536);
  c.send({ op: 'FILE', id, entry: file('huge', 1 << 20) });
  c.send({ op: 'DATA', id, offset: 0, data: Buffer.alloc(granted.window + 1) });
  const credit = await c.next((msg) => msg.id === id && msg.op === 'FAIL');
  assert.ok(credit.op === 'FAIL' && credit.code === ErrorCode.BAD_FRAME, JSON.stringify(credit));
  assert.deepEqual(await fs.readdir(path.join(srv.root, 't')), []);
}, { limits: { uploadWindow: 65536 } }));

void test('a read-only session may not TPUT', () => withServer(async (srv, c) => {
  const final = await put(c, '', [{ entry: file('x', 1), content: Buffer.from('x') }]);
  assert.ok(final.op === 'FAIL' && final.code === ErrorCode.PERMISSION);
  assert.equal(await read(path.join(srv.root, 'x')), undefined);
}, { readOnly: true }));

/**
 * Opens a TPUT into t/ and sends one file, `whole` ('whole'), through its HASH:
 * the checked file an unfinished tree must still commit. Returns the TPUT's id.
 */
async function startTreeWithCheckedFile(c: RawClient): Promise<number> {
  const id = c.id();
  c.send({ op: 'TPUT', id, path: 't', flags: 0 });
  assert.equal((await c.nextFor(id)).op, 'OPEN');
  c.send({ op: 'FILE', id, entry: file('whole', 5) });
  c.send({ op: 'DATA', id, offset: 0, data: Buffer.from('whole') });
  c.send({ op: 'HASH', id, hash: sha256(Buffer.from('whole')) });
  return id;
}

void test('CANC: FAIL CANCELLED after committing the checked files; the file in progress leaves nothing', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 't'));
  const id = await startTreeWithCheckedFile(c);
  c.send({ op: 'FILE', id, entry: file('half', 10) });
  c.send({ op: 'DATA', id, offset: 0, data: Buffer.from('half.') });
  c.send({ op: 'CANC', id });
  const final = await c.next((msg) => msg.id === id && (msg.op === 'FAIL' || msg.op === 'DONE'));
  assert.ok(final.op === 'FAIL' && final.code === ErrorCode.CANCELLED);
  assert.equal((await read(path.join(srv.root, 't', 'whole')))?.toString(), 'whole');
  assert.equal(await read(path.join(srv.root, 't', 'half')), undefined);
  assert.deepEqual(await tempFilesBelow(srv.root), []);
}));

void test('a connection lost mid-tree: checked files committed, the one in progress stays resumable', async () => {
  const srv = await startTestServer();
  try {
    await fs.mkdir(path.join(srv.root, 't'));
    const c = await RawClient.open(srv.port);
    const id = await startTreeWithCheckedFile(c);
    const content = randomBytes(400_000);
    c.send({ op: 'FILE', id, entry: file('part.bin', content.length) });
    c.send({ op: 'DATA', id, offset: 0, data: content.subarray(0, 100_000) });
    // The server has the first part once it is in the temporary file (a tree grants credit in batches).
    const temp = path.join(srv.root, 't', '.part.bin.ferry-part');
    for (let i = 0; i < 500 && ((await fs.stat(temp).catch(() => undefined))?.size ?? 0) < 100_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    c.socket.destroy();
    const whole = path.join(srv.root, 't', 'whole');
    for (let i = 0; i < 200 && (await read(whole)) === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal((await read(whole))?.toString(), 'whole');
    assert.equal(await read(path.join(srv.root, 't', 'part.bin')), undefined);
    // The interrupted file resumes from where it stopped with an UPLD.
    const again = await RawClient.open(srv.port);
    const upload = again.id();
    again.send({ op: 'UPLD', id: upload, path: 't/part.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 2 });
    const open = await again.nextFor(upload);
    assert.ok(open.op === 'OPEN' && open.offset === 100_000, JSON.stringify(open));
    await again.sendContent(upload, content, open.offset, open.window);
    again.send({ op: 'HASH', id: upload, hash: sha256(content) });
    assert.equal((await again.next((msg) => msg.id === upload && msg.op !== 'WIND')).op, 'DONE');
    assert.ok((await read(path.join(srv.root, 't', 'part.bin')))?.equals(content));
    await again.quit();
  } finally {
    await srv.cleanup();
  }
});
