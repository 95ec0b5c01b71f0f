/**
 * A copy between two servers (`relay`) through the TransferQueue, two real
 * ferryd: the source is staged in a private folder under `stagingRoot`, kept
 * while its row can still be retried (failed, cancelled), and gone once the
 * copy is done, its row cleared, or the queue closed. (Resuming each half: relay-resume.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { createRemoteFs } from '../../src/tui/fs/remote-fs.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';
import { startConnectedTestServer, type ConnectedTestServer } from '../helpers/server.js';
import { tempFolder, removeTempFolder } from '../helpers/temp-folders.js';
import { waitUntil } from '../helpers/ink.js';

void test('a copy between two servers is staged in a private folder, removed once done; a failed one keeps it until cleared', async () => {
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
    assert.equal((await fs.readdir(staging)).length, 1, 'the failed copy keeps what it staged for a retry');
    queue.clearFinished();
    await waitUntil(async () => (await fs.readdir(staging)).length === 0, 'the staging folder to go with the cleared row');
  } finally {
    await removeTempFolder(staging);
    await source.cleanup();
    await target.cleanup();
    await readOnly.cleanup();
  }
});

void test('a copy between two servers cancelled mid-way keeps its private staging folder for the retry, which finishes it', async () => {
  const source = await startConnectedTestServer({}, 'ferry-relay-a-');
  const target = await startConnectedTestServer({}, 'ferry-relay-b-');
  const staging = await tempFolder('ferry-relay-staging-');
  const size = 48 * 1024 * 1024;
  try {
    await fs.writeFile(path.join(source.root, 'big.bin'), Buffer.alloc(size, 3));
    const queue = relayQueue(source, target, staging);
    cancelAtFirstProgress(queue, size);
    queue.enqueue([{ direction: 'relay', from: 'local', name: 'big.bin', source: '/big.bin', target: '/big.bin', isFolder: false }]);
    await waitUntil(() => queue.getState().items[0]?.status === 'cancelled', 'the cancel', 20_000);
    await assert.rejects(fs.access(path.join(target.root, 'big.bin')), 'nothing under the final name');
    // The row is still there: so is what it staged, private.
    const folders = await fs.readdir(staging);
    assert.equal(folders.length, 1);
    const folder = folders[0]!;
    assert.ok(folder.startsWith('ferry-relay-'));
    assert.equal((await fs.stat(path.join(staging, folder))).mode & 0o777, 0o700);
    await waitUntil(async () => (await fs.readdir(path.join(staging, folder))).includes('.file.ferry-part'), 'the staged partial file');
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

void test('a staged copy goes with its row: cleared from the queue, or the queue closed with the App', async () => {
  const source = await startConnectedTestServer({}, 'ferry-relay-a-');
  const target = await startConnectedTestServer({}, 'ferry-relay-b-');
  const staging = await tempFolder('ferry-relay-staging-');
  const size = 48 * 1024 * 1024;
  try {
    await fs.writeFile(path.join(source.root, 'big.bin'), Buffer.alloc(size, 5));
    for (const end of ['clear', 'close'] as const) {
      const queue = relayQueue(source, target, staging);
      cancelAtFirstProgress(queue, size);
      queue.enqueue([{ direction: 'relay', from: 'local', name: 'big.bin', source: '/big.bin', target: `/${end}.bin`, isFolder: false }]);
      await waitUntil(() => queue.getState().items[0]?.status === 'cancelled', 'the cancel', 20_000);
      // Kept while the row can be retried...
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal((await fs.readdir(staging)).length, 1, `${end}: the staging folder is kept with its row`);
      // ...and gone with it.
      if (end === 'clear') queue.clearFinished();
      else await queue.close();
      await waitUntil(async () => (await fs.readdir(staging)).length === 0, `${end}: the staging folder to go`);
    }
  } finally {
    await removeTempFolder(staging);
    await source.cleanup();
    await target.cleanup();
  }
});

/** The left pane on `source`, the right one on `target`, staging under `staging`, every progress reported. */
function relayQueue(source: ConnectedTestServer, target: ConnectedTestServer, staging: string): TransferQueue {
  return new TransferQueue({
    client: () => target.client,
    local: createLocalFs(),
    remote: () => createRemoteFs(target.client),
    leftClient: () => source.client,
    leftRemote: () => createRemoteFs(source.client),
    stagingRoot: staging,
    progressIntervalMs: 0,
  });
}

/** The first item is cancelled at its first progress report, long before the end of its `size` bytes. */
function cancelAtFirstProgress(queue: TransferQueue, size: number): void {
  const unsubscribe = queue.subscribe(() => {
    const item = queue.getState().items[0];
    if (item?.status === 'running' && item.bytes > 0 && item.bytes < size) {
      unsubscribe();
      queue.cancel(item.id);
    }
  });
}
