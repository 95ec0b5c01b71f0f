/**
 * The bounds that keep one client from filling ferryd's memory, and the rule
 * that no promise of a session is left without a handler. Sessions run on a
 * real loopback socket with the server's socket in the test's hands, so the
 * tests look at what the server holds, not at timings.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import { encodeMessageToBuffer } from '../../src/protocol/codec.js';
import { DEFAULT_MAX_FRAME, HANDSHAKE_MAX_FRAME } from '../../src/protocol/constants.js';
import { ENTS_LAST } from '../../src/protocol/messages.js';
import { CHUNK_BYTES } from '../../src/server/buffer-pool.js';
import { silentLogger } from '../../src/server/log.js';
import { PartialFrameBudget } from '../../src/server/partial-frame-budget.js';
import { SESSION_ENDED, unlessAborted } from '../../src/server/request.js';
import { DEFAULT_LIMITS } from '../../src/server/server.js';
import { Session, type SessionEnvironment } from '../../src/server/session.js';
import { Storage } from '../../src/server/storage/storage.js';
import { UploadRegistry } from '../../src/server/upload-registry.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { RawClient } from './raw-client.js';

const makeTempDir = (): Promise<string> => tempFolder('ferry-bounds-');
const tempFolder = tempFolderMaker();

interface SessionPair {
  session: Session;
  /** ferryd's end of the connection. */
  serverSocket: net.Socket;
  client: RawClient;
}

/** Starts sessions on `root` for the connections of a loopback listener; `connect` opens one and completes the handshake. */
async function sessionHost(root: string, options: { maxReplyBacklog?: number; partialFrames?: PartialFrameBudget } = {}) {
  const storage = await Storage.open(root);
  const limits = { ...DEFAULT_LIMITS, maxReplyBacklog: options.maxReplyBacklog ?? DEFAULT_LIMITS.maxReplyBacklog };
  const env: SessionEnvironment = {
    serverName: 'ferryd/test',
    logger: silentLogger,
    uploads: new UploadRegistry(),
    limits,
    partialFrames: options.partialFrames ?? new PartialFrameBudget(limits.maxPartialFrameBytes, HANDSHAKE_MAX_FRAME),
    authenticate: () => Promise.resolve({ user: '', root, readOnly: false }),
    storageFor: () => Promise.resolve(storage),
  };
  const accepted: ((pair: { session: Session; serverSocket: net.Socket }) => void)[] = [];
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    accepted.shift()?.({ session: new Session(socket, '127.0.0.1', env, silentLogger), serverSocket: socket });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  return {
    async connect(): Promise<SessionPair> {
      const server = new Promise<{ session: Session; serverSocket: net.Socket }>((resolve) => accepted.push(resolve));
      const client = await RawClient.connect(port);
      const reply = await client.handshake({ maxFrame: DEFAULT_MAX_FRAME });
      assert.equal(reply.op, 'CONN');
      return { ...(await server), client };
    },
    /** Stops listening and drops what a failed test left connected. */
    close: () => new Promise<void>((resolve) => {
      listener.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}

/** Resolves once `condition` holds, checking after every turn of the event loop (no timing involved). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

void test('a wait on the socket abandoned by an abort never leaves its rejection unhandled', async () => {
  // The race behind "session ended at Session.writable ← sendContent": the session ends (its
  // requests are aborted and writable() rejects at once) between two steps of a transfer, which
  // then asks for the socket. The rejection must be handled, or it ends the whole server.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const aborted = new AbortController();
    aborted.abort(SESSION_ENDED);
    await assert.rejects(unlessAborted(aborted.signal, Promise.reject(new Error(SESSION_ENDED))), /session ended/);
    // And when the wait rejects only after the abort.
    const later = new AbortController();
    let rejectWait!: (error: Error) => void;
    const wait = unlessAborted(later.signal, new Promise<void>((_resolve, reject) => {
      rejectWait = reject;
    }));
    later.abort(SESSION_ENDED);
    await assert.rejects(wait, /session ended/);
    rejectWait(new Error(SESSION_ENDED));
    // Unhandled rejections are reported after the microtask queue drains: give them two turns.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

void test('a session whose client never reads its replies stops reading its requests, and frees them at close', async () => {
  const root = await makeTempDir();
  for (let i = 0; i < 40; i++) await fs.writeFile(`${root}/file-${String(i).padStart(3, '0')}-with-a-longish-name.txt`, 'x'.repeat(i));
  const maxReplyBacklog = 256 * 1024;
  const host = await sessionHost(root, { maxReplyBacklog });
  try {
    const { session, serverSocket, client } = await host.connect();
    client.socket.pause();
    // About 2 MiB of requests whose replies (LIST of 40 entries, and a small download each) come to
    // over 50 MiB: read all of them, the server would hold the replies.
    const requests: Buffer[] = [];
    for (let id = 2; id < 60_000; id++) {
      requests.push(encodeMessageToBuffer(id % 2 === 0
        ? { op: 'LIST', id, path: '', flags: 0 }
        : { op: 'DWLD', id, path: 'file-039-with-a-longish-name.txt', offset: 0, prefixHash: Buffer.alloc(0), window: 1 << 20 }));
    }
    const sent = Buffer.concat(requests);
    const readBefore = serverSocket.bytesRead; // the handshake
    client.socket.write(sent);
    let most = 0;
    await until(() => {
      most = Math.max(most, serverSocket.writableLength);
      // Without the bound the server reads on, to the last request, and the backlog grows past it.
      const idle = session.activeRequests === 0;
      return (serverSocket.isPaused() && idle) || (serverSocket.bytesRead - readBefore === sent.length && idle) || most > 16 * maxReplyBacklog;
    });
    assert.ok(serverSocket.isPaused(), `the server kept reading with ${most} bytes of replies unsent`);
    // The bound, plus what the requests already running (at most maxInFlight) still answered.
    assert.ok(most < maxReplyBacklog + DEFAULT_LIMITS.maxInFlight * 8 * 1024, `${most} bytes of replies held`);
    assert.ok(serverSocket.bytesRead - readBefore < sent.length, 'the server read every request although its client reads nothing');

    client.socket.destroy();
    await session.closed;
    assert.equal(serverSocket.writableLength, 0);
    assert.ok(serverSocket.destroyed);
  } finally {
    await host.close();
  }
});

void test('a client that reads again gets a final reply to every request after the pause', async () => {
  const root = await makeTempDir();
  for (let i = 0; i < 40; i++) await fs.writeFile(`${root}/name-${String(i).padStart(3, '0')}-long-enough-to-weigh.txt`, '');
  const host = await sessionHost(root, { maxReplyBacklog: 64 * 1024 });
  try {
    const { serverSocket, client } = await host.connect();
    client.socket.pause();
    const count = 3000;
    const requests: Buffer[] = [];
    for (let id = 2; id < 2 + count; id++) requests.push(encodeMessageToBuffer({ op: 'STAT', id, path: 'name-000-long-enough-to-weigh.txt' }));
    for (let id = 2 + count; id < 2 + 2 * count; id++) requests.push(encodeMessageToBuffer({ op: 'LIST', id, path: '', flags: 0 }));
    const sent = Buffer.concat(requests);
    const readBefore = serverSocket.bytesRead;
    client.socket.write(sent);
    await until(() => serverSocket.isPaused() || serverSocket.bytesRead - readBefore === sent.length);
    client.socket.resume();
    // Pipelined past maxInFlight, many are refused BUSY; none may be lost.
    const answered = new Set<number>();
    while (answered.size < 2 * count) {
      const reply = await client.next();
      if (reply.op === 'STAT' || reply.op === 'FAIL' || (reply.op === 'ENTS' && (reply.flags & ENTS_LAST) !== 0)) {
        assert.ok(!answered.has(reply.id), `two final replies for ${reply.id}`);
        answered.add(reply.id);
      }
    }
    await client.quit();
  } finally {
    await host.close();
  }
});

/** Sends `bytes` and resolves once the server has read them all or stopped reading. */
async function sendUnlessStopped(pair: SessionPair, bytes: Buffer): Promise<void> {
  const readBefore = pair.serverSocket.bytesRead;
  pair.client.sendRaw(bytes);
  await until(() => pair.serverSocket.isPaused() || pair.serverSocket.bytesRead - readBefore === bytes.length);
}

/** A frame header announcing `length` bytes of a LIST, and the first `sent` bytes after it. */
function partialFrame(length: number, sent: number, id: number): { head: Buffer; rest: Buffer } {
  const frame = Buffer.alloc(4 + length, 0x61);
  frame.writeUInt32BE(length, 0);
  frame.write('LIST', 4, 'latin1');
  frame.writeUInt32BE(id, 8);
  return { head: frame.subarray(0, 12 + sent), rest: frame.subarray(12 + sent) };
}

void test('large frames received in part are bounded server-wide: a frame over the budget waits unread until one completes', async () => {
  const root = await makeTempDir();
  const budget = new PartialFrameBudget(1024 * 1024, HANDSHAKE_MAX_FRAME);
  const host = await sessionHost(root, { partialFrames: budget });
  try {
    const first = await host.connect();
    const second = await host.connect();
    const third = await host.connect();
    const frameBytes = 600 * 1024;
    const firstFrame = partialFrame(frameBytes, 100_000, 7);
    await sendUnlessStopped(first, firstFrame.head);
    assert.equal(budget.reservedBytes, frameBytes, 'a large frame began without a reservation');
    // Beyond what it had read when it learned the frame's length, the waiting session holds at most
    // one more socket read (to see its client leave) and then reads nothing.
    const secondFrame = partialFrame(frameBytes, 300_000, 8);
    await sendUnlessStopped(second, secondFrame.head);
    assert.ok(second.serverSocket.isPaused(), 'the server read on a frame it had no room for');
    assert.ok(second.serverSocket.bytesRead < 200_000 + 100, `the server read ${second.serverSocket.bytesRead} bytes of a frame it had no room for`);
    assert.equal(budget.reservedBytes, frameBytes, 'the second frame got room beyond the budget');

    // A session that ends while it waits gives up its place; one that finishes its frame frees its room.
    await sendUnlessStopped(third, partialFrame(frameBytes, 1000, 9).head);
    assert.equal(budget.waitingReservations, 2);
    third.client.socket.destroy();
    await third.session.closed;
    first.client.sendRaw(firstFrame.rest);
    const firstReply = await first.client.nextFor(7);
    assert.equal(firstReply.op, 'FAIL'); // a LIST whose path is 600 KiB of 'a'
    await until(() => !second.serverSocket.isPaused());
    second.client.sendRaw(secondFrame.rest);
    assert.equal((await second.client.nextFor(8)).op, 'FAIL');
    await until(() => budget.reservedBytes === 0);
    await first.client.quit();
    await second.client.quit();
  } finally {
    await host.close();
  }
});

void test('a session that ends while holding a partial frame returns its room to the budget', async () => {
  const root = await makeTempDir();
  const budget = new PartialFrameBudget(1024 * 1024, HANDSHAKE_MAX_FRAME);
  const host = await sessionHost(root, { partialFrames: budget });
  try {
    const pair = await host.connect();
    const { session, client } = pair;
    await sendUnlessStopped(pair, partialFrame(900 * 1024, 50_000, 3).head);
    assert.equal(budget.reservedBytes, 900 * 1024);
    client.socket.destroy();
    await session.closed;
    assert.equal(budget.reservedBytes, 0);
  } finally {
    await host.close();
  }
});

void test('the partial frame budget serves waiting sessions first come, first served, and lets one oversized frame through alone', () => {
  const budget = new PartialFrameBudget(100, 10);
  const granted: string[] = [];
  assert.equal(budget.reserve(60, () => granted.push('a')), true);
  assert.equal(budget.reserve(50, () => granted.push('b')), false);
  assert.equal(budget.reserve(10, () => granted.push('c')), false, 'a later small frame overtook a waiting one');
  budget.release(60);
  assert.deepEqual(granted, ['b', 'c']);
  budget.release(50);
  budget.release(10);
  assert.equal(budget.reserve(500, () => granted.push('d')), true);
  assert.equal(budget.reservedBytes, 500);
});

void test('transfers waiting on the socket take turns: a session with 64 downloads in flight queues about one chunk at a time, not one per download', async (t) => {
  const root = await makeTempDir();
  const fileBytes = 1024 * 1024;
  await fs.writeFile(`${root}/big.bin`, randomBytes(fileBytes));
  const host = await sessionHost(root);
  try {
    const { serverSocket, client } = await host.connect();
    // What the session has handed to its socket and the socket has not yet passed to the kernel, after every write.
    let most = 0;
    const write = serverSocket.write.bind(serverSocket) as (...args: unknown[]) => boolean;
    serverSocket.write = ((...args: unknown[]) => {
      const accepted = write(...args);
      most = Math.max(most, serverSocket.writableLength);
      return accepted;
    }) as typeof serverSocket.write;
    const downloads = DEFAULT_LIMITS.maxInFlight;
    for (let id = 2; id < 2 + downloads; id++) {
      client.send({ op: 'DWLD', id, path: 'big.bin', offset: 0, prefixHash: Buffer.alloc(0), window: 0xffff_ffff });
    }
    const received = new Map<number, number>();
    for (let finished = 0; finished < downloads;) {
      const reply = await client.next();
      if (reply.op === 'DATA') received.set(reply.id, (received.get(reply.id) ?? 0) + reply.data.length);
      else if (reply.op === 'HASH') finished++;
      else assert.equal(reply.op, 'OPEN', JSON.stringify(reply));
    }
    for (let id = 2; id < 2 + downloads; id++) assert.equal(received.get(id), fileBytes, `download ${id}`);
    // The socket's own buffer, one chunk of one download (CHUNK_BYTES) and the small replies around it.
    // Without turns, every waiting download queued its chunk at each drain: many MiB.
    t.diagnostic(`at most ${most} bytes queued for the socket`);
    assert.ok(most <= serverSocket.writableHighWaterMark + CHUNK_BYTES + 64 * 1024,
      `${most} bytes queued for the socket at once`);
    await client.quit();
  } finally {
    await host.close();
  }
});

void test('a session waiting for room for a large frame sees at once that its client has left, and gives up its place', async () => {
  const root = await makeTempDir();
  const budget = new PartialFrameBudget(1024 * 1024, HANDSHAKE_MAX_FRAME);
  const host = await sessionHost(root, { partialFrames: budget });
  try {
    const holder = await host.connect();
    const frameBytes = 600 * 1024;
    const holderFrame = partialFrame(frameBytes, 100_000, 7);
    await sendUnlessStopped(holder, holderFrame.head);
    assert.equal(budget.reservedBytes, frameBytes);
    // Two clients send the head of a frame that does not fit, a little more, and leave: one ends its
    // side, one drops the connection.
    for (const leave of ['end', 'destroy'] as const) {
      const waiter = await host.connect();
      await sendUnlessStopped(waiter, partialFrame(frameBytes, 1000, 8).head);
      assert.equal(budget.waitingReservations, 1, 'the frame waits for room');
      const more = Buffer.alloc(2000, 0x61);
      if (leave === 'end') waiter.client.socket.end(more);
      else waiter.client.socket.write(more, () => waiter.client.socket.destroy());
      // Before, the session stopped reading when it started to wait: the bytes after the head, and
      // the end behind them, stayed unread, so it stayed until the holder's frame was complete
      // (here: never), its reservation queued and its socket open.
      await waiter.session.closed;
      assert.ok(waiter.serverSocket.destroyed);
      assert.equal(budget.waitingReservations, 0, `${leave}: the place in the queue is given up`);
    }
    assert.equal(budget.reservedBytes, frameBytes, 'the holder keeps its room');
    holder.client.sendRaw(holderFrame.rest);
    assert.equal((await holder.client.nextFor(7)).op, 'FAIL'); // a LIST whose path is 600 KiB of 'a'
    await until(() => budget.reservedBytes === 0);
    await holder.client.quit();
  } finally {
    await host.close();
  }
});

void test('a client that pipelines requests, never reads a reply, then ends its side is closed, not kept for ever', async () => {
  const root = await makeTempDir();
  await fs.writeFile(`${root}/small.bin`, randomBytes(60 * 1024));
  const maxReplyBacklog = 64 * 1024;
  const host = await sessionHost(root, { maxReplyBacklog });
  try {
    const { session, serverSocket, client } = await host.connect();
    client.socket.pause();
    // Rounds of downloads until the replies fill the kernel's buffers and the session's backlog.
    let id = 2;
    while (serverSocket.writableLength <= maxReplyBacklog) {
      const round: Buffer[] = [];
      for (let i = 0; i < DEFAULT_LIMITS.maxInFlight; i++, id++) {
        round.push(encodeMessageToBuffer({ op: 'DWLD', id, path: 'small.bin', offset: 0, prefixHash: Buffer.alloc(0), window: 1 << 20 }));
      }
      const before = serverSocket.bytesRead;
      const bytes = Buffer.concat(round);
      client.sendRaw(bytes);
      await until(() => serverSocket.bytesRead - before === bytes.length && session.activeRequests === 0);
    }
    // Its end comes after its last request: the replies can never be flushed, and a session that
    // only closed once they were (as a socket's own end does) stayed open for as long as the client.
    client.socket.end();
    await session.closed;
    assert.ok(serverSocket.destroyed);
    client.socket.destroy();
  } finally {
    await host.close();
  }
});
