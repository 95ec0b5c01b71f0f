import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';

/** Creating 20 000 files on this disk takes seconds; a RAM folder (when there is one) takes a fraction. */
async function fastTempRoot(): Promise<string> {
  const ram = '/dev/shm';
  const base = await fs.access(ram, fs.constants.W_OK).then(() => ram, () => os.tmpdir());
  return fs.mkdtemp(path.join(base, 'ferry-test-list-'));
}

void test('a folder of 20 000 entries streams in many ENTS batches, every entry once', async () => {
  const root = await fastTempRoot();
  const srv = await startTestServer({ root, limits: { maxFrame: 65536 } });
  try {
    const folder = path.join(srv.root, 'many');
    await fs.mkdir(folder);
    const count = 20_000;
    for (let start = 0; start < count; start += 500) {
      await Promise.all(Array.from({ length: Math.min(500, count - start) }, (_, i) =>
        fs.writeFile(path.join(folder, `file-${String(start + i).padStart(6, '0')}.dat`), '')));
    }
    const c = await RawClient.open(srv.port);
    const { entries, frames } = await c.list('many');
    assert.equal(entries.length, count);
    assert.equal(new Set(entries.map((e) => e.name)).size, count);
    assert.ok(frames >= 10, `only ${frames} ENTS frames`);
    const recursive = await c.list('', 1);
    assert.equal(recursive.entries.length, count + 1);
    assert.ok(recursive.entries.some((e) => e.name === 'many/file-019999.dat'));
    await c.quit();
  } finally {
    await srv.cleanup();
    await fs.rm(root, { recursive: true, force: true });
  }
});
