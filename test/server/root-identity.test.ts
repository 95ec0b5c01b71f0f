import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { Jail } from '../../src/server/storage/jail.js';
import { Storage } from '../../src/server/storage/storage.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';

const makeFolder = tempFolderMaker();

const invalidPath = (error: unknown): boolean => error instanceof FerryError && error.code === ErrorCode.INVALID_PATH;

void test('a folder named "<root> (deleted)" beside the root never passes the descriptor check as the root', async () => {
  const parent = await makeFolder('ferry-root-identity-');
  const root = path.join(parent, 'root');
  const lookalike = `${root} (deleted)`;
  await fs.mkdir(root);
  await fs.mkdir(lookalike);
  await fs.writeFile(path.join(lookalike, 'outside.txt'), 'not served');
  const jail = await Jail.open(root);
  // What a folder inside the root swapped for a symlink to the lookalike would open.
  assert.throws(() => jail.openCheckedFolder(lookalike, ['sub'], false), invalidPath);
  const inside = jail.openCheckedFolder(root, [], false);
  await inside.close();
});

void test('a folder put in place of the root is not the root', async () => {
  const parent = await makeFolder('ferry-root-identity-');
  const root = path.join(parent, 'root');
  await fs.mkdir(root);
  const storage = await Storage.open(root);
  await fs.rename(root, path.join(parent, 'moved'));
  await fs.mkdir(root);
  await fs.writeFile(path.join(root, 'planted.txt'), 'not the served folder');
  await assert.rejects(storage.list([], false), invalidPath);
});
