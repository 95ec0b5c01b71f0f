/**
 * client.openRead against a real ferryd: a file read in order to its end,
 * a read from an offset with the prefix hash (and a wrong hash refused), a
 * read stopped half-way with CANC leaving the session usable, and credit
 * given back only as bytes are taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorCode, isFerryError } from '../../src/protocol/errors.js';
import { startConnectedTestServer } from '../helpers/server.js';
import type { RemoteReadStream } from '../../src/client/types.js';

async function readAll(stream: RemoteReadStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let data = await stream.read(); data; data = await stream.read()) parts.push(Buffer.from(data));
  return Buffer.concat(parts);
}

void test('openRead: the whole file in order, from an offset with its prefix hash, a wrong hash refused, and CANC half-way', async () => {
  const server = await startConnectedTestServer();
  try {
    const content = randomBytes(3 * 1024 * 1024 + 123);
    await fs.writeFile(path.join(server.root, 'data.bin'), content);

    const whole = await server.client.openRead('/data.bin', { window: 64 * 1024 });
    assert.equal(whole.size, content.length);
    assert.ok((await readAll(whole)).equals(content));
    assert.equal(await whole.read(), undefined, 'after the end: undefined again');

    const offset = 1024 * 1024;
    const prefixHash = createHash('sha256').update(content.subarray(0, offset)).digest();
    const tail = await server.client.openRead('/data.bin', { offset, prefixHash });
    assert.ok((await readAll(tail)).equals(content.subarray(offset)));

    await assert.rejects(
      server.client.openRead('/data.bin', { offset, prefixHash: createHash('sha256').update('other').digest() }),
      (error) => isFerryError(error, ErrorCode.HASH_MISMATCH),
    );
    await assert.rejects(server.client.openRead('/data.bin', { offset }), (error) => isFerryError(error, ErrorCode.BAD_FRAME));

    const half = await server.client.openRead('/data.bin', { window: 64 * 1024 });
    const first = await half.read();
    assert.ok(first && first.length <= 64 * 1024, 'no more than the window arrives before credit is given back');
    const pending = half.read();
    half.close();
    // The pending read either got bytes already on their way or was cancelled.
    await pending.then(() => undefined, (error: unknown) => assert.ok(isFerryError(error, ErrorCode.CANCELLED)));
    await assert.rejects(half.read(), (error) => isFerryError(error, ErrorCode.CANCELLED));
    assert.equal((await server.client.stat('/data.bin')).size, content.length, 'the session goes on after the CANC');
  } finally {
    await server.cleanup();
  }
});
