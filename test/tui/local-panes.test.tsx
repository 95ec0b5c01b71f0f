/**
 * Two local panes without a connection, as in mc: copy (F5) with the queue's
 * conflict answers, make folder, and a connection replacing the right pane
 * and giving it back on disconnect. Real folders, a real ferryd,
 * ink-testing-library; the cancel path of a local copy with the queue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { KEYS, loopback, renderApp, waitForFrame, waitUntil } from '../helpers/ink.js';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';

const F5 = '\x1b[15~';

void test('without a connection both panes are local: F5 copies between them, a conflict is asked, F7 makes a folder', { timeout: 60_000 }, async (t) => {
  const dir = await tempFolderFor(t, 'ferry-local-panes-');
  await fs.writeFile(path.join(dir, 'alpha.txt'), 'alpha content');
  await fs.mkdir(path.join(dir, 'sub'));
  await fs.utimes(path.join(dir, 'alpha.txt'), new Date(), new Date('2020-01-02T03:04:05Z'));
  const app = renderApp(dir);
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    // Both panes list the start folder.
    await waitForFrame(app.lastFrame, (f) => !f.includes('Connect to') && f.split('alpha.txt').length === 3 && f.split(`local:${dir}`).length === 3);
    // The right pane goes into sub/ (its cursor is on sub, the first entry).
    app.stdin.write(KEYS.tab);
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes(`local:${path.join(dir, 'sub')}`));
    // Back to the left pane: down to alpha.txt, F5.
    app.stdin.write(KEYS.tab);
    app.stdin.write(KEYS.down);
    app.stdin.write(F5);
    // F5 asks where to, the other pane's folder offered: Enter takes it.
    await waitForFrame(app.lastFrame, (f) => f.includes('To ('));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => /1 transfer finished: 1 done/.test(f));
    const copied = path.join(dir, 'sub', 'alpha.txt');
    assert.equal(await fs.readFile(copied, 'utf8'), 'alpha content');
    assert.equal((await fs.stat(copied)).mtime.toISOString(), '2020-01-02T03:04:05.000Z', 'the mtime is kept');
    await waitForFrame(app.lastFrame, (f) => f.split('alpha.txt').length === 3, 5000);

    // Again: the target exists, the conflict dialog asks; "n" copies under a free name.
    app.stdin.write(F5);
    await waitForFrame(app.lastFrame, (f) => f.includes('To ('));
    app.stdin.write(KEYS.enter);
    // The question takes keys once its guard against keys typed before it appeared is over.
    await waitForFrame(app.lastFrame, (f) => f.includes('Target exists') && f.includes('Copying alpha.txt') && f.includes('Esc: skip'));
    app.stdin.write('n');
    await waitUntil(async () => (await fs.readFile(path.join(dir, 'sub', 'alpha (1).txt'), 'utf8').catch(() => '')) === 'alpha content', 'the renamed copy');

    // F7 in the right (local) pane makes a folder there.
    app.stdin.write(KEYS.tab);
    app.stdin.write(KEYS.f7);
    await waitForFrame(app.lastFrame, (f) => /Make folder|New folder|mkdir/i.test(f));
    app.stdin.write('made');
    app.stdin.write(KEYS.enter);
    await waitUntil(async () => (await fs.stat(path.join(dir, 'sub', 'made')).catch(() => undefined))?.isDirectory() === true, 'the new folder');
    assert.deepEqual((await fs.readdir(path.join(dir, 'sub'))).sort(), ['alpha (1).txt', 'alpha.txt', 'made'], 'no partial file left');
  } finally {
    app.unmount();
  }
});

void test('connecting replaces the right pane with the server; disconnecting brings the local folder back', { timeout: 60_000 }, async (t) => {
  const dir = await tempFolderFor(t, 'ferry-local-panes-');
  await fs.mkdir(path.join(dir, 'sub'));
  await fs.writeFile(path.join(dir, 'sub', 'inside.txt'), 'x');
  const server = await startTestServer({});
  await fs.writeFile(path.join(server.root, 'on-server.txt'), 'y');
  const app = renderApp(dir, { prefill: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Connect to') && f.split(`local:${dir}`).length === 3);
    app.stdin.write(KEYS.tab);
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('inside.txt'));
    // ^O opens the connect dialog (filled); Enter connects: the right pane is the server's.
    app.stdin.write('\x0f');
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.enter);
    const connected = await waitForFrame(app.lastFrame, (f) => f.includes('on-server.txt') && f.includes(`ferry://127.0.0.1:${server.port}/`));
    assert.doesNotMatch(connected, /inside\.txt/);
    // ^D disconnects (nothing running, so no question); Esc at the dialog: the right pane is local again, in sub/.
    app.stdin.write(KEYS.ctrlD);
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Connect to') && f.includes('inside.txt') && f.includes(`local:${path.join(dir, 'sub')}`));
  } finally {
    app.unmount();
    await server.cleanup();
  }
});

void test('a cancelled local copy leaves neither the target nor a partial file', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-local-copy-');
  await fs.writeFile(path.join(dir, 'big.bin'), Buffer.alloc(64 * 1024 * 1024, 3));
  await fs.mkdir(path.join(dir, 'to'));
  const queue = new TransferQueue({ client: () => undefined, local: createLocalFs(), remote: () => undefined, progressIntervalMs: 0 });
  const unsubscribe = queue.subscribe(() => {
    const item = queue.getState().items[0];
    if (item?.status === 'running' && item.bytes > 0) {
      unsubscribe();
      queue.cancel(item.id);
    }
  });
  queue.enqueue([{ direction: 'copy', name: 'big.bin', source: path.join(dir, 'big.bin'), target: path.join(dir, 'to', 'big.bin'), isFolder: false }]);
  await waitUntil(() => queue.getState().items[0]?.status === 'cancelled', 'the cancel');
  await waitUntil(async () => (await fs.readdir(path.join(dir, 'to'))).length === 0, 'the partial file removed');
  // Copied again, it completes.
  queue.retry(queue.getState().items[0]!.id);
  await waitUntil(() => queue.getState().items[0]?.status === 'done', 'the copy', 20_000);
  assert.equal((await fs.stat(path.join(dir, 'to', 'big.bin'))).size, 64 * 1024 * 1024);
});
