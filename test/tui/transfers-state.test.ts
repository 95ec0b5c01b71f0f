import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransfersState, transfersReducer, transferEta, transferSpeed, type TransfersAction } from '../../src/tui/state/transfers.js';

const request = { direction: 'upload' as const, name: 'a.bin', source: '/tmp/a.bin', target: '/a.bin', isFolder: false };

function run(...actions: TransfersAction[]) {
  return actions.reduce(transfersReducer, initialTransfersState);
}

void test('an item goes waiting → running → done with "N bytes in T s" figures', () => {
  const state = run(
    { type: 'enqueue', requests: [request, { ...request, name: 'b' }], resume: true },
    { type: 'start', id: 1, at: 1000 },
    { type: 'progress', id: 1, bytes: 0, total: 100, at: 1000 },
    { type: 'progress', id: 1, bytes: 50, total: 100, at: 2000 },
  );
  const item = state.items[0]!;
  assert.equal(item.status, 'running');
  assert.equal(transferSpeed(item), 50);
  assert.equal(transferEta(item), 1);
  assert.equal(state.items[1]?.status, 'waiting');
  const done = transfersReducer(state, { type: 'done', id: 1, movedBytes: 100, size: 100, durationMs: 1500, resumedFrom: 0, at: 2500 });
  assert.equal(done.items[0]?.status, 'done');
  assert.equal(done.items[0]?.movedBytes, 100);
});

void test('a resumed transfer does not count the prefix in its speed', () => {
  const state = run(
    { type: 'enqueue', requests: [request], resume: true },
    { type: 'start', id: 1, at: 0 },
    { type: 'progress', id: 1, bytes: 800, total: 1000, at: 0 },
    { type: 'progress', id: 1, bytes: 900, total: 1000, at: 1000 },
  );
  assert.equal(transferSpeed(state.items[0]!), 100);
});

void test('cancel, retry with resume, conflict resolution, clear finished', () => {
  let state = run(
    { type: 'enqueue', requests: [request, { ...request, name: 'b' }], resume: false },
    { type: 'start', id: 1, at: 0 },
    { type: 'cancelled', id: 1, at: 5 },
    { type: 'conflict', id: 2 },
  );
  assert.equal(state.items[0]?.status, 'cancelled');
  state = transfersReducer(state, { type: 'retry', id: 1 });
  assert.equal(state.items[0]?.status, 'waiting');
  assert.equal(state.items[0]?.resume, true);
  state = transfersReducer(state, { type: 'resolve', id: 2, target: '/b (1)', name: 'b (1)', overwrite: false, resume: false });
  assert.equal(state.items[1]?.target, '/b (1)');
  assert.equal(state.items[1]?.name, 'b (1)', 'the row names the new target');
  assert.equal(state.items[1]?.status, 'waiting');
  state = transfersReducer(state, { type: 'skipped', id: 2, at: 9 });
  state = transfersReducer(state, { type: 'clear-finished' });
  assert.deepEqual(state.items.map((item) => item.id), [1]);
});

void test('a late progress report does not revive a cancelled item', () => {
  const state = run(
    { type: 'enqueue', requests: [request], resume: false },
    { type: 'start', id: 1, at: 0 },
    { type: 'cancelled', id: 1, at: 1 },
    { type: 'progress', id: 1, bytes: 10, total: 100, at: 2 },
  );
  assert.equal(state.items[0]?.status, 'cancelled');
});

void test('bytes that arrive in bursts show a steady speed: the average is weighted by time, not by report', () => {
  const actions: TransfersAction[] = [{ type: 'enqueue', requests: [request], resume: false }, { type: 'start', id: 1, at: 0 }];
  // 100 KiB every 200 ms (500 KiB/s), reported every 100 ms: every other report brings nothing.
  let bytes = 0;
  for (let at = 0; at <= 10_000; at += 100) {
    if (at % 200 === 0) bytes += 100 * 1024;
    actions.push({ type: 'progress', id: 1, bytes, total: 10 * 1024 * 1024, at });
  }
  let state = run(...actions.slice(0, -10));
  const seen: number[] = [];
  for (const action of actions.slice(-10)) {
    state = transfersReducer(state, action);
    seen.push(transferSpeed(state.items[0]!));
  }
  for (const speed of seen) assert.ok(Math.abs(speed - 500 * 1024) < 0.1 * 500 * 1024, `${Math.round(speed / 1024)} KiB/s`);
});
