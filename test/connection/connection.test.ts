/**
 * The connection layer and handshake against a scripted peer: routing of
 * out-of-order replies, the in-flight limit, cancel, every way a connection
 * can end (socket closed, FAIL id 0, malformed frame), and TLS trust.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { ENTS_LAST, EntryKind, type ClientMessage, type Entry } from '../../src/protocol/messages.js';
import { RequestIdAllocator } from '../../src/connection/request-ids.js';
import { isLoopbackHost } from '../../src/net/host.js';
import { startFakeServer } from '../client/fake-server.js';

const entry = (name: string): Entry => ({ name, kind: EntryKind.FILE, size: 1, mtimeMs: 0, mode: 0o644 });

function hasCode(code: number) {
  return (error: unknown): boolean => error instanceof FerryError && error.code === code;
}

void describe('connection layer', () => {
  void it('routes replies that arrive out of order to their requests', async () => {
    const pending: ClientMessage[] = [];
    const server = await startFakeServer({
      onMessage(msg, peer) {
        if (msg.op !== 'STAT') return;
        pending.push(msg);
        if (pending.length === 3) {
          for (const request of pending.reverse()) peer.send({ op: 'STAT', id: request.id, entry: entry('path' in request ? request.path : '') });
        }
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const names = await Promise.all(['a', 'b', 'c'].map(async (p) => (await client.stat(p)).name));
      assert.deepEqual(names, ['a', 'b', 'c']);
      const ids = new Set(pending.map((m) => m.id));
      assert.equal(ids.size, 3);
      assert.ok(!ids.has(0), 'id 0 is only for CONN');
    } finally {
      client.close();
      await server.close();
    }
  });

  void it('keeps at most maxInFlight requests open and queues the rest', async () => {
    let open = 0;
    let maxOpen = 0;
    const server = await startFakeServer({
      maxInFlight: 2,
      onMessage(msg, peer) {
        if (msg.op !== 'STAT') return;
        open++;
        maxOpen = Math.max(maxOpen, open);
        setTimeout(() => {
          open--;
          peer.send({ op: 'STAT', id: msg.id, entry: entry(msg.path) });
        }, 5);
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const results = await Promise.all(Array.from({ length: 7 }, (_, i) => client.stat(`f${i}`)));
      assert.deepEqual(results.map((e) => e.name), Array.from({ length: 7 }, (_, i) => `f${i}`));
      assert.equal(maxOpen, 2);
    } finally {
      client.close();
      await server.close();
    }
  });

  void it('streams LIST batches to onBatch and ends on the last one', async () => {
    const server = await startFakeServer({
      onMessage(msg, peer) {
        if (msg.op !== 'LIST') return;
        peer.send({ op: 'ENTS', id: msg.id, flags: 0, entries: [entry('1'), entry('2')] });
        peer.send({ op: 'ENTS', id: msg.id, flags: 0, entries: [entry('3')] });
        peer.send({ op: 'ENTS', id: msg.id, flags: ENTS_LAST, entries: [] });
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const batches: number[] = [];
      const all = await client.list('/d/', { onBatch: (batch) => batches.push(batch.length) });
      assert.deepEqual(all.map((e) => e.name), ['1', '2', '3']);
      assert.deepEqual(batches, [2, 1, 0]);
      const list = server.received.find((m) => m.op === 'LIST');
      assert.equal(list && 'path' in list ? list.path : undefined, '/d', 'trailing slash stripped');
    } finally {
      client.close();
      await server.close();
    }
  });

  void it('cancels with CANC, rejects CANCELLED, and ignores the late reply', async () => {
    const server = await startFakeServer({
      onMessage(msg, peer) {
        if (msg.op === 'CANC') peer.send({ op: 'FAIL', id: msg.id, code: ErrorCode.CANCELLED, message: 'cancelled' });
        if (msg.op === 'STAT') peer.send({ op: 'STAT', id: msg.id, entry: entry(msg.path) });
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const controller = new AbortController();
      const listing = client.list('slow', { signal: controller.signal });
      setTimeout(() => controller.abort(), 10);
      await assert.rejects(listing, hasCode(ErrorCode.CANCELLED));
      // The session goes on.
      assert.equal((await client.stat('after')).name, 'after');
      assert.ok(server.received.some((m) => m.op === 'CANC'));
    } finally {
      client.close();
      await server.close();
    }
  });

  void it('rejects pending requests with CONNECTION_LOST when the server drops the socket', async () => {
    const server = await startFakeServer({ onMessage: (msg, peer) => msg.op === 'STAT' && peer.socket.destroy() });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    try {
      await assert.rejects(client.stat('x'), hasCode(ErrorCode.CONNECTION_LOST));
      const reason = await closed;
      assert.ok(reason instanceof FerryError && reason.code === ErrorCode.CONNECTION_LOST);
      assert.equal(client.connected, false);
      await assert.rejects(client.stat('y'), hasCode(ErrorCode.CONNECTION_LOST));
    } finally {
      await server.close();
    }
  });

  void it('ends the session on a FAIL with id 0 and names the server\'s reason', async () => {
    const server = await startFakeServer({
      onMessage: (msg, peer) => msg.op === 'STAT' && peer.send({ op: 'FAIL', id: 0, code: ErrorCode.TIMEOUT, message: 'idle' }),
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      await assert.rejects(client.stat('x'), (error: unknown) => hasCode(ErrorCode.CONNECTION_LOST)(error)
        && (error as Error).message.includes('TIMEOUT'));
    } finally {
      await server.close();
    }
  });

  void it('closes on a malformed frame from the server', async () => {
    const server = await startFakeServer({
      onMessage(msg, peer) {
        if (msg.op !== 'STAT') return;
        // A STAT reply whose entry is cut short.
        const bad = Buffer.alloc(14);
        bad.writeUInt32BE(10, 0);
        bad.write('STAT', 4, 'latin1');
        bad.writeUInt32BE(msg.id, 8);
        peer.sendRaw(bad);
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      await assert.rejects(client.stat('x'), hasCode(ErrorCode.CONNECTION_LOST));
      assert.equal(client.connected, false);
    } finally {
      await server.close();
    }
  });

  void it('reports a refused login with the server\'s code', async () => {
    const server = await startFakeServer({
      onConn: (msg, peer) => {
        assert.equal(msg.authMethod, 'password');
        assert.equal(msg.secret, 'pw');
        peer.send({ op: 'FAIL', id: msg.id, code: ErrorCode.AUTH, message: 'bad password' });
        peer.socket.end();
      },
    });
    try {
      await assert.rejects(FerryClient.connect({ host: '127.0.0.1', port: server.port, user: 'u', password: 'pw' }), hasCode(ErrorCode.AUTH));
    } finally {
      await server.close();
    }
  });

  void it('times out a server that never answers the handshake', async () => {
    const server = await startFakeServer({ onConn: () => undefined });
    try {
      await assert.rejects(FerryClient.connect({ host: '127.0.0.1', port: server.port, timeoutMs: 200 }), hasCode(ErrorCode.TIMEOUT));
    } finally {
      await server.close();
    }
  });

  void it('reports a refused connection as CONNECTION_LOST', async () => {
    const server = await startFakeServer();
    const { port } = server;
    await server.close();
    await assert.rejects(FerryClient.connect({ host: '127.0.0.1', port }), hasCode(ErrorCode.CONNECTION_LOST));
  });
});

void describe('TLS trust', () => {
  let dir: string;
  let key = '';
  let cert = '';
  let fingerprint = '';
  let haveOpenssl = true;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=ferry-test'],
      { stdio: 'ignore' });
    } catch {
      haveOpenssl = false;
      return;
    }
    key = fs.readFileSync(path.join(dir, 'key.pem'), 'utf8');
    cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    fingerprint = new X509Certificate(cert).fingerprint256;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  void it('refuses a TLS server without a trust callback, before sending CONN', async (t) => {
    if (!haveOpenssl) return t.skip('openssl is not installed');
    const server = await startFakeServer({ tls: { key, cert } });
    try {
      await assert.rejects(FerryClient.connect({ host: '127.0.0.1', port: server.port, tls: 'require' }), hasCode(ErrorCode.TRUST));
      await assert.rejects(FerryClient.connect({
        host: '127.0.0.1', port: server.port, tls: 'require', verifyFingerprint: () => Promise.resolve(false),
      }), hasCode(ErrorCode.TRUST));
      assert.equal(server.received.length, 0, 'no CONN (and so no password) reached an untrusted server');
    } finally {
      await server.close();
    }
  });

  void it('connects when the fingerprint is trusted, and reports it', async (t) => {
    if (!haveOpenssl) return t.skip('openssl is not installed');
    const server = await startFakeServer({ tls: { key, cert } });
    const seen: string[] = [];
    try {
      const client = await FerryClient.connect({
        host: '127.0.0.1', port: server.port, tls: 'require',
        verifyFingerprint: (fp, host, port) => {
          seen.push(`${fp} ${host}:${port}`);
          return Promise.resolve(true);
        },
      });
      assert.equal(client.info.tls, true);
      assert.equal(client.info.fingerprint, fingerprint);
      assert.deepEqual(seen, [`${fingerprint} 127.0.0.1:${server.port}`]);
      assert.match(fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      client.close();
    } finally {
      await server.close();
    }
  });
});

void describe('request ids and hosts', () => {
  void it('never hands out an id in use, nor 0', () => {
    const ids = new RequestIdAllocator();
    const a = ids.allocate();
    const b = ids.allocate();
    assert.deepEqual([a, b], [1, 2]);
    ids.release(a);
    assert.equal(ids.allocate(), 3);
    assert.equal(ids.size, 2);
  });

  void it('knows loopback hosts', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['example.com', '10.0.0.1', '::2', '128.0.0.1']) assert.ok(!isLoopbackHost(host), host);
  });
});
