/**
 * Keep-alive (docs/PROTOCOL.md §4, PING): a client that asks for it stays
 * connected to a real ferryd past the server's idle timeout; one that does not
 * is closed by it, as any silent client is. Only servers listing `keepalive`
 * get PING.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryClient } from '../../src/client/client.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from '../server/raw-client.js';
import { startFakeServer } from './fake-server.js';

const IDLE_TIMEOUT_MS = 1000;

void test('ferryd lists keepalive and answers PING with DONE, outside the in-flight count', async () => {
  const srv = await startTestServer({ limits: { maxInFlight: 1 } });
  try {
    await writeFile(`${srv.root}/f.bin`, Buffer.alloc(10, 7));
    const raw = await RawClient.open(srv.port);
    // A download held at window 0 fills the one slot there is.
    raw.send({ op: 'DWLD', id: 1, path: 'f.bin', offset: 0, prefixHash: Buffer.alloc(0), window: 0 });
    assert.equal((await raw.nextFor(1)).op, 'OPEN');
    raw.send({ op: 'PING', id: 2 });
    assert.deepEqual(await raw.nextFor(2), { op: 'DONE', id: 2 });
    raw.send({ op: 'CANC', id: 1 });
    assert.equal((await raw.nextFor(1)).op, 'FAIL');
    await raw.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('with keep-alive on, a silent client outlives the idle timeout several times over', async () => {
  const srv = await startTestServer({ limits: { idleTimeoutMs: IDLE_TIMEOUT_MS } });
  try {
    const client = await FerryClient.connect({ host: '127.0.0.1', port: srv.port, keepAlive: true, keepAliveIntervalMs: 100 });
    assert.ok(client.info.capabilities.includes('keepalive'));
    let lost: Error | undefined;
    client.onClose((error) => {
      lost = error;
    });
    await sleep(IDLE_TIMEOUT_MS * 3);
    assert.equal(lost, undefined);
    assert.equal(client.connected, true);
    assert.deepEqual(await client.list('/'), []);
    await client.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('without keep-alive the idle timeout closes the session, with the server\'s reason', async () => {
  const srv = await startTestServer({ limits: { idleTimeoutMs: IDLE_TIMEOUT_MS } });
  try {
    const client = await FerryClient.connect({ host: '127.0.0.1', port: srv.port });
    const error = await new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    assert.ok(error instanceof FerryError);
    assert.equal(error.code, ErrorCode.CONNECTION_LOST);
    assert.match(error.message, /TIMEOUT: idle for 1000 ms/);
    assert.equal(client.connected, false);
  } finally {
    await srv.cleanup();
  }
});

void test('a server without the keepalive capability gets no PING', async () => {
  const fake = await startFakeServer();
  try {
    const client = await FerryClient.connect({ host: '127.0.0.1', port: fake.port, keepAlive: true, keepAliveIntervalMs: 10 });
    await sleep(200);
    assert.deepEqual(fake.received.map((msg) => msg.op), ['CONN']);
    client.close();
  } finally {
    await fake.close();
  }
});

void test('one PING at a time: the next goes out only once the previous one is answered', { timeout: 20_000 }, async () => {
  let pings = 0;
  let answered: () => void = () => undefined;
  const fake = await startFakeServer({
    onConn: (msg, peer) => peer.send({
      op: 'CONN', id: msg.id, version: 1, maxFrame: 65536, maxInFlight: 64, capabilities: ['keepalive'],
      flags: 0, serverName: 'fake', user: '',
    }),
    onMessage: (msg, peer) => {
      if (msg.op !== 'PING') return;
      pings++;
      // The first PING stays unanswered until the test has seen that no second one follows it.
      if (pings === 1) {
        answered = () => peer.send({ op: 'DONE', id: msg.id });
      } else {
        peer.send({ op: 'DONE', id: msg.id });
      }
    },
  });
  try {
    const client = await FerryClient.connect({ host: '127.0.0.1', port: fake.port, keepAlive: true, keepAliveIntervalMs: 10 });
    while (pings === 0) await sleep(10);
    await sleep(100);
    assert.equal(pings, 1, 'no second PING while the first is unanswered');
    answered();
    while (pings < 2) await sleep(10);
    assert.equal(client.connected, true);
    client.close();
  } finally {
    await fake.close();
  }
});
