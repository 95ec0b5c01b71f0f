/** Small helpers shared by the bench suites: test data, hashes, statistics. */
import { createHash, randomFillSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Milliseconds since an arbitrary start, with sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}

/**
 * Writes `size` bytes of incompressible data: a random block repeated, with
 * each copy stamped with its index so no two blocks of the file are equal.
 */
export async function writeRandomFile(file: string, size: number): Promise<void> {
  const blockSize = 4 * MiB;
  const block = Buffer.allocUnsafe(blockSize);
  randomFillSync(block);
  const handle = await fs.open(file, 'w');
  try {
    for (let written = 0, index = 0; written < size; index += 1) {
      const length = Math.min(blockSize, size - written);
      block.writeUInt32BE(index, 0);
      await handle.write(block, 0, length, written);
      written += length;
    }
  } finally {
    await handle.close();
  }
}

/** A file of zeros that takes no disk space; reading it still yields every byte. */
export async function writeSparseFile(file: string, size: number): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 * MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Reads a file once so every contender starts with it in the page cache. */
export async function warmFile(file: string): Promise<void> {
  for await (const _chunk of createReadStream(file, { highWaterMark: 1 * MiB })) { /* read only */ }
}

/** Writes `count` files of `fileSize` random bytes, spread over sub-folders of 100. */
export async function writeSmallTree(root: string, count: number, fileSize: number): Promise<void> {
  const perFolder = 100;
  const data = Buffer.allocUnsafe(fileSize);
  randomFillSync(data);
  for (let index = 0; index < count; index += 1) {
    const folder = path.join(root, `d${String(Math.floor(index / perFolder)).padStart(3, '0')}`);
    if (index % perFolder === 0) await fs.mkdir(folder, { recursive: true });
    data.writeUInt32BE(index, 0);
    await fs.writeFile(path.join(folder, `f${String(index).padStart(5, '0')}.bin`), data);
  }
}

/** Relative path → SHA-256 of every regular file under `root`. */
export async function hashTree(root: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(full, relative);
      else if (entry.isFile()) hashes.set(relative, createHash('sha256').update(await fs.readFile(full)).digest('hex'));
    }
  };
  await walk(root, '');
  return hashes;
}

export function sameTree(expected: Map<string, string>, actual: Map<string, string>): boolean {
  if (expected.size !== actual.size) return false;
  for (const [name, hash] of expected) if (actual.get(name) !== hash) return false;
  return true;
}

/** Creates `count` empty files named e000000… in `dir`, a few hundred at a time. */
export async function writeManyEmptyFiles(dir: string, count: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const batch = 256;
  for (let start = 0; start < count; start += batch) {
    const names: Promise<void>[] = [];
    for (let index = start; index < Math.min(count, start + batch); index += 1) {
      names.push(fs.writeFile(path.join(dir, `e${String(index).padStart(6, '0')}`), ''));
    }
    await Promise.all(names);
  }
}

export async function removeQuietly(target: string): Promise<void> {
  await fs.rm(target, { recursive: true, force: true, maxRetries: 3 });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Flushes dirty pages to disk so one contender's writes are not paid for by
 * the next one's timing. Called before every timed transfer, outside the timing.
 */
export function flushDirtyPages(): void {
  spawnSync('sync');
}
