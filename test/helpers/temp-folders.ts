/**
 * Temporary folders a test file makes as it goes, all removed once the file's
 * tests have run, failed ones included, so no test needs its own cleanup.
 */
import { after } from 'node:test';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Returns a function that makes a temporary folder named `prefix…`. Call it at
 * the top level of a test file: the removal is an `after` hook of the caller's
 * scope, and inside a test it would run when that test ends.
 */
export function tempFolderMaker(): (prefix: string) => Promise<string> {
  const folders: string[] = [];
  after(async () => {
    await Promise.all(folders.map((folder) => fs.rm(folder, { recursive: true, force: true })));
  });
  return async (prefix) => {
    const folder = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    folders.push(folder);
    return folder;
  };
}
