import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import tls from 'node:tls';
import { decodeServerMessage, encodeMessageToBuffer, FrameDecoder } from '../../src/protocol/codec.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { createLogger } from '../../src/server/log.js';
import { isLoopback, normalizeAddress } from '../../src/server/server.js';
import { generateSelfSigned } from '../../src/security/certificate.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';

/** Speaks Ferry over a TLS socket: sends one CONN and one LIST, returns the frames up to ENTS. */
async function tlsSession(port: number, ca: string): Promise<ServerMessage[]> {
  const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', checkServerIdentity: () => undefined });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const decoder = new FrameDecoder(16 * 1024 * 1024);
  const frames: ServerMessage[] = [];
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const msg = decodeServerMessage(frame);
        frames.push(msg);
        if (msg.op === 'CONN') socket.write(encodeMessageToBuffer({ op: 'LIST', id: 2, path: '', flags: 0 }));
        if (msg.op === 'ENTS' || msg.op === 'FAIL') resolve();
      }
    });
    socket.once('error', reject);
  });
  socket.write(encodeMessageToBuffer({
    op: 'CONN', id: 1, minVersion: 1, maxVersion: 1, maxFrame: 1 << 20, capabilities: [], authMethod: 'none',
    user: '', secret: '', clientName: 'tls-test',
  }));
  await done;
  socket.destroy();
  return frames;
}

void test('ferryd picks AES-128-GCM among the TLS 1.3 suites a default client offers, and still speaks the others', async () => {
  const { cert, key } = await generateSelfSigned('localhost');
  const srv = await startTestServer({ tls: { cert, key } });
  const cipherWith = (ciphers?: string): Promise<string> => new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1', port: srv.port, ca: cert, servername: 'localhost', checkServerIdentity: () => undefined,
      ...(ciphers ? { ciphers } : {}),
    }, () => {
      resolve(socket.getCipher().name);
      socket.destroy();
    });
    socket.once('error', reject);
  });
  try {
    assert.equal(await cipherWith(), 'TLS_AES_128_GCM_SHA256');
    assert.equal(await cipherWith('TLS_CHACHA20_POLY1305_SHA256'), 'TLS_CHACHA20_POLY1305_SHA256');
    assert.equal(await cipherWith('TLS_AES_256_GCM_SHA384'), 'TLS_AES_256_GCM_SHA384');
  } finally {
    await srv.cleanup();
  }
});

void test('with tls set, a connection starting with 0x16 speaks Ferry inside TLS; plain from loopback still works', async () => {
  const { cert, key } = await generateSelfSigned('localhost');
  const srv = await startTestServer({ tls: { cert, key } });
  try {
    await fs.writeFile(path.join(srv.root, 'over-tls.txt'), 'x');
    const frames = await tlsSession(srv.port, cert);
    assert.deepEqual(frames.map((f) => f.op), ['CONN', 'ENTS']);
    const ents = frames[1]!;
    assert.ok(ents.op === 'ENTS' && ents.entries[0]?.name === 'over-tls.txt');
    const plain = await RawClient.open(srv.port);
    assert.equal((await plain.list('')).entries.length, 1);
    await plain.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('loopback detection for the plain-TCP rule', () => {
  for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.equal(isLoopback(address), true, address);
  for (const address of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', '128.0.0.1']) assert.equal(isLoopback(address), false, address);
  assert.equal(normalizeAddress('::ffff:10.1.2.3'), '10.1.2.3');
});

void test('start-up removes upload temporary files older than tempMaxAgeMs and keeps fresh ones and other files', async () => {
  const srv0 = await startTestServer();
  const root = srv0.root;
  try {
    await fs.mkdir(path.join(root, 'deep/er'), { recursive: true });
    const old = new Date(Date.now() - 2 * 3600_000);
    const stale = ['.a.ferry-part', 'deep/er/.b.txt.ferry-part'];
    for (const name of stale) {
      await fs.writeFile(path.join(root, name), 'partial');
      await fs.utimes(path.join(root, name), old, old);
    }
    await fs.writeFile(path.join(root, '.fresh.ferry-part'), 'partial');
    await fs.writeFile(path.join(root, 'ferry-part'), 'not a temp');
    await fs.writeFile(path.join(root, 'old.txt'), 'old but ordinary');
    await fs.utimes(path.join(root, 'old.txt'), old, old);
    const srv = await startTestServer({ root, limits: { tempMaxAgeMs: 3600_000 } });
    // The sweep runs in the background at start (listings hide temporary files, so look at the disk).
    const onDisk = async (): Promise<string[]> => (await fs.readdir(root, { recursive: true })).map(String).sort();
    let names: string[] = [];
    for (let i = 0; i < 250; i++) {
      names = await onDisk();
      if (!names.includes('.a.ferry-part') && !names.includes(path.join('deep', 'er', '.b.txt.ferry-part'))) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(names, ['.fresh.ferry-part', 'deep', path.join('deep', 'er'), 'ferry-part', 'old.txt']);
    await srv.cleanup();
  } finally {
    await srv0.cleanup();
  }
});

void test('createLogger: JSON lines off a terminal, readable lines on one, levels filter', () => {
  const collect = (isTTY: boolean, level: 'warn' | 'debug'): string[] => {
    const stream = Object.assign(new PassThrough(), { isTTY });
    const lines: string[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const logger = createLogger({ level, stream }).child({ session: 3 });
    logger.debug('hidden unless debug');
    logger.info('request', { path: 'a b.txt', ms: 4 });
    logger.warn('limit reached', { remote: '127.0.0.1' });
    logger.error('boom', { error: new Error('bad') });
    return lines;
  };
  const json = collect(false, 'warn').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(json.map((l) => [l.level, l.msg, l.session]), [['warn', 'limit reached', 3], ['error', 'boom', 3]]);
  assert.equal(json[1]!.error, 'bad');
  const pretty = collect(true, 'debug');
  assert.equal(pretty.length, 4);
  assert.match(pretty[1]!, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}request session=3 path="a b\.txt" ms=4\n$/);
});
