import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flushPaths, SYNCFS_FROM_PATHS, syncfsRuns, syncHelperPid } from '../../src/server/storage/flush.js';

function filesIn(dir: string, count: number, prefix: string): string[] {
  return Array.from({ length: count }, (_, i) => {
    const file = path.join(dir, `${prefix}${i}`);
    fs.writeFileSync(file, `content ${i}`);
    return file;
  });
}

void test('a few files are flushed one by one, with no file-system flush; a vanished one is no error', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-flush-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const before = syncfsRuns();
  await flushPaths([...filesIn(dir, SYNCFS_FROM_PATHS - 2, 'few'), path.join(dir, 'gone')], dir);
  assert.equal(syncfsRuns(), before);
});

void test('many batches at once share syncfs runs: one running, one for everything asked meanwhile', { skip: process.platform !== 'linux' }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-flush-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const batches = Array.from({ length: 20 }, (_, b) => filesIn(dir, SYNCFS_FROM_PATHS, `b${b}-`));
  const before = syncfsRuns();
  await Promise.all(batches.map((batch) => flushPaths(batch, dir)));
  const used = syncfsRuns() - before;
  assert.ok(used >= 1 && used <= 2, `${used} syncfs runs for 20 batches asked at once`);
  // A batch asked after those ran gets a run of its own (it must start after the batch was written).
  await flushPaths(filesIn(dir, SYNCFS_FROM_PATHS, 'late-'), dir);
  assert.equal(syncfsRuns() - before, used + 1);
});

void test('syncfs runs in one helper shell kept between flushes; a helper that died is replaced', { skip: process.platform !== 'linux' }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-flush-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const before = syncfsRuns();
  await flushPaths(filesIn(dir, SYNCFS_FROM_PATHS, 'one-'), dir);
  const helper = syncHelperPid();
  assert.ok(helper !== undefined, 'a helper runs after a syncfs');
  await flushPaths(filesIn(dir, SYNCFS_FROM_PATHS, 'two-'), dir);
  assert.equal(syncHelperPid(), helper, 'the same helper served the second flush');
  process.kill(helper, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(syncHelperPid(), undefined);
  // Still one shared syncfs per flush (not a fall-back to fsync per file), by a new helper.
  await flushPaths(filesIn(dir, SYNCFS_FROM_PATHS, 'three-'), dir);
  assert.equal(syncfsRuns() - before, 3);
  assert.ok(syncHelperPid() !== undefined && syncHelperPid() !== helper);
  // The test process ends by itself afterwards: the idle helper does not hold it.
});
