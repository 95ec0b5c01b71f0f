import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startTestServer } from '../helpers/server.js';
import { codeOf, RawClient, withServer } from './raw-client.js';

void test('STAT describes files, folders, symlinks (not followed) and the root', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'a.txt'), 'abc');
  await fs.chmod(path.join(srv.root, 'a.txt'), 0o640);
  await fs.symlink('/etc/passwd', path.join(srv.root, 'out'));
  const file = await c.request({ op: 'STAT', id: 2, path: '/a.txt' });
  assert.equal(file.op, 'STAT');
  if (file.op === 'STAT') assert.deepEqual({ ...file.entry, mtimeMs: 0 }, { name: 'a.txt', kind: 0, size: 3, mtimeMs: 0, mode: 0o640 });
  const link = await c.request({ op: 'STAT', id: 3, path: 'out' });
  assert.equal(link.op === 'STAT' && link.entry.kind, 2);
  const root = await c.request({ op: 'STAT', id: 4, path: '' });
  assert.equal(root.op === 'STAT' && root.entry.kind, 1);
  assert.equal(root.op === 'STAT' && root.entry.name, '');
  assert.equal(codeOf(await c.request({ op: 'STAT', id: 5, path: 'missing' })), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await c.request({ op: 'STAT', id: 6, path: 'a.txt/x' })), ErrorCode.NOT_A_DIRECTORY);
}));

void test('LIST recursive names entries by relative path and does not follow symlinks', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'd/e'), { recursive: true });
  await fs.writeFile(path.join(srv.root, 'd/e/f.txt'), 'x');
  await fs.writeFile(path.join(srv.root, 'top.txt'), 'y');
  await fs.symlink('d', path.join(srv.root, 'loop'));
  const { entries } = await c.list('/', 1);
  assert.deepEqual(entries.map((e) => `${e.name}:${e.kind}`).sort(), ['d/e/f.txt:0', 'd/e:1', 'd:1', 'loop:2', 'top.txt:0']);
  const sub = await c.list('d', 1);
  assert.deepEqual(sub.entries.map((e) => e.name).sort(), ['e', 'e/f.txt']);
  await fs.writeFile(path.join(srv.root, 'plain'), '');
  await assert.rejects(c.list('plain'), (e: { code: number }) => e.code === ErrorCode.NOT_A_DIRECTORY);
}));

void test('MKDR: plain, parents, exists, missing parent, root', () => withServer(async (srv, c) => {
  assert.equal(codeOf(await c.request({ op: 'MKDR', id: 2, path: 'one', flags: 0 })), 'DONE');
  assert.equal((await fs.stat(path.join(srv.root, 'one'))).isDirectory(), true);
  assert.equal(codeOf(await c.request({ op: 'MKDR', id: 3, path: 'one', flags: 0 })), ErrorCode.EXISTS);
  assert.equal(codeOf(await c.request({ op: 'MKDR', id: 4, path: 'x/y/z', flags: 0 })), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await c.request({ op: 'MKDR', id: 5, path: 'x/y/z', flags: 1 })), 'DONE');
  assert.equal(codeOf(await c.request({ op: 'MKDR', id: 6, path: 'x/y/z', flags: 1 })), 'DONE');
  assert.equal((await fs.stat(path.join(srv.root, 'x/y/z'))).isDirectory(), true);
  await fs.writeFile(path.join(srv.root, 'file'), '');
  assert.equal(codeOf(await c.request({ op: 'MKDR', id: 7, path: 'file/sub', flags: 1 })), ErrorCode.NOT_A_DIRECTORY);
  assert.equal(codeOf(await c.request({ op: 'MKDR', id: 8, path: '', flags: 0 })), ErrorCode.EXISTS);
  assert.equal(codeOf(await c.request({ op: 'MKDR', id: 9, path: '/', flags: 1 })), 'DONE');
}));

void test('RMDR: empty, NOT_EMPTY, recursive, not a folder, root', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'empty'));
  await fs.mkdir(path.join(srv.root, 'full/deep'), { recursive: true });
  await fs.writeFile(path.join(srv.root, 'full/deep/f'), 'x');
  await fs.writeFile(path.join(srv.root, 'file'), 'x');
  assert.equal(codeOf(await c.request({ op: 'RMDR', id: 2, path: 'empty', flags: 0 })), 'DONE');
  assert.equal(codeOf(await c.request({ op: 'RMDR', id: 3, path: 'full', flags: 0 })), ErrorCode.NOT_EMPTY);
  assert.equal(codeOf(await c.request({ op: 'RMDR', id: 4, path: 'full', flags: 1 })), 'DONE');
  await assert.rejects(fs.stat(path.join(srv.root, 'full')));
  assert.equal(codeOf(await c.request({ op: 'RMDR', id: 5, path: 'file', flags: 0 })), ErrorCode.NOT_A_DIRECTORY);
  assert.equal(codeOf(await c.request({ op: 'RMDR', id: 6, path: 'gone', flags: 1 })), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await c.request({ op: 'RMDR', id: 7, path: '/', flags: 1 })), ErrorCode.PERMISSION);
}));

void test('DELF: file, symlink (not its target), folder, missing, root', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'f'), 'x');
  await fs.writeFile(path.join(srv.root, 'target'), 'keep');
  await fs.symlink('target', path.join(srv.root, 'link'));
  await fs.mkdir(path.join(srv.root, 'dir'));
  assert.equal(codeOf(await c.request({ op: 'DELF', id: 2, path: 'f' })), 'DONE');
  assert.equal(codeOf(await c.request({ op: 'DELF', id: 3, path: 'link' })), 'DONE');
  assert.equal(await fs.readFile(path.join(srv.root, 'target'), 'utf8'), 'keep');
  assert.equal(codeOf(await c.request({ op: 'DELF', id: 4, path: 'dir' })), ErrorCode.IS_A_DIRECTORY);
  assert.equal(codeOf(await c.request({ op: 'DELF', id: 5, path: 'f' })), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await c.request({ op: 'DELF', id: 6, path: '' })), ErrorCode.IS_A_DIRECTORY);
}));

void test('MOVE: rename, into a folder, EXISTS without overwrite, overwrite, missing source, root', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'a'), 'A');
  await fs.writeFile(path.join(srv.root, 'b'), 'B');
  await fs.mkdir(path.join(srv.root, 'dir'));
  assert.equal(codeOf(await c.request({ op: 'MOVE', id: 2, from: 'a', to: 'b', flags: 0 })), ErrorCode.EXISTS);
  assert.equal(codeOf(await c.request({ op: 'MOVE', id: 3, from: 'a', to: 'b', flags: 1 })), 'DONE');
  assert.equal(await fs.readFile(path.join(srv.root, 'b'), 'utf8'), 'A');
  assert.equal(codeOf(await c.request({ op: 'MOVE', id: 4, from: 'b', to: 'dir/c', flags: 0 })), 'DONE');
  assert.equal(await fs.readFile(path.join(srv.root, 'dir/c'), 'utf8'), 'A');
  assert.equal(codeOf(await c.request({ op: 'MOVE', id: 5, from: 'nope', to: 'x', flags: 0 })), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await c.request({ op: 'MOVE', id: 6, from: 'dir/c', to: 'missing/c', flags: 0 })), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await c.request({ op: 'MOVE', id: 7, from: '/', to: 'x', flags: 0 })), ErrorCode.INVALID_PATH);
  assert.equal(codeOf(await c.request({ op: 'MOVE', id: 8, from: 'dir', to: 'dir/inside', flags: 0 })), ErrorCode.INVALID_PATH);
}));

void test('read-only sessions get PERMISSION for every write and can still read', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'f'), 'x');
  await fs.mkdir(path.join(srv.root, 'd'));
  const writes = [
    { op: 'MKDR', id: 2, path: 'n', flags: 0 }, { op: 'RMDR', id: 3, path: 'd', flags: 0 }, { op: 'DELF', id: 4, path: 'f' },
    { op: 'MOVE', id: 5, from: 'f', to: 'g', flags: 0 },
    { op: 'UPLD', id: 6, path: 'u', size: 1, mtimeMs: 0, mode: 0, flags: 0 },
  ] as const;
  for (const msg of writes) assert.equal(codeOf(await c.request(msg)), ErrorCode.PERMISSION, msg.op);
  assert.equal((await c.list('')).entries.length, 2);
  const got = await c.download('f');
  assert.ok('content' in got && got.content.toString() === 'x');
  await assert.rejects(fs.stat(path.join(srv.root, 'n')));
}, { readOnly: true }));

void test('more than maxInFlight requests → BUSY for the new one', async () => {
  const srv = await startTestServer({ limits: { maxInFlight: 2 } });
  try {
    await fs.writeFile(path.join(srv.root, 'f'), Buffer.alloc(100));
    const c = await RawClient.open(srv.port);
    // Two downloads held at window 0 stay in flight.
    c.send({ op: 'DWLD', id: 2, path: 'f', offset: 0, prefixHash: Buffer.alloc(0), window: 0 });
    c.send({ op: 'DWLD', id: 3, path: 'f', offset: 0, prefixHash: Buffer.alloc(0), window: 0 });
    assert.equal((await c.nextFor(2)).op, 'OPEN');
    assert.equal((await c.nextFor(3)).op, 'OPEN');
    assert.equal(codeOf(await c.request({ op: 'STAT', id: 4, path: 'f' })), ErrorCode.BUSY);
    c.send({ op: 'CANC', id: 2 });
    assert.equal(codeOf(await c.nextFor(2)), ErrorCode.CANCELLED);
    assert.equal(codeOf(await c.request({ op: 'STAT', id: 4, path: 'f' })), 'STAT');
    await c.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('LIST names: plain ones are single components; recursive ones put every folder before its content', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'a/b/c'), { recursive: true });
  await fs.mkdir(path.join(srv.root, 'x/y'), { recursive: true });
  for (const file of ['a/1.txt', 'a/b/2.txt', 'a/b/c/3.txt', 'x/y/4.txt', 'top.txt']) await fs.writeFile(path.join(srv.root, file), file);
  await fs.symlink(path.join(srv.root, 'a'), path.join(srv.root, 'link-to-a'));
  const plain = (await c.list('a')).entries.map((e) => e.name).sort();
  assert.deepEqual(plain, ['1.txt', 'b']);
  const names = (await c.list('', 1)).entries.map((e) => e.name);
  assert.deepEqual([...names].sort(), ['a', 'a/1.txt', 'a/b', 'a/b/2.txt', 'a/b/c', 'a/b/c/3.txt', 'link-to-a', 'top.txt', 'x', 'x/y', 'x/y/4.txt']);
  for (const [index, name] of names.entries()) {
    const parent = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : undefined;
    if (parent !== undefined) assert.ok(names.indexOf(parent) < index, `${parent} is listed before ${name}: ${names.join(', ')}`);
  }
  assert.ok(!names.some((name) => name.startsWith('link-to-a/')), 'a symlinked folder is not entered');
}));

void test('MOVE onto what exists: EXISTS without overwrite; with it a file replaces a file, an empty folder is replaced by a folder, else the matching code', () => withServer(async (srv, c) => {
  const mk = async (relative: string, content?: string): Promise<void> => {
    if (content === undefined) await fs.mkdir(path.join(srv.root, relative), { recursive: true });
    else await fs.writeFile(path.join(srv.root, relative), content);
  };
  await mk('file.txt', 'f');
  await mk('other.txt', 'o');
  await mk('folder');
  await mk('empty');
  await mk('full');
  await mk('full/inside.txt', 'i');
  const move = (from: string, to: string, flags: number) => c.request({ op: 'MOVE', id: c.id(), from, to, flags });
  assert.equal(codeOf(await move('file.txt', 'folder', 0)), ErrorCode.EXISTS);
  assert.equal(codeOf(await move('file.txt', 'folder', 1)), ErrorCode.IS_A_DIRECTORY, 'a file onto a folder');
  assert.equal(codeOf(await move('folder', 'file.txt', 1)), ErrorCode.NOT_A_DIRECTORY, 'a folder onto a file');
  assert.equal(codeOf(await move('folder', 'full', 1)), ErrorCode.NOT_EMPTY, 'a folder onto a non-empty folder');
  assert.equal(codeOf(await move('folder', 'folder/sub', 0)), ErrorCode.INVALID_PATH, 'a folder into itself');
  assert.equal(codeOf(await move('folder', 'empty', 1)), 'DONE', 'a folder replaces an empty folder');
  assert.equal(codeOf(await move('file.txt', 'other.txt', 1)), 'DONE', 'a file replaces a file');
  assert.equal(await fs.readFile(path.join(srv.root, 'other.txt'), 'utf8'), 'f');
  assert.equal(codeOf(await move('other.txt', 'other.txt', 1)), 'DONE', 'onto itself: nothing changes');
  assert.equal(codeOf(await move('other.txt', 'missing/x', 1)), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await move('other.txt', 'full/inside.txt/x', 1)), ErrorCode.NOT_A_DIRECTORY);
}));

void test('UPLD and DWLD error codes', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'dir'));
  await fs.writeFile(path.join(srv.root, 'f.txt'), 'hello');
  const upload = (p: string, flags: number) => c.request({ op: 'UPLD', id: c.id(), path: p, size: 1, mtimeMs: 0, mode: 0, flags });
  assert.equal(codeOf(await upload('f.txt', 0)), ErrorCode.EXISTS);
  assert.equal(codeOf(await upload('dir', 1)), ErrorCode.IS_A_DIRECTORY);
  assert.equal(codeOf(await upload('', 1)), ErrorCode.IS_A_DIRECTORY);
  assert.equal(codeOf(await upload('missing/x', 0)), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await upload('f.txt/x', 0)), ErrorCode.NOT_A_DIRECTORY);
  const download = (p: string, offset = 0, prefixHash = Buffer.alloc(0)) => c.request({ op: 'DWLD', id: c.id(), path: p, offset, prefixHash, window: 1024 });
  assert.equal(codeOf(await download('missing')), ErrorCode.NOT_FOUND);
  assert.equal(codeOf(await download('dir')), ErrorCode.IS_A_DIRECTORY);
  assert.equal(codeOf(await download('f.txt', 6, Buffer.alloc(32))), ErrorCode.SIZE_MISMATCH);
  assert.equal(codeOf(await download('f.txt', 2, Buffer.alloc(32))), ErrorCode.HASH_MISMATCH);
  assert.equal(codeOf(await download('f.txt', 0, Buffer.alloc(32))), ErrorCode.BAD_FRAME);
  assert.equal(codeOf(await download('f.txt', 2)), ErrorCode.BAD_FRAME);
  execFileSync('mkfifo', [path.join(srv.root, 'pipe')]);
  assert.equal(codeOf(await download('pipe')), ErrorCode.UNSUPPORTED);
}));

void test('a request that reuses an id still in flight: the running request ends with one FAIL BAD_FRAME, the new one never starts', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'big.bin'), Buffer.alloc(1024 * 1024, 1));
  c.send({ op: 'DWLD', id: 5, path: 'big.bin', offset: 0, prefixHash: Buffer.alloc(0), window: 0 });
  assert.equal((await c.nextFor(5)).op, 'OPEN');
  const reused = await c.request({ op: 'STAT', id: 5, path: 'big.bin' });
  assert.ok(reused.op === 'FAIL' && reused.code === ErrorCode.BAD_FRAME && /reused/.test(reused.message), JSON.stringify(reused));
  // The id is free now: a new request with it is served, and nothing of the download follows.
  c.send({ op: 'WIND', id: 5, increment: 1024 * 1024 });
  assert.equal((await c.request({ op: 'STAT', id: 5, path: 'big.bin' })).op, 'STAT');

  // An upload ended this way is a failed one: its temporary file goes.
  c.send({ op: 'UPLD', id: 7, path: 'up.bin', size: 10, mtimeMs: 0, mode: 0, flags: 0 });
  assert.equal((await c.nextFor(7)).op, 'OPEN');
  assert.equal(codeOf(await c.request({ op: 'MKDR', id: 7, path: 'never', flags: 0 })), ErrorCode.BAD_FRAME);
  assert.equal(await fs.access(path.join(srv.root, 'never')).then(() => true, () => false), false, 'the second request did not run');
  assert.equal(await fs.access(path.join(srv.root, '.up.bin.ferry-part')).then(() => true, () => false), false);
}));
