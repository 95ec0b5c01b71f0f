/**
 * Resource limits against a real ferryd: many idle and slow-drip connections
 * do not starve a well-behaved client, and every limit trips (with its error
 * code and a log line) when configured small.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { FerryClient } from '../../src/client/client.js';
import { encodeMessageToBuffer } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from '../server/raw-client.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { handshakeFrom, recordingLogger, waitFor } from './helpers.js';

// ferryd closes a refused connection with an unref'd timer, and server.close() waits for it: without a
// referenced handle of our own the event loop would look finished while a test still awaits the close.
const keepAlive = setInterval(() => undefined, 1000);
after(() => clearInterval(keepAlive));

const IDLE_CONNECTIONS = 1000;
const SLOW_DRIP_CLIENTS = 6;

function openSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EMFILE'
      ? new Error(`out of file descriptors after opening idle connections: raise the limit (ulimit -n ${IDLE_CONNECTIONS * 3}) to run this test`)
      : error));
  });
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

void test(`${IDLE_CONNECTIONS} idle connections and ${SLOW_DRIP_CLIENTS} slow-drip clients do not starve a good client`, { timeout: 120_000 }, async (t) => {
  const served = await startTestServer({
    // Every connection here comes from 127.0.0.1: the per-address limit must allow them all.
    limits: { maxConnections: IDLE_CONNECTIONS + 100, maxConnectionsPerAddress: IDLE_CONNECTIONS + 100, handshakeTimeoutMs: 120_000 },
  });
  const sockets: net.Socket[] = [];
  let dripping = true;
  t.after(async () => {
    dripping = false;
    for (const socket of sockets) socket.destroy();
    await served.cleanup();
  });

  // Half of the idle connections say nothing at all; the other half complete a handshake and then go quiet.
  for (let i = 0; i < IDLE_CONNECTIONS / 2; i += 1) sockets.push(await openSocket(served.port));
  const quiet = await Promise.all(Array.from({ length: IDLE_CONNECTIONS / 2 }, () => RawClient.open(served.port)));
  t.after(() => { for (const client of quiet) client.destroy(); });

  // Slow drip: a byte every ~100 ms, half of them inside a CONN, half inside a LIST after the handshake.
  const drips: Array<Promise<void>> = [];
  for (let i = 0; i < SLOW_DRIP_CLIENTS; i += 1) {
    const afterHandshake = i % 2 === 1;
    const client = afterHandshake ? await RawClient.open(served.port) : undefined;
    const socket = client?.socket ?? await openSocket(served.port);
    sockets.push(socket);
    const frame = afterHandshake
      ? encodeMessageToBuffer({ op: 'LIST', id: 7, path: 'x'.repeat(200), flags: 0 })
      : encodeMessageToBuffer({ op: 'CONN', id: 1, minVersion: 1, maxVersion: 1, maxFrame: 65536, capabilities: [], authMethod: 'none', user: '', secret: '', clientName: 'x'.repeat(200) });
    drips.push((async () => {
      for (let at = 0; at < frame.length && dripping && !socket.destroyed; at += 1) {
        socket.write(frame.subarray(at, at + 1));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })());
  }
  await waitFor(() => served.server.sessionCount >= IDLE_CONNECTIONS + SLOW_DRIP_CLIENTS, 'all connections to be held');
  const held = served.server.sessionCount;

  // The good client: list, upload and download 8 MiB, check the hashes.
  const dir = await tempFolderFor(t);
  const content = randomBytes(8 * 1024 * 1024);
  await fs.writeFile(path.join(dir, 'up.bin'), content);
  await fs.mkdir(path.join(served.root, 'folder'));
  for (let i = 0; i < 50; i += 1) await fs.writeFile(path.join(served.root, 'folder', `f${i}.txt`), `file ${i}`);
  const good = await FerryClient.connect({ host: '127.0.0.1', port: served.port });
  assert.equal((await good.list('folder')).length, 50);
  await good.upload(path.join(dir, 'up.bin'), 'uploaded.bin');
  assert.equal(sha256(await fs.readFile(path.join(served.root, 'uploaded.bin'))), sha256(content));
  await good.download('uploaded.bin', path.join(dir, 'down.bin'));
  assert.equal(sha256(await fs.readFile(path.join(dir, 'down.bin'))), sha256(content));
  await good.quit();
  assert.ok(served.server.sessionCount >= IDLE_CONNECTIONS, 'the idle connections are still held');
  t.diagnostic(`connections held while the good client worked: ${held} (${IDLE_CONNECTIONS} idle + ${SLOW_DRIP_CLIENTS} slow-drip)`);
  dripping = false;
  await Promise.all(drips);
});

void test('connection limits: per address and in total refuse with LIMIT and log it; other addresses still get in', async (t) => {
  const log = recordingLogger();
  const served = await startTestServer({ logger: log, limits: { maxConnectionsPerAddress: 3, maxConnections: 5 } });
  const held: RawClient[] = [];
  t.after(async () => { for (const c of held) c.destroy(); await served.cleanup(); });
  for (let i = 0; i < 3; i += 1) held.push(await RawClient.open(served.port));
  const fourth = await handshakeFrom(served.port, '127.0.0.1', {});
  assert.ok(fourth.op === 'FAIL' && fourth.code === ErrorCode.LIMIT && fourth.id === 0, JSON.stringify(fourth));
  assert.ok(log.lines.some((l) => l.level === 'warn' && /per-address connection limit/.test(l.message)));

  const other = await handshakeFrom(served.port, '127.0.0.2', {});
  assert.equal(other.op, 'CONN', 'another address is not affected by the per-address limit');
  const sockets = await Promise.all(['127.0.0.3', '127.0.0.4'].map((localAddress) => new Promise<net.Socket>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: served.port, localAddress }, () => resolve(socket));
  })));
  t.after(() => { for (const s of sockets) s.destroy(); });
  await waitFor(() => served.server.sessionCount >= 5, 'five sessions');
  const sixth = await handshakeFrom(served.port, '127.0.0.5', {});
  assert.ok(sixth.op === 'FAIL' && sixth.code === ErrorCode.LIMIT, JSON.stringify(sixth));
  assert.ok(log.lines.some((l) => l.level === 'warn' && /^connection limit/.test(l.message)));
});

void test('handshake timeout and idle timeout close with TIMEOUT and log it; idle never fires during a transfer', async (t) => {
  const log = recordingLogger();
  const served = await startTestServer({ logger: log, limits: { handshakeTimeoutMs: 300, idleTimeoutMs: 400 } });
  t.after(() => served.cleanup());
  await fs.writeFile(path.join(served.root, 'file.bin'), randomBytes(100_000));

  const silent = await RawClient.connect(served.port);
  const timeout = await silent.next(undefined, 5000);
  assert.ok(timeout.op === 'FAIL' && timeout.code === ErrorCode.TIMEOUT && timeout.id === 0, JSON.stringify(timeout));
  await silent.closed;
  assert.ok(log.lines.some((l) => /handshake timeout/.test(l.message)));

  const idle = await RawClient.open(served.port);
  const idleEnd = await idle.next(undefined, 5000);
  assert.ok(idleEnd.op === 'FAIL' && idleEnd.code === ErrorCode.TIMEOUT, JSON.stringify(idleEnd));
  assert.ok(log.lines.some((l) => /idle timeout/.test(l.message)));

  // A download with no credit: the server waits for WIND while the client stays silent for longer than the idle timeout.
  const busy = await RawClient.open(served.port);
  const id = busy.id();
  busy.send({ op: 'DWLD', id, path: 'file.bin', offset: 0, prefixHash: Buffer.alloc(0), window: 0 });
  assert.equal((await busy.nextFor(id)).op, 'OPEN');
  await new Promise((resolve) => setTimeout(resolve, 1200));
  assert.equal(busy.ended, false, 'the session survived three idle periods with a transfer in flight');
  busy.send({ op: 'WIND', id, increment: 1_000_000 });
  let received = 0;
  for (;;) {
    const msg = await busy.nextFor(id);
    if (msg.op === 'DATA') received += msg.data.length;
    else { assert.equal(msg.op, 'HASH'); break; }
  }
  assert.equal(received, 100_000);
  await busy.quit();
});

void test('frame, in-flight, path and name limits trip with their codes', async (t) => {
  const log = recordingLogger();
  const served = await startTestServer({ logger: log, limits: { maxFrame: 65_536, maxInFlight: 2, maxPathLength: 100, maxNameLength: 20 } });
  t.after(() => served.cleanup());
  await fs.writeFile(path.join(served.root, 'f.bin'), 'x');

  const client = await RawClient.open(served.port, { maxFrame: 16 * 1024 * 1024 });
  for (const id of [11, 12]) {
    client.send({ op: 'DWLD', id, path: 'f.bin', offset: 0, prefixHash: Buffer.alloc(0), window: 0 });
    assert.equal((await client.nextFor(id)).op, 'OPEN');
  }
  const third = await client.request({ op: 'STAT', id: 13, path: 'f.bin' });
  assert.ok(third.op === 'FAIL' && third.code === ErrorCode.BUSY, JSON.stringify(third));
  assert.ok(log.lines.some((l) => l.message === 'request refused' && l.fields.code === 'BUSY'));
  for (const id of [11, 12]) client.send({ op: 'CANC', id });
  await client.nextFor(11);
  await client.nextFor(12);

  const longPath = await client.request({ op: 'STAT', id: 14, path: `a/${'b'.repeat(19)}/`.repeat(5).slice(0, 120) });
  assert.ok(longPath.op === 'FAIL' && longPath.code === ErrorCode.INVALID_PATH && /100/.test(longPath.message), JSON.stringify(longPath));
  const longName = await client.request({ op: 'STAT', id: 15, path: 'n'.repeat(21) });
  assert.ok(longName.op === 'FAIL' && longName.code === ErrorCode.INVALID_PATH && /20/.test(longName.message), JSON.stringify(longName));

  // The server offered 65 536 although the client proposed 16 MiB; a longer frame ends the session.
  client.sendRaw(Buffer.concat([Buffer.from([0, 1, 0, 1]), Buffer.from('DATA'), Buffer.alloc(70_000)]));
  const tooLarge = await client.next(undefined, 5000);
  assert.ok(tooLarge.op === 'FAIL' && tooLarge.code === ErrorCode.FRAME_TOO_LARGE && tooLarge.id === 0, JSON.stringify(tooLarge));
  await client.closed;
  assert.ok(log.lines.some((l) => /malformed frame stream/.test(l.message)));
});
