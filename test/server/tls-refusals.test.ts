/**
 * What a TLS-enabled ferryd tells a client it will not serve: a per-address
 * LIMIT arrives inside TLS (not as plain bytes a TLS client cannot read), a
 * silent client gets FAIL TIMEOUT, and the handshake timeout runs from the
 * connection's first moment, TLS handshake included, not once more after it.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { decodeServerMessage, encodeMessageToBuffer, FrameDecoder } from '../../src/protocol/codec.js';
import { HANDSHAKE_MAX_FRAME } from '../../src/protocol/constants.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { generateSelfSigned } from '../../src/security/certificate.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';

let certificate: { cert: string; key: string };
before(async () => {
  certificate = await generateSelfSigned('localhost');
});

/** The first frame `socket` receives, or undefined when it closes first. */
function firstFrame(socket: net.Socket): Promise<ServerMessage | undefined> {
  const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME);
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      try {
        const [frame] = decoder.push(chunk);
        if (frame) resolve(decodeServerMessage(frame));
      } catch (error) {
        reject(error as Error);
      }
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(undefined));
  });
}

function connectTls(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ rejectUnauthorized: false, ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

void test('a per-address LIMIT refusal reaches a TLS client inside TLS', async (t) => {
  const { cert, key } = certificate;
  const srv = await startTestServer({ tls: { cert, key }, limits: { maxConnectionsPerAddress: 1 } });
  t.after(() => srv.cleanup());
  const held = await RawClient.open(srv.port);
  t.after(() => held.destroy());
  const socket = await connectTls({ host: '127.0.0.1', port: srv.port });
  t.after(() => socket.destroy());
  const answer = firstFrame(socket);
  socket.write(encodeMessageToBuffer({
    op: 'CONN', id: 1, minVersion: 1, maxVersion: 1, maxFrame: 1 << 20, capabilities: [], authMethod: 'none',
    user: '', secret: '', clientName: 'tls-refusal-test',
  }));
  const reply = await answer;
  assert.ok(reply?.op === 'FAIL' && reply.code === ErrorCode.LIMIT && reply.id === 0, JSON.stringify(reply));
  assert.match(reply.message, /too many connections from your address/);
});

void test('a silent client of a TLS-enabled ferryd gets FAIL TIMEOUT before it is closed', async (t) => {
  const { cert, key } = certificate;
  const srv = await startTestServer({ tls: { cert, key }, limits: { handshakeTimeoutMs: 200 } });
  t.after(() => srv.cleanup());
  const socket = net.connect({ host: '127.0.0.1', port: srv.port });
  t.after(() => socket.destroy());
  const reply = await firstFrame(socket);
  assert.ok(reply?.op === 'FAIL' && reply.code === ErrorCode.TIMEOUT && reply.id === 0, JSON.stringify(reply));
});

void test('the handshake timeout counts from accept: time spent before and in the TLS handshake is not given again', async (t) => {
  const { cert, key } = certificate;
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const srv = await startTestServer({ tls: { cert, key }, limits: { handshakeTimeoutMs: 10_000 } });
  t.after(() => srv.cleanup());
  const raw = net.connect({ host: '127.0.0.1', port: srv.port });
  t.after(() => raw.destroy());
  await new Promise<void>((resolve) => raw.once('connect', resolve));
  await settle();
  // 7 of the 10 seconds pass before the client's first byte; the TLS handshake then takes no (mocked) time.
  t.mock.timers.tick(7_000);
  const socket = await connectTls({ socket: raw });
  const answer = firstFrame(socket);
  await until(() => srv.server.sessionCount === 1);
  // 3 more seconds: the deadline, 10 s after accept. Before, the session started a fresh 10 s here.
  t.mock.timers.tick(3_001);
  const reply = await answer;
  assert.ok(reply?.op === 'FAIL' && reply.code === ErrorCode.TIMEOUT, JSON.stringify(reply));
});

/** A few turns of the event loop (real I/O goes on; mocked timers do not move). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !condition(); i++) await new Promise<void>((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'condition never met');
}

void test('a TLS 1.2 client cannot renegotiate: its first attempt is refused', async (t) => {
  const { cert, key } = certificate;
  const srv = await startTestServer({ tls: { cert, key } });
  t.after(() => srv.cleanup());
  const socket = await connectTls({ host: '127.0.0.1', port: srv.port, maxVersion: 'TLSv1.2' });
  t.after(() => socket.destroy());
  socket.on('error', () => undefined);
  const outcome = await new Promise<string>((resolve) => {
    const started = socket.renegotiate({ rejectUnauthorized: false }, (error) => resolve(error ? 'refused' : 'renegotiated'));
    if (!started) resolve('refused');
    socket.once('close', () => resolve('refused'));
  });
  assert.equal(outcome, 'refused');
});
