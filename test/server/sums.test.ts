/**
 * SUMS (docs/PROTOCOL.md §6, Checksums): ferryd hashes named files inside the
 * jail and answers one hash? per name; malformed or escaping names fail the
 * request; the hashing takes turns at the same gate as prefix hashes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { MAX_SUMS_NAMES } from '../../src/protocol/messages.js';
import { prefixVerifications } from '../../src/server/storage/work-gate.js';
import { codeOf, RawClient, sha256, withServer } from './raw-client.js';
import { tempFolder, removeTempFolder } from '../helpers/temp-folders.js';

async function ask(c: RawClient, folder: string, names: string[]) {
  const id = c.id();
  c.send({ op: 'SUMS', id, path: folder, names });
  return c.nextFor(id, 60_000);
}

void test('SUMS answers the SHA-256 of each named file, and an empty hash where a name is not a regular file', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'site', 'img'), { recursive: true });
  const logo = randomBytes(300_000);
  await fs.writeFile(path.join(srv.root, 'site', 'index.html'), 'hello\n');
  await fs.writeFile(path.join(srv.root, 'site', 'img', 'logo.png'), logo);
  await fs.writeFile(path.join(srv.root, 'site', 'empty'), '');
  await fs.symlink('index.html', path.join(srv.root, 'site', 'link'));
  const reply = await ask(c, 'site', ['index.html', 'img/logo.png', 'missing', 'img', 'empty', 'index.html/x', 'link']);
  assert.equal(reply.op, 'SUMS');
  if (reply.op !== 'SUMS') return;
  const hex = reply.hashes.map((hash) => Buffer.from(hash).toString('hex'));
  assert.deepEqual(hex, [
    sha256(Buffer.from('hello\n')).toString('hex'),
    sha256(logo).toString('hex'),
    '', '',
    sha256(Buffer.alloc(0)).toString('hex'),
    '',
    // A final symlink inside the root is followed, as by DWLD.
    sha256(Buffer.from('hello\n')).toString('hex'),
  ]);
  const none = await ask(c, '', []);
  assert.deepEqual(none, { op: 'SUMS', id: none.id, hashes: [] });
}));

void test('SUMS refuses names that leave the folder or the root, reserved names, and too many names', () => withServer(async (srv, c) => {
  const outside = await tempFolder('ferry-test-outside-');
  try {
    await fs.writeFile(path.join(outside, 'secret'), 'secret');
    await fs.mkdir(path.join(srv.root, 'd'));
    await fs.writeFile(path.join(srv.root, 'd', 'f'), 'f');
    await fs.symlink(outside, path.join(srv.root, 'd', 'out'));
    for (const names of [['../d/f'], ['a/../f'], [''], ['/etc/passwd/..'], ['out/secret'], ['.f.ferry-part'], ['a\\b']]) {
      assert.equal(codeOf(await ask(c, 'd', names)), ErrorCode.INVALID_PATH, JSON.stringify(names));
    }
    assert.equal(codeOf(await ask(c, 'nope', ['f'])), ErrorCode.NOT_FOUND);
    assert.equal(codeOf(await ask(c, 'd/f', ['x'])), ErrorCode.NOT_A_DIRECTORY);
    assert.equal(codeOf(await ask(c, 'd', Array.from({ length: MAX_SUMS_NAMES + 1 }, () => 'f'))), ErrorCode.BAD_FRAME);
    const most = await ask(c, 'd', Array.from({ length: MAX_SUMS_NAMES }, () => 'f'));
    assert.equal(most.op === 'SUMS' && most.hashes.length, MAX_SUMS_NAMES);
  } finally {
    await removeTempFolder(outside);
  }
}));

void test('SUMS hashing takes turns at the prefix-hash gate: at most two files at once in the process', () => withServer(async (srv, c) => {
  const names: string[] = [];
  for (let i = 0; i < 6; i++) {
    await fs.writeFile(path.join(srv.root, `big${i}.bin`), randomBytes(4 * 1024 * 1024));
    names.push(`big${i}.bin`);
  }
  const others = await Promise.all([RawClient.open(srv.port), RawClient.open(srv.port)]);
  prefixVerifications.peak = 0;
  const ids = [c, ...others].map((client) => {
    const id = client.id();
    client.send({ op: 'SUMS', id, path: '', names });
    return { client, id };
  });
  for (const { client, id } of ids) assert.equal(codeOf(await client.nextFor(id, 120_000)), 'SUMS');
  assert.ok(prefixVerifications.peak >= 1 && prefixVerifications.peak <= 2, `peak ${prefixVerifications.peak}`);
  for (const other of others) await other.quit();
}));

void test('CANC ends a SUMS with CANCELLED', () => withServer(async (srv, c) => {
  for (let i = 0; i < 8; i++) await fs.writeFile(path.join(srv.root, `f${i}`), randomBytes(8 * 1024 * 1024));
  const id = c.id();
  c.send({ op: 'SUMS', id, path: '', names: Array.from({ length: 8 }, (_, i) => `f${i}`) });
  c.send({ op: 'CANC', id });
  const reply = await c.nextFor(id, 60_000);
  // A request that finished before the CANC arrived ends normally (§6, Cancel).
  assert.ok(codeOf(reply) === ErrorCode.CANCELLED || codeOf(reply) === 'SUMS', String(codeOf(reply)));
}));
