import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startTestServer } from '../helpers/server.js';
import { codeOf, RawClient } from './raw-client.js';

void test('malformed frames get coded FAILs for their id and the session keeps serving', async () => {
  const srv = await startTestServer();
  try {
    await fs.writeFile(path.join(srv.root, 'f'), 'x');
    const c = await RawClient.open(srv.port);
    const cases: [string, string, number][] = [
      ['unknown opcode', '00000008 4e4f5045 0000000b', ErrorCode.UNSUPPORTED],
      ['server-only opcode', '00000029 4f50454e 0000000c 0000000000000000 0000000000000000 0000000000000000 00000000 00 00000000', ErrorCode.UNSUPPORTED],
      ['truncated UTF-8', '0000000c 53544154 0000000d 0002 c328', ErrorCode.BAD_FRAME],
      ['surrogate', '0000000d 44454c46 0000000e 0003 eda080', ErrorCode.BAD_FRAME],
      ['overlong', '0000000c 44454c46 0000000f 0002 c0af', ErrorCode.BAD_FRAME],
      ['string past the end', '0000000b 53544154 00000010 0010 61', ErrorCode.BAD_FRAME],
      ['missing flags', '0000000e 4c495354 00000011 0004 646f6373', ErrorCode.BAD_FRAME],
      ['trailing byte', '0000000c 53544154 00000012 0001 66 00', ErrorCode.BAD_FRAME],
      ['hash length 16', '00000028 44574c44 00000013 0001 66 0000000000000003 10 000102030405060708090a0b0c0d0e0f 00010000', ErrorCode.BAD_FRAME],
      ['offset above 2^53-1', '00000018 44574c44 00000014 0001 66 0020000000000000 00 00010000', ErrorCode.BAD_FRAME],
      ['garbage payload', '00000010 55504c44 00000015 ffffffffffffffff', ErrorCode.BAD_FRAME],
      ['malformed DATA for an unknown id', '0000000a 44415441 00000016 0000', ErrorCode.BAD_FRAME],
    ];
    for (const [what, hex, code] of cases) {
      c.sendRaw(hex);
      const reply = await c.next(undefined, 5000).catch((error: Error) => {
        throw new Error(`${what}: ${error.message}`);
      });
      assert.equal(codeOf(reply), code, what);
    }
    assert.equal(codeOf(await c.request({ op: 'STAT', id: 50, path: 'f' })), 'STAT');
    await c.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('a length out of bounds ends only that session; others keep working', async () => {
  const srv = await startTestServer({ limits: { maxFrame: 65536 } });
  try {
    await fs.writeFile(path.join(srv.root, 'f'), 'x');
    const bystander = await RawClient.open(srv.port);
    const tooLarge = await RawClient.open(srv.port);
    tooLarge.sendRaw('00010001 53544154 00000002');
    const fail = await tooLarge.next();
    assert.equal(codeOf(fail), ErrorCode.FRAME_TOO_LARGE);
    assert.equal(fail.id, 0);
    await tooLarge.closed;
    const tooShort = await RawClient.open(srv.port);
    tooShort.sendRaw('00000007 4e4f5045 00000001');
    const short = await tooShort.next();
    assert.equal(codeOf(short), ErrorCode.BAD_FRAME);
    assert.equal(short.id, 0);
    await tooShort.closed;
    const garbage = await RawClient.open(srv.port);
    garbage.sendRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(codeOf(await garbage.next()), ErrorCode.FRAME_TOO_LARGE);
    await garbage.closed;
    assert.equal(codeOf(await bystander.request({ op: 'STAT', id: 9, path: 'f' })), 'STAT');
    const got = await bystander.download('f');
    assert.ok('content' in got && got.content.toString() === 'x');
    await bystander.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('random bytes from many clients never stop the server', async () => {
  const srv = await startTestServer({ limits: { handshakeTimeoutMs: 500 } });
  try {
    const { randomBytes } = await import('node:crypto');
    let seed = 1;
    for (let round = 0; round < 30; round++) {
      const c = await RawClient.connect(srv.port);
      if (round % 2 === 0) await c.handshake();
      c.sendRaw(randomBytes(1 + (seed = (seed * 48271) % 2147483647) % 300));
      c.destroy();
    }
    const ok = await RawClient.open(srv.port);
    assert.deepEqual((await ok.list('')).entries, []);
    await ok.quit();
  } finally {
    await srv.cleanup();
  }
});
