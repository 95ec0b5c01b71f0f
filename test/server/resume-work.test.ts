/**
 * A resumed download's prefix hash is work a client asks for with a few
 * bytes: many such requests at once take turns (two in the process, one per
 * session) instead of all hashing at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { prefixVerifications, WorkGate } from '../../src/server/storage/work-gate.js';
import { codeOf, RawClient, sha256, withServer } from './raw-client.js';

void test('many resumes at offset = size with a wrong prefix hash hash at most two at a time', () => withServer(async (srv, c) => {
  const content = randomBytes(8 * 1024 * 1024);
  await fs.writeFile(path.join(srv.root, 'big.bin'), content);
  const other = await RawClient.open(srv.port);
  prefixVerifications.peak = 0;
  const wrong = sha256(Buffer.from('not the prefix'));
  const ask = (client: RawClient): number => {
    const id = client.id();
    client.send({ op: 'DWLD', id, path: 'big.bin', offset: content.length, prefixHash: wrong, window: 1 << 20 });
    return id;
  };
  const mine = Array.from({ length: 12 }, () => ask(c));
  const theirs = Array.from({ length: 4 }, () => ask(other));
  for (const id of mine) assert.equal(codeOf(await c.nextFor(id, 120_000)), ErrorCode.HASH_MISMATCH);
  for (const id of theirs) assert.equal(codeOf(await other.nextFor(id, 120_000)), ErrorCode.HASH_MISMATCH);
  assert.ok(prefixVerifications.peak >= 1 && prefixVerifications.peak <= 2, `peak ${prefixVerifications.peak}`);
  // The right prefix still resumes.
  const resumed = await c.download('big.bin', 1000, sha256(content.subarray(0, 1000)));
  assert.ok('content' in resumed && resumed.content.equals(content.subarray(1000)));
  await other.quit();
}));

void test('WorkGate: one job per owner, `slots` in all, in order; an aborted waiter leaves the queue', async () => {
  const gate = new WorkGate(2);
  const a = {};
  const b = {};
  const log: string[] = [];
  const releases: (() => void)[] = [];
  const job = (name: string) => () => new Promise<void>((resolve) => {
    log.push(name);
    releases.push(resolve);
  });
  const never = new AbortController();
  const first = gate.run(a, never.signal, job('a1'));
  const second = gate.run(a, never.signal, job('a2'));
  const third = gate.run(b, never.signal, job('b1'));
  const cancelled = new AbortController();
  const fourth = gate.run(b, cancelled.signal, job('b2'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['a1', 'b1']);
  cancelled.abort(new FerryError(ErrorCode.CANCELLED, 'cancelled'));
  await assert.rejects(fourth, (error) => error instanceof FerryError && error.code === ErrorCode.CANCELLED);
  releases[0]!();
  await first;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['a1', 'b1', 'a2']);
  releases[1]!();
  releases[2]!();
  await Promise.all([second, third]);
  assert.equal(gate.peak, 2);
});
