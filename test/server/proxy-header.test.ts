/**
 * ferryd reading a PROXY header from a listed proxy, without HAProxy: split
 * across packets, followed at once by CONN, silent, or overlong.
 */
import { test } from 'node:test';
import net from 'node:net';
import tls from 'node:tls';
import assert from 'node:assert/strict';
import { decodeServerMessage, encodeMessageToBuffer, FrameDecoder } from '../../src/protocol/codec.js';
import { HANDSHAKE_MAX_FRAME } from '../../src/protocol/constants.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { generateSelfSigned } from '../../src/security/certificate.js';
import { startTestServer } from '../helpers/server.js';
import { recordingLogger } from '../security/helpers.js';
import { RawClient } from './raw-client.js';

const V2_TCP4 = '0d0a0d0a000d0a515549540a 21 11 000c c0000201 7f000001 d431 1b9e'; // 192.0.2.1:54321 → 127.0.0.1:7070

void test('a PROXY header sent byte by byte, or with CONN in one write, names the client', async (t) => {
  const logger = recordingLogger();
  const srv = await startTestServer({ logger, proxyProtocolFrom: ['127.0.0.1'] });
  t.after(() => srv.cleanup());

  const slow = await RawClient.connect(srv.port);
  t.after(() => slow.destroy());
  for (const byte of Buffer.from('PROXY TCP4 198.51.100.7 127.0.0.1 40000 7070\r\n', 'latin1')) {
    slow.sendRaw(Buffer.from([byte]));
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal((await slow.handshake()).op, 'CONN');

  const fast = await RawClient.connect(srv.port);
  t.after(() => fast.destroy());
  fast.sendRaw(V2_TCP4);
  assert.equal((await fast.handshake()).op, 'CONN');

  // An IPv4 client written in IPv6 form (as a dual-stack proxy may) is the same client as when it connects directly.
  const mapped = await RawClient.connect(srv.port);
  t.after(() => mapped.destroy());
  mapped.sendRaw(Buffer.from('PROXY TCP6 ::FFFF:198.51.100.7 ::1 40001 7070\r\n', 'latin1'));
  assert.equal((await mapped.handshake()).op, 'CONN');

  const remotes = logger.lines.filter((line) => line.message === 'connection opened').map((line) => line.fields.remote);
  assert.deepEqual(remotes, ['198.51.100.7:40000', '192.0.2.1:54321', '198.51.100.7:40001']);
});

void test('a listed proxy that sends no header in time gets FAIL TIMEOUT; an overlong one BAD_FRAME', async (t) => {
  const srv = await startTestServer({ proxyProtocolFrom: ['127.0.0.1'], limits: { handshakeTimeoutMs: 200 } });
  t.after(() => srv.cleanup());
  const silent = await RawClient.connect(srv.port);
  t.after(() => silent.destroy());
  const timeout = await silent.next();
  assert.ok(timeout.op === 'FAIL' && timeout.code === ErrorCode.TIMEOUT && timeout.id === 0, JSON.stringify(timeout));

  const overlong = await RawClient.connect(srv.port);
  t.after(() => overlong.destroy());
  overlong.sendRaw(Buffer.from(`PROXY UNKNOWN ${'x'.repeat(200)}`, 'latin1'));
  const bad = await overlong.next();
  assert.ok(bad.op === 'FAIL' && bad.code === ErrorCode.BAD_FRAME, JSON.stringify(bad));
  await overlong.closed;
});

void test('on a TLS-enabled ferryd the TLS handshake follows the PROXY header, and the named client is the peer', async (t) => {
  const { cert, key } = await generateSelfSigned('localhost');
  const logger = recordingLogger();
  const srv = await startTestServer({ logger, tls: { cert, key }, proxyProtocolFrom: ['127.0.0.1'] });
  t.after(() => srv.cleanup());
  const raw = net.connect({ host: '127.0.0.1', port: srv.port });
  t.after(() => raw.destroy());
  await new Promise<void>((resolve) => raw.once('connect', resolve));
  raw.write(Buffer.from(V2_TCP4.replace(/\s+/g, ''), 'hex'));
  const secure = tls.connect({ socket: raw, rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME);
  const reply = new Promise<string>((resolve) => secure.on('data', (chunk: Buffer) => {
    const [frame] = decoder.push(chunk);
    if (frame) resolve(decodeServerMessage(frame).op);
  }));
  secure.write(encodeMessageToBuffer({
    op: 'CONN', id: 1, minVersion: 1, maxVersion: 1, maxFrame: 1 << 20, capabilities: [], authMethod: 'none',
    user: '', secret: '', clientName: 'proxy-tls-test',
  }));
  assert.equal(await reply, 'CONN');
  const opened = logger.lines.find((line) => line.message === 'connection opened');
  assert.equal(opened?.fields.remote, '192.0.2.1:54321');
  assert.equal(opened?.fields.tls, true);
  secure.destroy();
});
