/**
 * The stall timeout (docs/PROTOCOL.md §8): a transfer whose client stops
 * granting credit, stops sending DATA or stops reading fails with TIMEOUT
 * (logged), its file is released and the session goes on; an upload keeps
 * its temporary file for a resume. A transfer that moves, however slowly,
 * never trips it. The timeout is short here, set by each test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { startTestServer } from '../helpers/server.js';
import { recordingLogger, waitFor } from '../security/helpers.js';
import { codeNameOf, RawClient, sha256 } from './raw-client.js';

const EMPTY = Buffer.alloc(0);
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function stallServer(t: { after: (fn: () => Promise<void>) => void }, stallTimeoutMs: number) {
  const log = recordingLogger();
  // A window larger than any upload here: credit never holds the tests' uploads back.
  const srv = await startTestServer({ logger: log, limits: { stallTimeoutMs, uploadWindow: 8 * 1024 * 1024 } });
  t.after(() => srv.cleanup());
  return { srv, log };
}

void test('a download whose client grants no credit fails with TIMEOUT; the session goes on', async (t) => {
  const { srv, log } = await stallServer(t, 200);
  await fs.writeFile(path.join(srv.root, 'big.bin'), randomBytes(1024 * 1024));
  const client = await RawClient.open(srv.port);
  client.send({ op: 'DWLD', id: 5, path: 'big.bin', offset: 0, prefixHash: EMPTY, window: 0 });
  assert.equal((await client.nextFor(5)).op, 'OPEN');
  const failed = await client.nextFor(5);
  assert.ok(failed.op === 'FAIL' && failed.code === ErrorCode.TIMEOUT && /stalled/.test(failed.message), JSON.stringify(failed));
  assert.ok(log.lines.some((l) => l.level === 'warn' && l.message === 'transfer stalled: failing the request' && l.fields.id === 5),
    'the stall is logged');
  // The id is free again and the session works.
  assert.equal(codeNameOf(await client.request({ op: 'STAT', id: 5, path: 'big.bin' })), 'STAT');
  await client.quit();
});

void test('a download whose client stops reading the socket fails with TIMEOUT once the socket is full', async (t) => {
  const { srv, log } = await stallServer(t, 300);
  const size = 48 * 1024 * 1024;
  await fs.writeFile(path.join(srv.root, 'huge.bin'), Buffer.alloc(size, 7));
  const client = await RawClient.open(srv.port);
  client.socket.pause();
  client.send({ op: 'DWLD', id: 5, path: 'huge.bin', offset: 0, prefixHash: EMPTY, window: size });
  // Nothing is read: the server's writes back up, the transfer waits for 'drain', and the stall trips.
  await waitFor(() => log.lines.some((l) => l.message === 'transfer stalled: failing the request'), 'the stall');
  client.socket.resume();
  let received = 0;
  let final: ServerMessage;
  for (;;) {
    const msg = await client.nextFor(5);
    if (msg.op === 'DATA') received += msg.data.length;
    else if (msg.op !== 'OPEN') {
      final = msg;
      break;
    }
  }
  assert.ok(received < size, `only part of the file was sent (${received} of ${size})`);
  assert.equal(codeNameOf(final), 'TIMEOUT', JSON.stringify(final));
  await client.quit();
});

void test('an upload whose client sends nothing, or stops halfway, fails with TIMEOUT and stays resumable', async (t) => {
  const { srv } = await stallServer(t, 200);
  const content = randomBytes(300_000);
  const client = await RawClient.open(srv.port);
  client.send({ op: 'UPLD', id: 5, path: 'silent.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
  assert.equal((await client.nextFor(5)).op, 'OPEN');
  assert.equal(codeNameOf(await client.nextFor(5)), 'TIMEOUT');

  client.send({ op: 'UPLD', id: 6, path: 'half.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
  assert.equal((await client.nextFor(6)).op, 'OPEN');
  client.send({ op: 'DATA', id: 6, offset: 0, data: content.subarray(0, 100_000) });
  let final: ServerMessage;
  while ((final = await client.nextFor(6)).op === 'WIND');
  assert.equal(codeNameOf(final), 'TIMEOUT');
  assert.equal((await fs.stat(path.join(srv.root, '.half.bin.ferry-part'))).size, 100_000, 'the received bytes stay for a resume');
  assert.equal(await fs.access(path.join(srv.root, 'half.bin')).then(() => true, () => false), false);

  client.send({ op: 'UPLD', id: 7, path: 'half.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 2 });
  const open = await client.nextFor(7);
  assert.ok(open.op === 'OPEN' && open.offset === 100_000, JSON.stringify(open));
  await client.sendContent(7, content, open.offset, open.window);
  client.send({ op: 'HASH', id: 7, hash: sha256(content) });
  assert.equal(codeNameOf(await client.next((m) => m.id === 7 && m.op !== 'WIND')), 'DONE');
  assert.ok((await fs.readFile(path.join(srv.root, 'half.bin'))).equals(content));
  await client.quit();
});

void test('slow transfers that keep moving never trip the stall timeout, however long they take in total', async (t) => {
  // Each step waits 40 ms, far below the 1 s timeout; each transfer takes several seconds in all.
  const { srv, log } = await stallServer(t, 1000);
  const chunk = 64 * 1024;
  const steps = 60;
  const content = randomBytes(chunk * steps);
  await fs.writeFile(path.join(srv.root, 'slow-down.bin'), content);
  const client = await RawClient.open(srv.port);

  client.send({ op: 'DWLD', id: 5, path: 'slow-down.bin', offset: 0, prefixHash: EMPTY, window: chunk });
  assert.equal((await client.nextFor(5)).op, 'OPEN');
  const parts: Buffer[] = [];
  for (;;) {
    const msg = await client.nextFor(5);
    if (msg.op === 'DATA') {
      parts.push(Buffer.from(msg.data));
      await pause(40);
      client.send({ op: 'WIND', id: 5, increment: msg.data.length });
      continue;
    }
    assert.equal(msg.op, 'HASH', JSON.stringify(msg));
    break;
  }
  assert.ok(Buffer.concat(parts).equals(content));

  client.send({ op: 'UPLD', id: 6, path: 'slow-up.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
  const open = await client.nextFor(6);
  assert.ok(open.op === 'OPEN' && open.window >= content.length);
  for (let at = 0; at < content.length; at += chunk) {
    await pause(40);
    client.send({ op: 'DATA', id: 6, offset: at, data: content.subarray(at, at + chunk) });
  }
  client.send({ op: 'HASH', id: 6, hash: sha256(content) });
  assert.equal(codeNameOf(await client.next((m) => m.id === 6 && m.op !== 'WIND')), 'DONE');
  assert.ok((await fs.readFile(path.join(srv.root, 'slow-up.bin'))).equals(content));
  assert.ok(!log.lines.some((l) => l.message.includes('stalled')), 'nothing was reported as stalled');
  await client.quit();
});
