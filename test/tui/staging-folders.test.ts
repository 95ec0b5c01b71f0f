/**
 * Staging folders left by a ferry that was killed outright (no exit handler
 * ran) are removed when the next transfer queue starts; those of a ferry
 * still running, and anything not named as ours, stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { removeAbandonedStaging, stagingPrefix } from '../../src/tui/transfers/staging-folders.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';
import { tempFolder, removeTempFolder } from '../helpers/temp-folders.js';
import { waitUntil } from '../helpers/ink.js';

/** The id of a process that has ended. */
function endedPid(): number {
  const ended = spawnSync(process.execPath, ['-e', '0']);
  assert.equal(ended.status, 0);
  return ended.pid!;
}

async function stagedFolders(root: string): Promise<{ abandoned: string; kept: string[] }> {
  const abandoned = path.join(root, `${stagingPrefix(endedPid())}Ab12Cd`);
  await fs.mkdir(abandoned);
  await fs.writeFile(path.join(abandoned, '.file.ferry-part'), 'half a file');
  const kept = [
    `${stagingPrefix()}Xy34Zw`, // this process's own
    'ferry-relay-Qr56St', // without a process id: whose it is cannot be told
    `${stagingPrefix(endedPid())}short`, // not a name mkdtemp makes
    'other-folder',
  ];
  for (const name of kept) await fs.mkdir(path.join(root, name));
  return { abandoned, kept };
}

void test('removeAbandonedStaging removes only the staging folders of ferries no longer running', async () => {
  const root = await tempFolder('ferry-staging-root-');
  try {
    const { abandoned, kept } = await stagedFolders(root);
    assert.equal(await removeAbandonedStaging(root), 1);
    await assert.rejects(fs.stat(abandoned), { code: 'ENOENT' });
    assert.deepEqual((await fs.readdir(root)).sort(), [...kept].sort());
    assert.equal(await removeAbandonedStaging(path.join(root, 'missing')), 0, 'a missing root is nothing to do');
  } finally {
    await removeTempFolder(root);
  }
});

void test('a new transfer queue clears what a killed ferry left in its staging root', async () => {
  const root = await tempFolder('ferry-staging-root-');
  try {
    const { abandoned } = await stagedFolders(root);
    const queue = new TransferQueue({ client: () => undefined, local: createLocalFs(), remote: () => undefined, stagingRoot: root });
    await waitUntil(async () => !(await fs.stat(abandoned).then(() => true, () => false)), 'the abandoned folder to go');
    assert.equal((await fs.readdir(root)).length, 4);
    await queue.close();
  } finally {
    await removeTempFolder(root);
  }
});
