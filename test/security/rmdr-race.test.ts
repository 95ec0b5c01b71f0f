/**
 * Recursive RMDR against symlinks through a real session: a link inside the
 * tree is removed as a link, and a subfolder swapped for a symlink to the
 * outside while the tree is being removed never makes the server delete
 * anything outside the served folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errorCodeName } from '../../src/protocol/errors.js';
import { RMDR_RECURSIVE } from '../../src/protocol/messages.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from '../server/raw-client.js';
import { tempFolderFor } from '../helpers/temp-folders.js';

const FILES_PER_FOLDER = 40;
const ROUNDS = 60;

async function outsideFiles(outside: string): Promise<string[]> {
  return (await fs.readdir(outside, { recursive: true })).sort();
}

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await tempFolderFor(t, 'ferry-rmdr-');
  const root = path.join(dir, 'root');
  const outside = path.join(dir, 'outside');
  await fs.mkdir(root);
  await fs.mkdir(path.join(outside, 'inner'), { recursive: true });
  for (let i = 0; i < FILES_PER_FOLDER; i += 1) {
    await fs.writeFile(path.join(outside, `f${i}`), 'outside');
    await fs.writeFile(path.join(outside, 'inner', `f${i}`), 'outside');
  }
  const served = await startTestServer({ root });
  t.after(() => served.cleanup());
  return { root, outside, served };
}

/** tree/sub/{f0.., inner/f0..}: the same names as outside, so a redirected removal would find them. */
async function makeTree(root: string): Promise<void> {
  const sub = path.join(root, 'tree', 'sub');
  await fs.mkdir(path.join(sub, 'inner'), { recursive: true });
  for (let i = 0; i < FILES_PER_FOLDER; i += 1) {
    await fs.writeFile(path.join(sub, `f${i}`), 'inside');
    await fs.writeFile(path.join(sub, 'inner', `f${i}`), 'inside');
  }
}

void test('recursive RMDR removes a symlink inside the tree as a link, never what it points to', { timeout: 60_000 }, async (t) => {
  const { root, outside, served } = await setup(t);
  await makeTree(root);
  await fs.symlink(outside, path.join(root, 'tree', 'sub', 'to-outside'));
  await fs.symlink(path.join(outside, 'f0'), path.join(root, 'tree', 'file-link'));
  const before = await outsideFiles(outside);

  const client = await RawClient.open(served.port);
  const reply = await client.request({ op: 'RMDR', id: client.id(), path: 'tree', flags: RMDR_RECURSIVE });
  await client.quit();
  assert.equal(reply.op, 'DONE', JSON.stringify(reply));
  await assert.rejects(fs.lstat(path.join(root, 'tree')), 'the tree is gone');
  assert.deepEqual(await outsideFiles(outside), before, 'nothing outside was removed');
});

void test('a subfolder swapped for a symlink to the outside during recursive RMDR deletes nothing outside', { timeout: 120_000 }, async (t) => {
  const { root, outside, served } = await setup(t);
  const before = await outsideFiles(outside);
  const client = await RawClient.open(served.port);
  const outcomes = new Map<string, number>();
  let swaps = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    await fs.rm(path.join(root, 'tree'), { recursive: true, force: true });
    await makeTree(root);
    const sub = path.join(root, 'tree', 'sub');
    // Kept beside the tree, not in it, so that the removal does not take them away first.
    const parked = path.join(root, '.parked');
    const link = path.join(root, '.link');
    await fs.rm(parked, { recursive: true, force: true });
    await fs.rm(link, { force: true });
    await fs.symlink(outside, link);
    let swapping = true;
    // Flips tree/sub between the real folder and a link to the outside until the removal answers
    // (a failed rename means the removal got there first: the round simply goes on).
    const swapper = (async () => {
      while (swapping) {
        try {
          await fs.rename(sub, parked);
          await fs.rename(link, sub);
          await new Promise((resolve) => setImmediate(resolve));
          await fs.rename(sub, link);
          await fs.rename(parked, sub);
          swaps += 1;
        } catch {
          return;
        }
      }
    })();
    const reply = await client.request({ op: 'RMDR', id: client.id(), path: 'tree', flags: RMDR_RECURSIVE });
    swapping = false;
    await swapper;
    const key = reply.op === 'FAIL' ? errorCodeName(reply.code) : reply.op;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    assert.deepEqual(await outsideFiles(outside), before, `round ${round}: files outside the root were deleted`);
  }
  await client.quit();
  t.diagnostic(`${swaps} swaps; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
});
