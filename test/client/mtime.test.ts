/** A downloaded file's mtime is set to the exact ms the server sent (see src/protocol/file-times.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { applyTimesAndModeNow } from '../../src/client/local-files.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';

const makeFolder = tempFolderMaker();

/** The spec's vector value, neighbours whose ms a float of seconds loses, and the far ends. */
const MTIMES = [1700000000123, 1700000000001, 1234567890123, 1700000000999, 1, 999, 4102444800999];

async function storedMs(file: string): Promise<number> {
  return Number((await fs.stat(file, { bigint: true })).mtimeNs / 1_000_000n);
}

void test('the client sets a downloaded file\'s mtime to the exact ms', async () => {
  const folder = await makeFolder('ferry-mtime-');
  const file = path.join(folder, 'f');
  await fs.writeFile(file, 'x');
  const fd = openSync(file, 'r+');
  try {
    for (const mtimeMs of MTIMES) {
      applyTimesAndModeNow(fd, mtimeMs, 0);
      assert.equal(await storedMs(file), mtimeMs);
    }
  } finally {
    closeSync(fd);
  }
});
