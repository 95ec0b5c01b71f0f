/**
 * The queue's bandwidth limit: one token bucket shared by every transfer,
 * slowing the bytes on the wire (uploads wait before each frame, downloads
 * before giving credit back), against a real ferryd. The assertions are lower
 * bounds on time, which the limit guarantees however loaded the machine is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { parseRate, RateLimit } from '../../src/client/rate-limit.js';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { createRemoteFs } from '../../src/tui/fs/remote-fs.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';
import { TransferPanel } from '../../src/tui/components/TransferPanel.js';
import { startConnectedTestServer } from '../helpers/server.js';
import { KEYS, renderApp, waitForFrame, waitUntil } from '../helpers/ink.js';
import { folderWith } from '../helpers/connected-app.js';

const MiB = 1024 * 1024;

void test('rates are read as the config file and the dialog write them', () => {
  assert.equal(parseRate('10M'), 10 * MiB);
  assert.equal(parseRate('1.5m'), 1.5 * MiB);
  assert.equal(parseRate('500K'), 500 * 1024);
  assert.equal(parseRate('2MiB/s'), 2 * MiB);
  assert.equal(parseRate('4096'), 4096);
  assert.equal(parseRate('0'), 0);
  assert.equal(parseRate('off'), 0);
  assert.equal(parseRate('12'), undefined, 'below the smallest limit');
  assert.equal(parseRate('ten'), undefined);
  assert.equal(parseRate('-5M'), undefined);
});

void test('the bucket grants no more than rate × time + burst + the largest take, to any number of takers', async () => {
  const rate = 512 * 1024;
  const limit = new RateLimit(rate);
  const started = performance.now();
  let granted = 0;
  const take = 64 * 1024;
  await Promise.all(Array.from({ length: 3 }, async () => {
    for (let i = 0; i < 8; i++) {
      await limit.take(take);
      granted += take;
      const seconds = (performance.now() - started) / 1000;
      assert.ok(granted <= rate * seconds + limit.burst + take, `${granted} bytes granted after ${seconds} s`);
    }
  }));
  assert.equal(granted, 24 * take);
});

void test('lifting the limit lets every waiting taker go; an abort gives the place up', async () => {
  const limit = new RateLimit(1024);
  await limit.take(1024 * 1024); // deep in debt now: the next take would wait about 17 minutes
  const waiting = limit.take(1);
  const controller = new AbortController();
  const aborted = limit.take(1, controller.signal);
  controller.abort();
  await assert.rejects(aborted, { name: 'FerryError' });
  limit.set(undefined);
  await waiting;
  assert.equal(limit.rate, undefined);
  await limit.take(10 * MiB);
});

void test('a limited upload and download together take at least the limit\'s time, and the rate shown stays within it', async () => {
  const server = await startConnectedTestServer({}, 'ferry-limit-');
  const { client, local } = server;
  try {
    const size = 6 * MiB;
    await fs.writeFile(path.join(local, 'up.bin'), Buffer.alloc(size, 1));
    await fs.writeFile(path.join(server.root, 'down.bin'), Buffer.alloc(size, 2));
    const remote = createRemoteFs(client, { host: '127.0.0.1', port: server.port });
    const rate = 4 * MiB;
    const queue = new TransferQueue({ client: () => client, local: createLocalFs(), remote: () => remote, concurrency: 2, rateLimit: rate });
    assert.equal(queue.getState().rateLimit, rate);
    const started = performance.now();
    queue.enqueue([
      { direction: 'upload', name: 'up.bin', source: path.join(local, 'up.bin'), target: '/up.bin', isFolder: false },
      { direction: 'download', name: 'down.bin', source: '/down.bin', target: path.join(local, 'down.bin'), isFolder: false },
    ]);
    await waitUntil(() => queue.getState().items.every((item) => item.status === 'done'), 'both transfers', 60_000);
    const seconds = (performance.now() - started) / 1000;
    // What may pass beyond rate × time: the bucket's burst, one take (an upload's or a download's
    // slice, a burst at most), and the download's receive window granted up front.
    const bucket = new RateLimit(rate);
    const window = bucket.receiveWindow(16 * MiB);
    const allowance = window + 2 * bucket.burst;
    const bound = (2 * size - allowance) / rate;
    assert.ok(seconds >= bound, `${2 * size} bytes at ${rate} B/s took ${seconds.toFixed(2)} s, less than ${bound.toFixed(2)} s`);
    assert.deepEqual(await fs.readFile(path.join(server.root, 'up.bin')), Buffer.alloc(size, 1));
    assert.deepEqual(await fs.readFile(path.join(local, 'down.bin')), Buffer.alloc(size, 2));
    // Each row's rate (its bytes over its own duration) is within the limit, give or take what may pass at once.
    for (const item of queue.getState().items) {
      const shown = (item.movedBytes * 1000) / item.durationMs;
      const allowed = rate + (allowance * 1000) / item.durationMs;
      assert.ok(shown <= allowed, `${item.name} shows ${shown.toFixed(0)} B/s, the limit allows ${allowed.toFixed(0)}`);
    }
  } finally {
    await server.cleanup();
  }
});

void test('folders (one streamed TPUT and TGET each) are held to the same limit', async () => {
  const server = await startConnectedTestServer({}, 'ferry-limit-tree-');
  const { client, local } = server;
  try {
    const files = 4;
    const size = 2 * MiB;
    await fs.mkdir(path.join(local, 'up'));
    await fs.mkdir(path.join(server.root, 'down'));
    for (let index = 0; index < files; index++) {
      await fs.writeFile(path.join(local, 'up', `f${index}.bin`), Buffer.alloc(size, index));
      await fs.writeFile(path.join(server.root, 'down', `f${index}.bin`), Buffer.alloc(size, index));
    }
    const remote = createRemoteFs(client, { host: '127.0.0.1', port: server.port });
    const rate = 4 * MiB;
    const queue = new TransferQueue({ client: () => client, local: createLocalFs(), remote: () => remote, concurrency: 2, rateLimit: rate });
    const started = performance.now();
    queue.enqueue([
      { direction: 'upload', name: 'up', source: path.join(local, 'up'), target: '/up', isFolder: true },
      { direction: 'download', name: 'down', source: '/down', target: path.join(local, 'down'), isFolder: true },
    ]);
    await waitUntil(() => queue.getState().items.every((item) => item.status === 'done'), 'both folders', 60_000);
    const seconds = (performance.now() - started) / 1000;
    const bucket = new RateLimit(rate);
    const window = bucket.receiveWindow(16 * MiB);
    const bound = (2 * files * size - window - 2 * bucket.burst) / rate;
    assert.ok(seconds >= bound, `${2 * files * size} bytes at ${rate} B/s took ${seconds.toFixed(2)} s, less than ${bound.toFixed(2)} s`);
    assert.equal((await fs.readdir(path.join(server.root, 'up'))).length, files);
    assert.equal((await fs.readdir(path.join(local, 'down'))).filter((name) => name.endsWith('.bin')).length, files);
  } finally {
    await server.cleanup();
  }
});

void test('the queue\'s title says the limit; setRateLimit changes it and 0 lifts it', () => {
  const queue = new TransferQueue({ client: () => undefined, local: createLocalFs(), remote: () => undefined });
  queue.setRateLimit(1.5 * MiB);
  const shown = render(React.createElement(TransferPanel, {
    items: [], rows: 2, width: 100, focused: false, cursor: 0, concurrency: 2, rateLimit: queue.getState().rateLimit,
  }));
  assert.match(shown.lastFrame() ?? '', /limit 1\.5 MiB\/s/);
  shown.unmount();
  queue.setRateLimit(0);
  assert.equal(queue.getState().rateLimit, undefined);
});

void test('L asks for the limit, before any transfer too; the title says it, a bad rate is refused, empty lifts it', async () => {
  const dir = await folderWith({ 'a.txt': 'a' });
  const app = renderApp(dir);
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('a.txt') && !f.includes('Connect to'));
    app.stdin.write('L');
    await waitForFrame(app.lastFrame, (f) => f.includes('Bandwidth limit'));
    app.stdin.write('fast\r');
    await waitForFrame(app.lastFrame, (f) => f.includes('not a rate: fast'));
    app.stdin.write('\x15'); // ^U empties the field
    app.stdin.write('1.5M\r');
    await waitForFrame(app.lastFrame, (f) => f.includes('limit 1.5 MiB/s') && !f.includes('Bandwidth limit'));
    // Asked again, the field offers the limit in force; emptied, there is none.
    app.stdin.write('L');
    await waitForFrame(app.lastFrame, (f) => f.includes('> 1.5M'));
    app.stdin.write('\x15\r');
    await waitForFrame(app.lastFrame, (f) => f.includes('transfers: no limit') && !f.includes('limit 1.5'));
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
