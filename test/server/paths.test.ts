import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ClientMessage } from '../../src/protocol/messages.js';
import { parseRemotePath } from '../../src/server/storage/paths.js';
import { startTestServer } from '../helpers/server.js';
import { codeOf, RawClient, sha256 } from './raw-client.js';

const BAD_PATHS = [
  '..', '../', '../x', 'a/..', 'a/../b', 'a/../../b', '/..', '/../etc/passwd', './a', 'a/.', 'a/./b', '.',
  'a//b', '//a', 'a/', 'a\\b', '..\\..\\x', 'a\u0000b', 'a\nb', 'a\u001fb', 'a\u007fb', 'a\tb',
  `${'n'.repeat(256)}`, `a/${'n'.repeat(256)}`, 'x/'.repeat(2100),
];

void test('parseRemotePath: root forms, components, and every refused form', () => {
  assert.deepEqual(parseRemotePath(''), []);
  assert.deepEqual(parseRemotePath('/'), []);
  assert.deepEqual(parseRemotePath('/a/b'), ['a', 'b']);
  assert.deepEqual(parseRemotePath('a/b'), ['a', 'b']);
  assert.deepEqual(parseRemotePath('..a/b..'), ['..a', 'b..']);
  assert.deepEqual(parseRemotePath('\ufeffcafé'), ['\ufeffcafé']);
  assert.deepEqual(parseRemotePath('n'.repeat(255)), ['n'.repeat(255)]);
  assert.deepEqual(parseRemotePath('.ferry-part/x.ferry-part/.a.ferry-part.txt'), ['.ferry-part', 'x.ferry-part', '.a.ferry-part.txt']);
  for (const reserved of ['.a.ferry-part', 'sub/.a.ferry-part', '.a.ferry-part/inner', '..ferry-part', `.${'0'.repeat(40)}.ferry-part`]) {
    assert.throws(() => parseRemotePath(reserved), (e: { code: number; message: string }) => e.code === ErrorCode.INVALID_PATH && /reserved/.test(e.message), reserved);
  }
  for (const bad of BAD_PATHS) {
    assert.throws(() => parseRemotePath(bad), (e: { code: number }) => e.code === ErrorCode.INVALID_PATH, JSON.stringify(bad));
  }
  assert.throws(() => parseRemotePath('abcdef', { maxPathLength: 5, maxNameLength: 255 }));
  assert.throws(() => parseRemotePath('abc/def', { maxPathLength: 4096, maxNameLength: 2 }));
});

void test('every path-taking request refuses escape attempts with INVALID_PATH', async () => {
  const srv = await startTestServer();
  try {
    const c = await RawClient.open(srv.port);
    let id = 10;
    for (const bad of BAD_PATHS) {
      const requests: ClientMessage[] = [
        { op: 'LIST', id: id++, path: bad, flags: 0 }, { op: 'STAT', id: id++, path: bad },
        { op: 'MKDR', id: id++, path: bad, flags: 1 }, { op: 'RMDR', id: id++, path: bad, flags: 1 },
        { op: 'DELF', id: id++, path: bad }, { op: 'MOVE', id: id++, from: bad, to: 'x', flags: 0 },
        { op: 'MOVE', id: id++, from: 'x', to: bad, flags: 0 },
        { op: 'UPLD', id: id++, path: bad, size: 1, mtimeMs: 0, mode: 0, flags: 1 },
        { op: 'DWLD', id: id++, path: bad, offset: 0, prefixHash: Buffer.alloc(0), window: 100 },
      ];
      for (const msg of requests) {
        assert.equal(codeOf(await c.request(msg)), ErrorCode.INVALID_PATH, `${msg.op} ${JSON.stringify(bad).slice(0, 60)}`);
      }
    }
    await c.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('symlinks leading outside the root are refused for files and folders; inside ones work', async () => {
  const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-outside-'));
  const srv = await startTestServer();
  try {
    await fs.writeFile(path.join(outside, 'secret.txt'), 'secret');
    await fs.mkdir(path.join(outside, 'dir'));
    await fs.writeFile(path.join(outside, 'dir/inner.txt'), 'inner');
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(srv.root, 'file-out'));
    await fs.symlink(outside, path.join(srv.root, 'dir-out'));
    await fs.symlink('../' + path.basename(outside), path.join(srv.root, 'relative-out'));
    await fs.mkdir(path.join(srv.root, 'real'));
    await fs.writeFile(path.join(srv.root, 'real/ok.txt'), 'ok');
    await fs.symlink('real', path.join(srv.root, 'dir-in'));
    await fs.symlink('real/ok.txt', path.join(srv.root, 'file-in'));
    const c = await RawClient.open(srv.port);

    const dl = await c.download('file-out');
    assert.ok('fail' in dl && dl.fail.code === ErrorCode.INVALID_PATH);
    for (const p of ['dir-out/secret.txt', 'dir-out/dir/inner.txt', 'relative-out/secret.txt']) {
      const got = await c.download(p);
      assert.ok('fail' in got && got.fail.code === ErrorCode.INVALID_PATH, p);
      assert.equal(codeOf(await c.request({ op: 'STAT', id: 3, path: p })), ErrorCode.INVALID_PATH, p);
      assert.equal(codeOf(await c.request({ op: 'DELF', id: 4, path: p })), ErrorCode.INVALID_PATH, p);
    }
    await assert.rejects(c.list('dir-out'), (e: { code: number }) => e.code === ErrorCode.INVALID_PATH);
    await assert.rejects(c.list('dir-out/dir'), (e: { code: number }) => e.code === ErrorCode.INVALID_PATH);
    assert.equal(codeOf(await c.request({ op: 'MKDR', id: 5, path: 'dir-out/new', flags: 0 })), ErrorCode.INVALID_PATH);
    assert.equal(codeOf(await c.request({ op: 'MKDR', id: 6, path: 'dir-out/new/deeper', flags: 1 })), ErrorCode.INVALID_PATH);
    assert.equal(codeOf(await c.request({ op: 'MOVE', id: 7, from: 'real/ok.txt', to: 'dir-out/stolen', flags: 0 })), ErrorCode.INVALID_PATH);
    assert.equal(codeOf(await c.request({ op: 'MOVE', id: 8, from: 'dir-out/secret.txt', to: 'mine', flags: 0 })), ErrorCode.INVALID_PATH);
    assert.equal(codeOf(await c.request({ op: 'RMDR', id: 9, path: 'dir-out/dir', flags: 1 })), ErrorCode.INVALID_PATH);
    const up = await c.upload('dir-out/planted.txt', Buffer.from('x'));
    assert.equal(codeOf(up), ErrorCode.INVALID_PATH);
    // Nothing outside changed.
    assert.deepEqual((await fs.readdir(outside)).sort(), ['dir', 'secret.txt']);
    assert.equal(await fs.readFile(path.join(outside, 'dir/inner.txt'), 'utf8'), 'inner');

    // The links themselves can be described and deleted; links inside the root are followed.
    assert.equal(codeOf(await c.request({ op: 'STAT', id: 10, path: 'file-out' })), 'STAT');
    const inside = await c.download('dir-in/ok.txt');
    assert.ok('content' in inside && inside.content.toString() === 'ok');
    const viaLink = await c.download('file-in');
    assert.ok('hash' in viaLink && viaLink.hash.equals(sha256(Buffer.from('ok'))));
    assert.deepEqual((await c.list('dir-in')).entries.map((e) => e.name), ['ok.txt']);
    assert.equal(codeOf(await c.request({ op: 'DELF', id: 11, path: 'file-out' })), 'DONE');
    assert.equal(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8'), 'secret');
    await c.quit();
  } finally {
    await srv.cleanup();
    await fs.rm(outside, { recursive: true, force: true });
  }
});

void test('a root that is itself a symlink is served through its real path', async () => {
  const real = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-realroot-'));
  const linkParent = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-linkroot-'));
  const linked = path.join(linkParent, 'root');
  await fs.symlink(real, linked);
  const srv = await startTestServer({ root: linked });
  try {
    await fs.writeFile(path.join(real, 'f'), 'data');
    const c = await RawClient.open(srv.port);
    const got = await c.download('f');
    assert.ok('content' in got && got.content.toString() === 'data');
    await c.quit();
  } finally {
    await srv.cleanup();
    await fs.rm(real, { recursive: true, force: true });
    await fs.rm(linkParent, { recursive: true, force: true });
  }
});
