import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';

function assertFail(msg: ServerMessage, code: number, id?: number): void {
  assert.equal(msg.op, 'FAIL', `expected FAIL, got ${JSON.stringify(msg)}`);
  if (msg.op !== 'FAIL') return;
  assert.equal(msg.code, code, `code ${msg.code} (${msg.message})`);
  if (id !== undefined) assert.equal(msg.id, id);
}

void test('no common version → FAIL VERSION with the CONN id, then close', async () => {
  const srv = await startTestServer();
  try {
    const client = await RawClient.connect(srv.port);
    const reply = await client.handshake({ minVersion: 2, maxVersion: 3 });
    assertFail(reply, ErrorCode.VERSION, 1);
    await client.closed;
  } finally {
    await srv.cleanup();
  }
});

void test('bad magic → FAIL BAD_FRAME, then close', async () => {
  const srv = await startTestServer();
  try {
    const client = await RawClient.connect(srv.port);
    client.sendRaw('0000001e 434f4e4e 00000001 46545020 0001 0001 00400000 0000 0000 0000 0000 0000');
    assertFail(await client.next(), ErrorCode.BAD_FRAME, 1);
    await client.closed;
  } finally {
    await srv.cleanup();
  }
});

void test('any frame before the handshake → FAIL AUTH id 0, then close; nothing is served', async () => {
  const srv = await startTestServer();
  try {
    const client = await RawClient.connect(srv.port);
    client.send({ op: 'LIST', id: 2, path: '', flags: 0 });
    assertFail(await client.next(), ErrorCode.AUTH, 0);
    await client.closed;
  } finally {
    await srv.cleanup();
  }
});

void test('a frame above the pre-handshake limit → FAIL FRAME_TOO_LARGE id 0, then close', async () => {
  const srv = await startTestServer();
  try {
    const client = await RawClient.connect(srv.port);
    client.sendRaw('00010001 434f4e4e');
    assertFail(await client.next(), ErrorCode.FRAME_TOO_LARGE, 0);
    await client.closed;
  } finally {
    await srv.cleanup();
  }
});

void test('maxFrame is negotiated within 64 KiB … the server limit', async () => {
  const srv = await startTestServer({ limits: { maxFrame: 1 << 20 } });
  try {
    const small = await RawClient.connect(srv.port);
    const a = await small.handshake({ maxFrame: 1000 });
    assert.equal(a.op === 'CONN' && a.maxFrame, 65536);
    const big = await RawClient.connect(srv.port);
    const b = await big.handshake({ maxFrame: 0xffffffff });
    assert.equal(b.op === 'CONN' && b.maxFrame, 1 << 20);
    await small.quit();
    await big.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('password login without an authenticate hook is refused with AUTH', async () => {
  const srv = await startTestServer();
  try {
    const client = await RawClient.connect(srv.port);
    assertFail(await client.handshake({ authMethod: 'password', user: 'ada', secret: 'x' }), ErrorCode.AUTH, 1);
    await client.closed;
    const other = await RawClient.connect(srv.port);
    assertFail(await other.handshake({ authMethod: 'magic' }), ErrorCode.AUTH, 1);
    await other.closed;
  } finally {
    await srv.cleanup();
  }
});

void test('the authenticate hook sees the credentials and decides user, root and read-only', async () => {
  const attempts: string[] = [];
  const srv = await startTestServer({
    authenticate: async (attempt) => {
      attempts.push(`${attempt.method}:${attempt.user}:${attempt.secret}:${attempt.remoteAddress}`);
      if (attempt.secret !== 'right') throw new FerryError(ErrorCode.AUTH, 'wrong password');
      return { user: attempt.user, root: srv.root, readOnly: true };
    },
  });
  try {
    const bad = await RawClient.connect(srv.port);
    assertFail(await bad.handshake({ authMethod: 'password', user: 'ada', secret: 'wrong' }), ErrorCode.AUTH, 1);
    await bad.closed;
    const good = await RawClient.connect(srv.port);
    const reply = await good.handshake({ authMethod: 'password', user: 'ada', secret: 'right' });
    assert.equal(reply.op, 'CONN');
    if (reply.op === 'CONN') {
      assert.equal(reply.user, 'ada');
      assert.equal(reply.flags, 1);
    }
    assertFail(await good.request({ op: 'MKDR', id: 3, path: 'x', flags: 0 }), ErrorCode.PERMISSION, 3);
    assert.deepEqual(attempts, ['password:ada:wrong:127.0.0.1', 'password:ada:right:127.0.0.1']);
    await good.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('a second CONN after the handshake → FAIL BAD_FRAME, the session continues', async () => {
  const srv = await startTestServer();
  try {
    const client = await RawClient.open(srv.port);
    const again = await client.handshake();
    assertFail(again, ErrorCode.BAD_FRAME, 1);
    const { entries } = await client.list('');
    assert.deepEqual(entries, []);
    await client.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('a request with id 0 after the handshake is a connection error', async () => {
  const srv = await startTestServer();
  try {
    const client = await RawClient.open(srv.port);
    client.send({ op: 'STAT', id: 0, path: '' });
    assertFail(await client.next(), ErrorCode.BAD_FRAME, 0);
    await client.closed;
  } finally {
    await srv.cleanup();
  }
});

void test('handshake timeout → FAIL TIMEOUT id 0, then close', async () => {
  const srv = await startTestServer({ limits: { handshakeTimeoutMs: 150 } });
  try {
    const client = await RawClient.connect(srv.port);
    assertFail(await client.next(), ErrorCode.TIMEOUT, 0);
    await client.closed;
  } finally {
    await srv.cleanup();
  }
});

void test('idle timeout closes a silent session but never one with a request in flight', async () => {
  const srv = await startTestServer({ limits: { idleTimeoutMs: 200 } });
  try {
    const idle = await RawClient.open(srv.port);
    assertFail(await idle.next(), ErrorCode.TIMEOUT, 0);
    await idle.closed;
    // A download held at window 0 sends nothing for longer than the idle timeout, and survives.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${srv.root}/f.bin`, Buffer.alloc(1000, 7));
    const busy = await RawClient.open(srv.port);
    busy.send({ op: 'DWLD', id: 5, path: 'f.bin', offset: 0, prefixHash: Buffer.alloc(0), window: 0 });
    assert.equal((await busy.nextFor(5)).op, 'OPEN');
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(busy.ended, false);
    busy.send({ op: 'WIND', id: 5, increment: 1000 });
    assert.equal((await busy.nextFor(5)).op, 'DATA');
    assert.equal((await busy.nextFor(5)).op, 'HASH');
    await busy.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('per-address connection limit → FAIL LIMIT id 0 for the one too many', async () => {
  const srv = await startTestServer({ limits: { maxConnectionsPerAddress: 3 } });
  try {
    const held = await Promise.all([1, 2, 3].map(() => RawClient.open(srv.port)));
    const extra = await RawClient.connect(srv.port);
    assertFail(await extra.next(), ErrorCode.LIMIT, 0);
    await extra.closed;
    await held[0]!.quit();
    // A slot is free again once a connection is gone.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await RawClient.open(srv.port);
    await again.quit();
    for (const client of held.slice(1)) await client.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('total connection limit → FAIL LIMIT id 0', async () => {
  const srv = await startTestServer({ limits: { maxConnections: 2 } });
  try {
    const held = await Promise.all([1, 2].map(() => RawClient.open(srv.port)));
    const extra = await RawClient.connect(srv.port);
    assertFail(await extra.next(), ErrorCode.LIMIT, 0);
    for (const client of held) await client.quit();
  } finally {
    await srv.cleanup();
  }
});
