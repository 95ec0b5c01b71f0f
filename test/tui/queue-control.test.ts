/**
 * Queue control with a real client against a real ferryd: pausing and
 * resuming a transfer, and how many run at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { createRemoteFs } from '../../src/tui/fs/remote-fs.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';
import { isActive } from '../../src/tui/state/transfers.js';
import { startConnectedTestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/ink.js';

const BIG = 48 * 1024 * 1024;

void test('a paused download keeps its partial copy and, resumed, goes on from it', async () => {
  const server = await startConnectedTestServer({}, 'ferry-queue-pause-');
  const { client, local } = server;
  try {
    await fs.writeFile(path.join(server.root, 'big.bin'), Buffer.alloc(BIG, 7));
    const remote = createRemoteFs(client);
    const queue = new TransferQueue({ client: () => client, local: createLocalFs(), remote: () => remote, progressIntervalMs: 0 });
    // Paused on its first progress report, long before the end.
    const unsubscribe = queue.subscribe(() => {
      const item = queue.getState().items[0];
      if (item?.status === 'running' && item.bytes > 0 && item.bytes < BIG) {
        unsubscribe();
        queue.pause(item.id);
      }
    });
    queue.enqueue([{ direction: 'download', name: 'big.bin', source: '/big.bin', target: path.join(local, 'big.bin'), isFolder: false }]);
    await waitUntil(() => queue.getState().items[0]?.status === 'paused', 'the pause');
    const id = queue.getState().items[0]!.id;
    // The abort settles (the client keeps the partial file), and the item stays paused.
    await waitUntil(async () => (await fs.stat(path.join(local, '.big.bin.ferry-part')).catch(() => undefined)) !== undefined, 'the partial copy');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(queue.getState().items[0]?.status, 'paused');
    queue.togglePause(id);
    await waitUntil(() => queue.getState().items[0]?.status === 'done', 'the resumed download', 20_000);
    const done = queue.getState().items[0]!;
    assert.ok(done.resumedFrom > 0, `resumed from ${done.resumedFrom}`);
    assert.equal((await fs.stat(path.join(local, 'big.bin'))).size, BIG);
  } finally {
    await server.cleanup();
  }
});

void test('a paused waiting item is not started; the others go on', async () => {
  const server = await startConnectedTestServer({}, 'ferry-queue-pause-');
  const { client, local } = server;
  try {
    for (const name of ['a.txt', 'b.txt']) await fs.writeFile(path.join(local, name), name);
    const remote = createRemoteFs(client);
    const queue = new TransferQueue({ client: () => client, local: createLocalFs(), remote: () => remote, concurrency: 1 });
    queue.enqueue(['a.txt', 'b.txt'].map((name) => ({ direction: 'upload' as const, name, source: path.join(local, name), target: `/${name}`, isFolder: false })));
    queue.pause(queue.getState().items[1]!.id);
    await waitUntil(() => queue.getState().items[0]?.status === 'done', 'the first upload');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(queue.getState().items[1]?.status, 'paused');
    assert.equal(await fs.stat(path.join(server.root, 'b.txt')).catch(() => undefined), undefined);
    queue.unpause(queue.getState().items[1]!.id);
    await waitUntil(() => queue.getState().items[1]?.status === 'done', 'the second upload');
    assert.equal(await fs.readFile(path.join(server.root, 'b.txt'), 'utf8'), 'b.txt');
  } finally {
    await server.cleanup();
  }
});

void test('the number of transfers at once follows setConcurrency, within 1..8', async () => {
  const server = await startConnectedTestServer({}, 'ferry-queue-at-once-');
  const { client, local } = server;
  try {
    const names = Array.from({ length: 6 }, (_, index) => `f${index}.bin`);
    for (const name of names) await fs.writeFile(path.join(local, name), Buffer.alloc(256 * 1024, 1));
    const remote = createRemoteFs(client);
    const queue = new TransferQueue({ client: () => client, local: createLocalFs(), remote: () => remote, concurrency: 1 });
    let most = 0;
    queue.subscribe(() => {
      most = Math.max(most, queue.getState().items.filter(isActive).length);
    });
    queue.enqueue(names.slice(0, 3).map((name) => ({ direction: 'upload' as const, name, source: path.join(local, name), target: `/${name}`, isFolder: false })));
    await waitUntil(() => queue.getState().items.every((item) => item.status === 'done'), 'the first three');
    assert.equal(most, 1, 'one at a time');

    queue.setConcurrency(3);
    assert.equal(queue.getState().concurrency, 3);
    most = 0;
    queue.enqueue(names.slice(3).map((name) => ({ direction: 'upload' as const, name, source: path.join(local, name), target: `/${name}`, isFolder: false })));
    // All three start before any can finish: each is started by the same pump.
    assert.equal(queue.getState().items.filter(isActive).length, 3);
    await waitUntil(() => queue.getState().items.every((item) => item.status === 'done'), 'the other three');
    assert.ok(most <= 3);

    queue.setConcurrency(0);
    assert.equal(queue.getState().concurrency, 1);
    queue.setConcurrency(99);
    assert.equal(queue.getState().concurrency, 8);
  } finally {
    await server.cleanup();
  }
});
