/**
 * The recursive compare (D) and the sync dialog (Y) against a real ferryd in
 * the app: folders are selected when anything below them differs, with a
 * summary over the whole trees; the sync dialog shows the plan with its
 * --delete and --checksum choices and runs it as a row of the transfer queue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SyncEntry } from '../../src/sync/place.js';
import { compareTreeListings, describeTreeComparison } from '../../src/tui/actions/compare-recursive.js';
import { folderWith, withConnectedApp } from '../helpers/connected-app.js';
import { KEYS, settle, waitForFrame, waitUntil } from '../helpers/ink.js';
import { startConnectedTestServer } from '../helpers/server.js';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { createRemoteFs } from '../../src/tui/fs/remote-fs.js';
import type { TransferItem } from '../../src/tui/state/transfers.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';

const file = (p: string, size: number, mtimeMs: number): SyncEntry => ({ path: p, kind: 'file', size, mtimeMs, mode: 0o644 });
const folder = (p: string): SyncEntry => ({ path: p, kind: 'folder', size: 0, mtimeMs: 0, mode: 0o755 });

void test('compareTreeListings selects the top entries holding differences, on the side that should send them', () => {
  const c = compareTreeListings(
    [folder('same'), file('same/a', 1, 1), folder('docs'), folder('docs/deep'), file('docs/deep/new', 3, 20),
      file('docs/deep/old', 1, 5), folder('mine'), file('mine/x', 1, 1), file('clash', 1, 7)],
    [folder('same'), file('same/a', 1, 1), folder('docs'), folder('docs/deep'), file('docs/deep/new', 2, 10),
      file('docs/deep/old', 1, 9), folder('theirs'), folder('theirs/empty'), file('clash', 2, 7)],
  );
  assert.deepEqual([...c.local].sort(), ['clash', 'docs', 'mine']);
  assert.deepEqual([...c.remote].sort(), ['clash', 'docs', 'theirs']);
  assert.deepEqual(
    [c.onlyLocal, c.onlyRemote, c.newerLocal, c.newerRemote, c.conflicting], [1, 0, 1, 1, 1],
  );
  assert.equal(
    describeTreeComparison(c),
    'compare (recursive): 1 only left, 1 newer left, 1 newer right, 1 same time, other size files — 3 left, 3 right selected',
  );
  assert.equal(describeTreeComparison(compareTreeListings([file('a', 1, 1)], [file('a', 1, 1)])), 'compare (recursive): both trees are alike');
});

async function writeAt(top: string, relative: string, content: string, when: Date): Promise<void> {
  const full = path.join(top, ...relative.split('/'));
  await fs.mkdir(path.dirname(full), { recursive: true });
  await fs.writeFile(full, content);
  await fs.utimes(full, when, when);
}

const T = new Date('2024-01-01T00:00:00Z');
const LATER = new Date('2024-06-01T00:00:00Z');

const marked = (frame: string, name: string): boolean =>
  frame.split('\n').some((line) => new RegExp(`\\*\\S?\\s?${name.replace('.', '\\.')}`).test(line));

void test('D selects folders whose trees differ, in both panes, and sums up', async () => {
  const local = await folderWith({});
  const remoteRoot = await folderWith({});
  await writeAt(local, 'same/deep/a.txt', 'same', T);
  await writeAt(remoteRoot, 'same/deep/a.txt', 'same', T);
  await writeAt(local, 'docs/deep/er/edited.txt', 'new text', LATER);
  await writeAt(remoteRoot, 'docs/deep/er/edited.txt', 'old', T);
  await writeAt(remoteRoot, 'extra/only-there.txt', 'x', T);
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('extra'));
    app.stdin.write('D');
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('compare (recursive): 1 only'));
    assert.match(frame, /compare \(recursive\): 1 only right, 1 newer left/);
    const lines = frame.split('\n');
    // The two panes sit side by side: the left half of each line is the local pane.
    const half = (line: string, right: boolean): string => (right ? line.slice(Math.floor(line.length / 2)) : line.slice(0, Math.floor(line.length / 2)));
    const markedOn = (name: string, right: boolean): boolean => lines.some((line) => marked(half(line, right), name));
    assert.ok(markedOn('docs', false) && !markedOn('docs', true), frame);
    assert.ok(markedOn('extra', true), frame);
    assert.ok(!markedOn('same', false) && !markedOn('same', true), frame);
  });
});

void test('Y shows the plan, d adds the deletions, Enter runs it in the queue and the server folder becomes like the local one', async () => {
  const local = await folderWith({});
  const remoteRoot = await folderWith({});
  await writeAt(local, 'a.txt', 'alpha', T);
  await writeAt(local, 'sub/b.txt', 'beta', T);
  await writeAt(local, 'same.txt', 'same', T);
  await writeAt(remoteRoot, 'same.txt', 'same', T);
  await writeAt(remoteRoot, 'sub/b.txt', 'old!', LATER);
  await writeAt(remoteRoot, 'extra.txt', 'only on the server', T);
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('extra.txt'));
    // The remote pane is active after connecting: the sync goes from the local pane.
    app.stdin.write(KEYS.tab);
    await settle();
    app.stdin.write('Y');
    let frame = await waitForFrame(app.lastFrame, (f) => f.includes('Sync: make the target like the source') && f.includes('create'));
    assert.match(frame, /create +1 files +5 B/);
    assert.match(frame, /update +1 files +4 B/);
    assert.match(frame, /delete +0 entries/);
    assert.match(frame, /d \[ \] delete what is only in the target/);
    app.stdin.write('d');
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('d [x] delete') && /delete +1 entries/.test(f));
    app.stdin.write(KEYS.enter);
    // One queue row for the whole sync, finished with what it moved (5 + 4 bytes).
    frame = await waitForFrame(app.lastFrame, (f) => /sync ferry-tui\S* 9 B in /.test(f), 20_000);
    assert.match(frame, /Transfers: 0 running.* 1 in all/);
    assert.equal(await fs.readFile(path.join(remoteRoot, 'a.txt'), 'utf8'), 'alpha');
    assert.equal(await fs.readFile(path.join(remoteRoot, 'sub/b.txt'), 'utf8'), 'beta');
    await assert.rejects(fs.stat(path.join(remoteRoot, 'extra.txt')), 'removed with d');
    assert.equal(Math.floor((await fs.stat(path.join(remoteRoot, 'sub/b.txt'))).mtimeMs), T.getTime());

    // In sync now: the dialog says so and Enter queues nothing.
    app.stdin.write('Y');
    await waitForFrame(app.lastFrame, (f) => f.includes('in sync: nothing to do'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Sync: make the target'));
  });
});

void test('a sync row of the queue reports progress, is cancelled on the wire, and a retry finishes it', async () => {
  const server = await startConnectedTestServer({}, 'ferry-queue-sync-');
  const { client, local } = server;
  try {
    const size = 32 << 20;
    await fs.writeFile(path.join(local, 'big.bin'), Buffer.alloc(size, 9));
    await fs.writeFile(path.join(local, 'small.txt'), 'small');
    const remote = createRemoteFs(client);
    const queue = new TransferQueue({ client: () => client, local: createLocalFs(), remote: () => remote, progressIntervalMs: 0 });
    queue.enqueue([{
      direction: 'upload', name: 'sync local', source: local, target: '/copy', isFolder: true, sync: { deleteExtra: false, checksum: false },
    }]);
    const row = (): TransferItem => queue.getState().items[0]!;
    // Cancelled at its first progress report, from the queue's own notification (no race with a fast upload).
    let seen: TransferItem | undefined;
    const stop = queue.subscribe(() => {
      if (seen === undefined && row().status === 'running' && row().bytes > 0) {
        seen = row();
        queue.cancel(seen.id);
      }
    });
    await waitUntil(() => row().status === 'cancelled' || row().status === 'done', 'the cancel', 30_000);
    stop();
    assert.equal(row().status, 'cancelled');
    assert.equal(seen?.total, size + 5, 'the plan\'s bytes are the row\'s total');
    queue.retry(row().id);
    await waitUntil(() => row().status === 'done' || row().status === 'failed', 'the retry', 30_000);
    assert.equal(row().status, 'done', row().message);
    assert.equal((await fs.stat(path.join(server.root, 'copy', 'big.bin'))).size, size);
    assert.equal(await fs.readFile(path.join(server.root, 'copy', 'small.txt'), 'utf8'), 'small');
  } finally {
    await server.cleanup();
  }
});
