/**
 * A bench ended by SIGTERM (`timeout`, a cancelled job) does not leave its
 * folder behind, which on /dev/shm would hold gigabytes of memory until the
 * next boot.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const benchMain = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/run.js');

void test('SIGTERM in the middle of a run removes the run\'s folder', { timeout: 120_000 }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-bench-term-'));
  try {
    const bench = spawn(process.execPath, [benchMain, '--tiny', '--only', 'listing', '--dir', dir, '--out', path.join(dir, 'results')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const started = new Promise<void>((resolve) => {
      bench.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        // The listing suite has begun filling its folder (2000 entries, a few seconds).
        if (/creating \d+ entries/.test(log)) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => bench.once('exit', (code) => resolve(code)));
    await started;
    const runFolders = (await fs.readdir(dir)).filter((name) => name.startsWith('ferry-bench-'));
    assert.equal(runFolders.length, 1, `the run's folder exists while it runs: ${log}`);
    bench.kill('SIGTERM');
    assert.equal(await exited, 143, log);
    assert.deepEqual((await fs.readdir(dir)).filter((name) => name.startsWith('ferry-bench-')), [], 'the run\'s folder is gone');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
