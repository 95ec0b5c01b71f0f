/**
 * A copy between two servers (`relay`) through the TransferQueue, two real
 * ferryd: the source is staged in a private folder under `stagingRoot`, and
 * that folder is gone afterwards whether the copy succeeded or failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { createRemoteFs } from '../../src/tui/fs/remote-fs.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';
import { startConnectedTestServer } from '../helpers/server.js';
import { tempFolder, removeTempFolder } from '../helpers/temp-folders.js';
import { waitUntil } from '../helpers/ink.js';

void test('a copy between two servers is staged in a private folder that is removed after, done or failed', async () => {
  const source = await startConnectedTestServer({}, 'ferry-relay-a-');
  const target = await startConnectedTestServer({}, 'ferry-relay-b-');
  const readOnly = await startConnectedTestServer({ readOnly: true }, 'ferry-relay-c-');
  const staging = await tempFolder('ferry-relay-staging-');
  try {
    await fs.writeFile(path.join(source.root, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 9));
    // The left pane on `source`, the right one on `target` (then on the read-only server).
    let right = target;
    const queue = new TransferQueue({
      client: () => right.client,
      local: createLocalFs(),
      remote: () => createRemoteFs(right.client),
      leftClient: () => source.client,
      leftRemote: () => createRemoteFs(source.client),
      stagingRoot: staging,
    });
    let stagedSeen = false;
    queue.subscribe(() => {
      if (queue.getState().items.some((item) => item.status === 'running')) {
        void fs.readdir(staging).then((names) => (stagedSeen ||= names.some((name) => name.startsWith('ferry-relay-'))));
      }
    });
    queue.enqueue([{ direction: 'relay', from: 'local', name: 'big.bin', source: '/big.bin', target: '/big.bin', isFolder: false }]);
    await waitUntil(() => queue.getState().items[0]?.status === 'done', 'the copy', 20_000);
    assert.equal(queue.getState().items[0]?.verification, 'sha256');
    assert.deepEqual(await fs.readFile(path.join(target.root, 'big.bin')), Buffer.alloc(3 * 1024 * 1024, 9));
    assert.ok(stagedSeen, 'the copy went through the staging folder');
    assert.deepEqual(await fs.readdir(staging), []);

    right = readOnly;
    queue.enqueue([{ direction: 'relay', from: 'local', name: 'big.bin', source: '/big.bin', target: '/copy.bin', isFolder: false }]);
    await waitUntil(() => queue.getState().items[1]?.status === 'failed', 'the refused copy', 20_000);
    assert.deepEqual(await fs.readdir(staging), [], 'nothing is left behind by a failed copy');
  } finally {
    await removeTempFolder(staging);
    await source.cleanup();
    await target.cleanup();
    await readOnly.cleanup();
  }
});

void test('a copy between two servers cancelled mid-way stops, leaves no staging folder, and runs again to the end when retried', async () => {
  const source = await startConnectedTestServer({}, 'ferry-relay-a-');
  const target = await startConnectedTestServer({}, 'ferry-relay-b-');
  const staging = await tempFolder('ferry-relay-staging-');
  const size = 48 * 1024 * 1024;
  try {
    await fs.writeFile(path.join(source.root, 'big.bin'), Buffer.alloc(size, 3));
    const queue = new TransferQueue({
      client: () => target.client,
      local: createLocalFs(),
      remote: () => createRemoteFs(target.client),
      leftClient: () => source.client,
      leftRemote: () => createRemoteFs(source.client),
      stagingRoot: staging,
      progressIntervalMs: 0,
    });
    // Cancelled at its first progress report, long before the end.
    const unsubscribe = queue.subscribe(() => {
      const item = queue.getState().items[0];
      if (item?.status === 'running' && item.bytes > 0 && item.bytes < size) {
        unsubscribe();
        queue.cancel(item.id);
      }
    });
    queue.enqueue([{ direction: 'relay', from: 'local', name: 'big.bin', source: '/big.bin', target: '/big.bin', isFolder: false }]);
    await waitUntil(() => queue.getState().items[0]?.status === 'cancelled', 'the cancel', 20_000);
    await waitUntil(async () => (await fs.readdir(staging)).length === 0, 'the staging folder to go', 20_000);
    await assert.rejects(fs.access(path.join(target.root, 'big.bin')), 'nothing under the final name');
    queue.retry(queue.getState().items[0]!.id);
    await waitUntil(() => queue.getState().items[0]?.status === 'done', 'the retried copy', 30_000);
    assert.equal((await fs.stat(path.join(target.root, 'big.bin'))).size, size);
    assert.deepEqual(await fs.readdir(staging), []);
  } finally {
    await removeTempFolder(staging);
    await source.cleanup();
    await target.cleanup();
  }
});
