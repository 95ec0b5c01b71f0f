/**
 * Temporary folders for tests, all under the system's temporary folder with a
 * recognisable prefix. Three lifetimes:
 *
 * - `tempFolderMaker()`: every folder a test file makes, removed once the
 *   file's tests have run, failed ones included, so no test needs its own cleanup;
 * - `tempFolderFor(t)`: removed when one test (or suite) `t` ends;
 * - `tempFolder()` / `tempFolderSync()`: the caller removes it (set-ups with
 *   their own `cleanup()`, such as test/helpers/server.ts).
 */
import { after } from 'node:test';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DEFAULT_PREFIX = 'ferry-test-';

/** A fresh, empty temporary folder named `prefix…`; the caller removes it. */
export function tempFolder(prefix = DEFAULT_PREFIX): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** tempFolder for set-up code that cannot wait (a synchronous hook); the caller removes it. */
export function tempFolderSync(prefix = DEFAULT_PREFIX): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Removes a folder made here and everything in it; a folder already gone is fine. */
export function removeTempFolder(folder: string): Promise<void> {
  return fs.rm(folder, { recursive: true, force: true });
}

/** A temporary folder removed when `t` (the test or suite context given to its function) ends. */
export async function tempFolderFor(t: { after(fn: () => Promise<void>): void }, prefix = DEFAULT_PREFIX): Promise<string> {
  const folder = await tempFolder(prefix);
  t.after(() => removeTempFolder(folder));
  return folder;
}

/**
 * Returns a function that makes a temporary folder named `prefix…`. Call it at
 * the top level of a test file: the removal is an `after` hook of the caller's
 * scope, and inside a test it would run when that test ends.
 */
export function tempFolderMaker(): (prefix: string) => Promise<string> {
  const folders: string[] = [];
  after(async () => {
    await Promise.all(folders.map(removeTempFolder));
  });
  return async (prefix) => {
    const folder = await tempFolder(prefix);
    folders.push(folder);
    return folder;
  };
}
