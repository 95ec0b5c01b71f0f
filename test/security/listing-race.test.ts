/**
 * LIST while the listed folder is swapped for a symlink to the outside, by a
 * separate process renaming as fast as it can (so renames land in the middle
 * of the server's synchronous batches, not only between them). Every entry
 * of every listing must describe the folder that was opened: the names are
 * the inside names, and so must be their metadata. Outside, the same names
 * exist with another size, so an entry looked up through a path that a swap
 * redirected shows up as a wrong size even when its name is right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { errorCodeName } from '../../src/protocol/errors.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from '../server/raw-client.js';

/** More than one batch (256, then 1024 entries), so a listing spans several synchronous batches. */
const FILES = 2000;
/** Listings that open the folder while it is in place; the others fail (NOT_FOUND, INVALID_PATH) and are retried. */
const LISTINGS = 30;
const MAX_ATTEMPTS = 2000;
const OUTSIDE_CONTENT = 'outside';

/**
 * Until killed: leaves `sub` in place for a millisecond (so listings can open
 * it), then swaps it for a symlink to the outside for a fifth of that, and back.
 */
const FLIPPER = `
const { renameSync } = require('node:fs');
const [sub, parked, link] = process.argv.slice(1);
const pause = new Int32Array(new SharedArrayBuffer(4));
process.stdout.write('flipping\\n');
for (;;) {
  Atomics.wait(pause, 0, 0, 1);
  renameSync(sub, parked);
  renameSync(link, sub);
  Atomics.wait(pause, 0, 0, 0.2);
  renameSync(sub, link);
  renameSync(parked, sub);
}
`;

/** Thousands of files: in RAM when there is a RAM folder (creating them on this disk takes seconds). */
async function fastTempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const ram = '/dev/shm';
  const base = await fs.access(ram, fs.constants.W_OK).then(() => ram, () => os.tmpdir());
  const dir = await fs.mkdtemp(path.join(base, 'ferry-list-race-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

void test('a folder swapped for a symlink to the outside during LIST: every entry is the inside one, metadata included', { timeout: 120_000 }, async (t) => {
  const dir = await fastTempDir(t);
  const root = path.join(dir, 'root');
  const outside = path.join(dir, 'outside');
  const sub = path.join(root, 'sub');
  await fs.mkdir(sub, { recursive: true });
  await fs.mkdir(outside);
  for (let start = 0; start < FILES; start += 250) {
    await Promise.all(Array.from({ length: Math.min(250, FILES - start) }, (_, i) => {
      const name = `f${String(start + i).padStart(5, '0')}`;
      return Promise.all([fs.writeFile(path.join(sub, name), ''), fs.writeFile(path.join(outside, name), OUTSIDE_CONTENT)]);
    }));
  }
  await fs.symlink(outside, path.join(root, '.link'));
  const served = await startTestServer({ root });
  t.after(() => served.cleanup());

  const flipper = spawn(process.execPath, ['-e', FLIPPER, sub, path.join(root, '.parked'), path.join(root, '.link')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => flipper.once('exit', () => resolve()));
  t.after(async () => {
    flipper.kill('SIGKILL');
    await exited;
  });
  await new Promise<void>((resolve, reject) => {
    flipper.stdout.once('data', () => resolve());
    flipper.once('exit', (code) => reject(new Error(`the flipper exited (${code}) before flipping`)));
  });

  const client = await RawClient.open(served.port);
  const outcomes = new Map<string, number>();
  const count = (key: string): void => { outcomes.set(key, (outcomes.get(key) ?? 0) + 1); };
  let entriesSeen = 0;
  let wrongEntries = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && (outcomes.get('listed') ?? 0) < LISTINGS; attempt += 1) {
    try {
      const { entries } = await client.list('sub');
      count('listed');
      entriesSeen += entries.length;
      // Inside, every f… file is empty; a size of 7 is the outside file of the same name.
      wrongEntries += entries.filter((e) => e.name.startsWith('f') && (e.kind !== 0 || e.size !== 0)).length;
    } catch (error) {
      count(errorCodeName((error as { code: number }).code));
    }
  }
  await client.quit();
  flipper.kill('SIGKILL');
  await exited;
  t.diagnostic(`outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; ${entriesSeen} entries seen`);
  assert.equal(wrongEntries, 0, `${wrongEntries} entries described a file outside the root`);
  // Listings that opened the folder while it was in place ran while it was being swapped.
  assert.equal(outcomes.get('listed'), LISTINGS, 'too few listings opened the folder: the race was hardly run');
});
