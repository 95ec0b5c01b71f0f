/**
 * TransferQueue with a real client against a real ferryd and real folders:
 * the conflict answers, and what the queue's rows say about them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { createRemoteFs } from '../../src/tui/fs/remote-fs.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';
import { startConnectedTestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/ink.js';

void test('answering a conflict takes the item out of the conflict state at once; "rename" names the row after the new target', async () => {
  const server = await startConnectedTestServer({}, 'ferry-queue-local-');
  const { client, local } = server;
  try {
    await fs.writeFile(path.join(local, 'same.txt'), 'local');
    await fs.writeFile(path.join(server.root, 'same.txt'), 'remote');
    const remote = createRemoteFs(client);
    const queue = new TransferQueue({ client: () => client, local: createLocalFs(), remote: () => remote });
    queue.enqueue([{ direction: 'upload', name: 'same.txt', source: path.join(local, 'same.txt'), target: '/same.txt', isFolder: false }]);
    await waitUntil(() => queue.pendingConflict() !== undefined, 'the conflict');
    const item = queue.pendingConflict()!;
    const answered = queue.resolveConflict(item.id, 'rename', false);
    assert.equal(queue.pendingConflict(), undefined, 'no question pending while the free name is looked up');
    await answered;
    await waitUntil(() => queue.getState().items[0]?.status === 'done', 'the upload');
    assert.equal(queue.getState().items[0]?.name, 'same (1).txt');
    assert.equal(await fs.readFile(path.join(server.root, 'same (1).txt'), 'utf8'), 'local');
    assert.equal(await fs.readFile(path.join(server.root, 'same.txt'), 'utf8'), 'remote');
  } finally {
    await server.cleanup();
  }
});
