/**
 * A copy between two servers (`relay`) cut mid-way resumes both halves, as a
 * plain download and a plain upload do: two real ferryd, one of them stopped
 * while the copy runs (the queue's rate limit keeps it slow enough to cut)
 * and another started on its port and root; the queue resumes what the drop
 * cut off. What crossed the source server is read from its access log (each
 * DWLD line names its offset and the bytes it sent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FerryClient } from '../../src/client/client.js';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { createRemoteFs } from '../../src/tui/fs/remote-fs.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';
import type { PaneSide } from '../../src/tui/fs/pane-fs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { waitUntil } from '../helpers/ink.js';
import { recordingLogger, type LogLine } from '../security/helpers.js';

const SIZE = 16 * 1024 * 1024;
/** Slow enough that a quarter of a second's polling sees each half under way. */
const RATE = 4 * 1024 * 1024;

/** One side of the copy: a ferryd on its own root that can be stopped and started again on its port, and a client to it. */
class Side {
  server!: TestServer;
  client!: FerryClient;
  readonly log: LogLine[] = [];

  constructor(readonly root: string) {}

  async start(port?: number): Promise<void> {
    this.server = await startTestServer({ root: this.root, logger: recordingLogger(this.log), ...(port ? { port } : {}) });
    this.client = await FerryClient.connect({ host: '127.0.0.1', port: this.server.port });
  }

  /** The server stops (the client's session drops); another one is started on the same port and root. */
  async stop(): Promise<void> {
    await this.server.cleanup();
  }

  async restart(): Promise<void> {
    this.log.length = 0;
    await this.start(this.server.port);
  }

  /** The DWLD requests the server finished since it started: offset and bytes sent. */
  downloads(): { request: string; bytes: number }[] {
    return this.log
      .filter((line) => line.message === 'request' && String(line.fields.request).startsWith('DWLD'))
      .map((line) => ({ request: String(line.fields.request), bytes: Number(line.fields.bytes) }));
  }

  async close(): Promise<void> {
    if (this.client?.connected) await this.client.quit().catch(() => undefined);
    await this.server?.cleanup();
  }
}

const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await fs.readFile(file)).digest('hex');

/** The left pane on `source`, the right pane on `target`, staging under `stagingRoot`, the queue limited to RATE. */
function queueBetween(source: Side, target: Side, stagingRoot: string): TransferQueue {
  return new TransferQueue({
    client: () => target.client,
    local: createLocalFs(),
    remote: () => createRemoteFs(target.client),
    leftClient: () => source.client,
    leftRemote: () => createRemoteFs(source.client),
    stagingRoot,
    rateLimit: RATE,
  });
}

/** Stops `side`'s server, waits for the copy to fail on the lost connection, then starts it again and lets the queue resume. */
async function cutAndResume(queue: TransferQueue, side: Side, pane: PaneSide, beforeResume: () => Promise<void> = async () => undefined): Promise<void> {
  await side.stop();
  await waitUntil(() => queue.getState().items[0]?.status === 'failed', 'the copy to fail on the drop', 20_000);
  assert.equal(queue.getState().items[0]?.lostConnection, true, queue.getState().items[0]?.message);
  await beforeResume();
  await side.restart();
  // Lifted: the rest goes at full speed.
  queue.setRateLimit(undefined);
  assert.equal(queue.resumeLost(pane), 1);
  await waitUntil(() => queue.getState().items[0]?.status === 'done', 'the resumed copy', 30_000);
}

/** The one staging folder under `stagingRoot` and what it holds. */
async function staged(stagingRoot: string): Promise<{ folder: string; mode: number; names: string[] }> {
  const folders = await fs.readdir(stagingRoot);
  assert.equal(folders.length, 1, `one staging folder: ${folders.join(', ')}`);
  const folder = path.join(stagingRoot, folders[0]!);
  return { folder, mode: (await fs.stat(folder)).mode & 0o777, names: await fs.readdir(folder) };
}

void test('a copy between two servers cut in its download half resumes the staged partial file: the source sends only the rest', { timeout: 90_000 }, async (t) => {
  const source = new Side(await tempFolderFor(t, 'ferry-relay-resume-a-'));
  const target = new Side(await tempFolderFor(t, 'ferry-relay-resume-b-'));
  const stagingRoot = await tempFolderFor(t, 'ferry-relay-resume-staging-');
  const content = randomBytes(SIZE);
  await fs.writeFile(path.join(source.root, 'big.bin'), content);
  try {
    await source.start();
    await target.start();
    const queue = queueBetween(source, target, stagingRoot);
    queue.enqueue([{ direction: 'relay', from: 'local', name: 'big.bin', source: '/big.bin', target: '/big.bin', isFolder: false }]);
    // Part of the file is staged, far from all of it: the download half is under way.
    let partial = '';
    await waitUntil(async () => {
      const folders = await fs.readdir(stagingRoot);
      if (folders.length !== 1) return false;
      partial = path.join(stagingRoot, folders[0]!, '.file.ferry-part');
      return ((await fs.stat(partial).catch(() => undefined))?.size ?? 0) > 0;
    }, 'part of the download half', 20_000);

    let stagedBytes = 0;
    await cutAndResume(queue, source, 'local', async () => {
      // The cut copy keeps its private staging folder and the partial file in it.
      const kept = await staged(stagingRoot);
      assert.equal(kept.mode, 0o700);
      assert.deepEqual(kept.names, ['.file.ferry-part']);
      stagedBytes = (await fs.stat(partial)).size;
      assert.ok(stagedBytes > 0 && stagedBytes < SIZE, `${stagedBytes} bytes staged`);
    });

    // One DWLD from where the staged part ended, for the rest of the file only.
    const again = source.downloads();
    assert.equal(again.length, 1, JSON.stringify(again));
    const offset = Number(/offset=(\d+)$/.exec(again[0]!.request)?.[1]);
    assert.ok(offset >= stagedBytes && offset < SIZE, `resumed at ${offset}, ${stagedBytes} bytes were staged`);
    assert.equal(again[0]!.bytes, SIZE - offset);
    assert.ok(again[0]!.bytes < SIZE, `${again[0]!.bytes} bytes crossed the source server the second time`);
    assert.equal(await sha256(path.join(target.root, 'big.bin')), createHash('sha256').update(content).digest('hex'));
    assert.equal(queue.getState().items[0]?.verification, 'sha256');
    await waitUntil(async () => (await fs.readdir(stagingRoot)).length === 0, 'the staging folder to go once the copy is done');
  } finally {
    await source.close();
    await target.close();
  }
});

void test('a copy between two servers cut in its upload half does not download again: it resumes the upload from the staged file', { timeout: 90_000 }, async (t) => {
  const source = new Side(await tempFolderFor(t, 'ferry-relay-resume-a-'));
  const target = new Side(await tempFolderFor(t, 'ferry-relay-resume-b-'));
  const stagingRoot = await tempFolderFor(t, 'ferry-relay-resume-staging-');
  const content = randomBytes(SIZE);
  await fs.writeFile(path.join(source.root, 'big.bin'), content);
  try {
    await source.start();
    await target.start();
    const queue = queueBetween(source, target, stagingRoot);
    queue.enqueue([{ direction: 'relay', from: 'local', name: 'big.bin', source: '/big.bin', target: '/big.bin', isFolder: false }]);
    // The download half is done (the staged file has its final name) and part of the upload has reached the target.
    await waitUntil(async () => {
      const uploading = await fs.stat(path.join(target.root, '.big.bin.ferry-part')).catch(() => undefined);
      const folders = await fs.readdir(stagingRoot);
      return (uploading?.size ?? 0) > 0 && folders.length === 1 && (await fs.readdir(path.join(stagingRoot, folders[0]!))).includes('file');
    }, 'part of the upload half', 30_000);
    assert.equal(source.downloads().length, 1, 'one download so far');
    source.log.length = 0;

    await cutAndResume(queue, target, 'remote', async () => {
      const kept = await staged(stagingRoot);
      assert.equal(kept.mode, 0o700);
      assert.deepEqual(kept.names, ['file'], 'the finished download half is kept');
    });

    assert.deepEqual(source.downloads(), [], 'nothing fetched from the source again');
    assert.ok(queue.getState().items[0]!.resumedFrom > 0, 'the upload half resumed what the target kept');
    assert.equal(await sha256(path.join(target.root, 'big.bin')), createHash('sha256').update(content).digest('hex'));
    await waitUntil(async () => (await fs.readdir(stagingRoot)).length === 0, 'the staging folder to go once the copy is done');
  } finally {
    await source.close();
    await target.close();
  }
});

void test('a folder copied between two servers and cut in its download half fetches again only what was not staged', { timeout: 90_000 }, async (t) => {
  const source = new Side(await tempFolderFor(t, 'ferry-relay-resume-a-'));
  const target = new Side(await tempFolderFor(t, 'ferry-relay-resume-b-'));
  const stagingRoot = await tempFolderFor(t, 'ferry-relay-resume-staging-');
  const files = new Map<string, Buffer>([['big.bin', randomBytes(SIZE)]]);
  for (let i = 0; i < 20; i++) files.set(`small/s${String(i).padStart(2, '0')}.txt`, randomBytes(1000 + i));
  const total = [...files.values()].reduce((sum, content) => sum + content.length, 0);
  await fs.mkdir(path.join(source.root, 'tree', 'small'), { recursive: true });
  for (const [name, content] of files) await fs.writeFile(path.join(source.root, 'tree', name), content);
  try {
    await source.start();
    await target.start();
    const queue = queueBetween(source, target, stagingRoot);
    queue.enqueue([{ direction: 'relay', from: 'local', name: 'tree', source: '/tree', target: '/tree', isFolder: true }]);
    await waitUntil(async () => {
      const folders = await fs.readdir(stagingRoot);
      if (folders.length !== 1) return false;
      const partial = await fs.stat(path.join(stagingRoot, folders[0]!, 'tree', '.big.bin.ferry-part')).catch(() => undefined);
      return (partial?.size ?? 0) > 0;
    }, 'part of big.bin staged', 20_000);

    await cutAndResume(queue, source, 'local');

    const fetched = source.log.filter((line) => line.message === 'request' && /^(DWLD|TGET)/.test(String(line.fields.request)));
    assert.ok(fetched.every((line) => String(line.fields.request).startsWith('DWLD')), 'file by file, resuming: no second streamed tree');
    const bytes = fetched.reduce((sum, line) => sum + Number(line.fields.bytes), 0);
    assert.ok(bytes < total, `${bytes} of the tree's ${total} bytes crossed the source server the second time`);
    assert.ok(fetched.some((line) => /DWLD \/?tree\/big\.bin offset=[1-9]/.test(String(line.fields.request))), 'big.bin resumed after its staged part');
    for (const [name, content] of files) assert.deepEqual(await fs.readFile(path.join(target.root, 'tree', name)), content, name);
    await waitUntil(async () => (await fs.readdir(stagingRoot)).length === 0, 'the staging folder to go once the copy is done');
  } finally {
    await source.close();
    await target.close();
  }
});
