/**
 * A multi-GiB file goes up and comes back through a real ferryd without being
 * held in memory. The source is sparse (a few non-zero marks, including one
 * across 2^31 and, for larger sizes, across and past 2^32), so making it
 * costs nothing; both transfers are
 * checked end to end by the protocol's SHA-256, and the marks are read back
 * at their offsets. The process's RSS (client and server share it here) is
 * sampled throughout and must stay far below the file's size.
 * The default, just over 2 GiB, keeps `npm test` quick while crossing the
 * signed 32-bit boundary; FERRY_TEST_LARGE_BYTES=4295032833 runs it past 2^32
 * (about a minute on the reference machines).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import { startTestServer } from '../helpers/server.js';
import { tempFolderSync } from '../helpers/temp-folders.js';

const SIZE = Number(process.env.FERRY_TEST_LARGE_BYTES ?? 2 ** 31 + 65_537);
const RSS_GROWTH_LIMIT = 300 * 1024 * 1024;

function marks(size: number): { offset: number; bytes: Buffer }[] {
  const offsets = [0, 2 ** 31 - 3, 2 ** 32 - 4, 2 ** 32 + 4096, size - 9].filter((o) => o >= 0 && o + 9 <= size);
  return offsets.map((offset, i) => ({ offset, bytes: Buffer.from(`mark-${i}-ok`.slice(0, 9)) }));
}

function readAt(file: string, offset: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const out = Buffer.alloc(length);
    fs.readSync(fd, out, 0, length, offset);
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

void describe('a multi-GiB file', () => {
  void it(`uploads and downloads ${SIZE} bytes with bounded memory`, { timeout: 15 * 60_000 }, async (t) => {
    const server = await startTestServer();
    const local = tempFolderSync('ferry-large-');
    const source = path.join(local, 'large.bin');
    const fd = fs.openSync(source, 'w');
    for (const mark of marks(SIZE)) fs.writeSync(fd, mark.bytes, 0, mark.bytes.length, mark.offset);
    fs.ftruncateSync(fd, SIZE);
    fs.closeSync(fd);

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const up = await client.upload(source, 'large.bin');
      assert.equal(up.bytes, SIZE);
      const remote = path.join(server.root, 'large.bin');
      assert.equal(fs.statSync(remote).size, SIZE);
      fs.rmSync(source);

      const target = path.join(local, 'large-copy.bin');
      const down = await client.download('large.bin', target);
      assert.equal(down.bytes, SIZE);
      assert.equal(fs.statSync(target).size, SIZE);
      for (const mark of marks(SIZE)) {
        assert.ok(readAt(target, mark.offset, mark.bytes.length).equals(mark.bytes), `mark at ${mark.offset}`);
        assert.ok(readAt(remote, mark.offset, mark.bytes.length).equals(mark.bytes), `server mark at ${mark.offset}`);
      }
      assert.ok(readAt(target, 2 ** 32 - 20, 8).equals(Buffer.alloc(8)), 'zeros between marks');
    } finally {
      clearInterval(sampler);
      if (client.connected) await client.quit();
      await server.cleanup();
      fs.rmSync(local, { recursive: true, force: true });
    }
    const growth = peak - baseline;
    t.diagnostic(`RSS growth ${(growth / 1048576).toFixed(0)} MiB (peak ${(peak / 1048576).toFixed(0)} MiB)`);
    assert.ok(growth < RSS_GROWTH_LIMIT, `RSS grew by ${(growth / 1048576).toFixed(0)} MiB for a ${(SIZE / 2 ** 30).toFixed(1)} GiB file`);
  });
});
