/**
 * mtimes round-trip to the millisecond (docs/PROTOCOL.md: mtime is whole ms):
 * what UPLD and TPUT set is what the file system keeps and LIST reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { EntryKind } from '../../src/protocol/messages.js';
import { codeOf, withServer } from './raw-client.js';

/** The spec's vector value (test/client/mtime.test.ts has the same), neighbours whose ms a float of seconds loses, and the far ends. */
const MTIMES = [1700000000123, 1700000000001, 1234567890123, 1700000000999, 1, 999, 4102444800999];

/** The file's mtime as the file system keeps it (nanoseconds, no float), in whole ms. */
async function storedMs(file: string): Promise<number> {
  return Number((await fs.stat(file, { bigint: true })).mtimeNs / 1_000_000n);
}

void test('UPLD and TPUT store every ms of the mtime exactly, and LIST reports it', () => withServer(async (srv, c) => {
  for (const [i, mtimeMs] of MTIMES.entries()) {
    assert.equal(codeOf(await c.upload(`u${i}`, Buffer.from('x'), 0, { mtimeMs })), 'DONE');
    assert.equal(await storedMs(path.join(srv.root, `u${i}`)), mtimeMs, `UPLD ${mtimeMs}`);
  }
  const id = c.id();
  c.send({ op: 'TPUT', id, path: '/', flags: 0 });
  assert.equal((await c.nextFor(id)).op, 'OPEN');
  for (const [i, mtimeMs] of MTIMES.entries()) {
    c.send({ op: 'FILE', id, entry: { name: `t${i}`, kind: EntryKind.FILE, size: 0, mtimeMs, mode: 0 } });
    c.send({ op: 'HASH', id, hash: Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex') });
  }
  c.send({ op: 'DONE', id });
  assert.equal((await c.next((m) => m.id === id && (m.op === 'DONE' || m.op === 'FAIL'))).op, 'DONE');
  const listed = new Map((await c.list('/')).entries.map((entry) => [entry.name, entry.mtimeMs]));
  for (const [i, mtimeMs] of MTIMES.entries()) {
    assert.equal(await storedMs(path.join(srv.root, `t${i}`)), mtimeMs, `TPUT ${mtimeMs}`);
    assert.equal(listed.get(`u${i}`), mtimeMs);
    assert.equal(listed.get(`t${i}`), mtimeMs);
  }
}));
