/**
 * Runs a sync: plan (one listing of each side), then — unless it is a dry
 * run — remove what is in the way, send the new and changed files in one
 * pipelined transfer, and remove what is only in DST (with --delete). Every
 * step is idempotent, so a run that was interrupted is finished by running
 * it again: the files already sent compare equal and are not sent again.
 */
import fs from 'node:fs';
import { localError, partialPathFor } from '../client/local-files.js';
import type { TreeSubset } from '../client/tree.js';
import type { TreeProgress } from '../client/types.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { ExcludeRules } from './exclude.js';
import { FerryPlace } from './ferry-place.js';
import { LocalPlace } from './local-place.js';
import type { SyncEntry, SyncPlace } from './place.js';
import { changeCount, planSync, type SyncPlan } from './plan.js';

export interface SyncOptions {
  exclude?: readonly string[];
  /** Remove what is only in DST. */
  deleteExtra?: boolean;
  /** Compare files of equal size by content rather than by mtime. */
  checksum?: boolean;
  /** Plan only; change nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
  progressIntervalMs?: number;
}

export interface SyncOutcome {
  plan: SyncPlan;
  /** False when DST was already like SRC (nothing done, or nothing to do in a dry run). */
  changed: boolean;
  /** File content bytes moved (0 in a dry run). */
  bytes: number;
}

export async function runSync(source: SyncPlace, target: SyncPlace, options: SyncOptions = {}): Promise<SyncOutcome> {
  const plan = await planSync(source, target, {
    exclude: new ExcludeRules(options.exclude ?? []), deleteExtra: options.deleteExtra ?? false,
    checksum: options.checksum ?? false, ...(options.signal ? { signal: options.signal } : {}),
  });
  const changed = changeCount(plan) > 0;
  if (options.dryRun || !changed) return { plan, changed, bytes: 0 };
  for (const entry of plan.replace) await target.remove(entry);
  const files = [...plan.create, ...plan.update];
  let bytes = 0;
  if (files.length > 0 || plan.folders.length > 0) {
    bytes = await transfer(source, target, {
      folders: plan.folders,
      files: files.map((entry) => ({
        relative: entry.path, size: entry.size, facts: { size: entry.size, mtimeMs: entry.mtimeMs, mode: entry.mode },
      })),
    }, options);
  }
  // Removals last: a run that fails on the way has lost nothing it was not told to replace.
  for (const entry of plan.remove) await target.remove(entry);
  return { plan, changed, bytes };
}

async function transfer(source: SyncPlace, target: SyncPlace, subset: TreeSubset, options: SyncOptions): Promise<number> {
  const treeOptions = {
    ...(options.signal ? { signal: options.signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
  };
  if (source instanceof LocalPlace && target instanceof FerryPlace) {
    return (await target.client.uploadSubset(source.top, target.top, subset, treeOptions)).bytes;
  }
  if (source instanceof FerryPlace && target instanceof LocalPlace) {
    return (await source.client.downloadSubset(source.top, target.top, subset, treeOptions)).bytes;
  }
  if (source instanceof LocalPlace && target instanceof LocalPlace) return copyLocal(source, target, subset);
  throw new FerryError(ErrorCode.UNSUPPORTED, `sync from ${source.description} to ${target.description} is not supported`);
}

/** Local to local: each file copied beside its target and renamed into place, its mtime and mode kept. */
async function copyLocal(source: LocalPlace, target: LocalPlace, subset: TreeSubset): Promise<number> {
  let bytes = 0;
  try {
    await fs.promises.mkdir(target.top, { recursive: true });
    for (const folder of subset.folders) await fs.promises.mkdir(target.fullPath(folder), { recursive: true });
  } catch (error) {
    throw localError(error, target.top);
  }
  for (const file of subset.files) {
    const to = target.fullPath(file.relative);
    const partial = partialPathFor(to);
    try {
      await fs.promises.copyFile(source.fullPath(file.relative), partial);
      if (file.facts) {
        await fs.promises.chmod(partial, file.facts.mode & 0o777);
        await fs.promises.utimes(partial, new Date(file.facts.mtimeMs), new Date(file.facts.mtimeMs));
      }
      await fs.promises.rename(partial, to);
    } catch (error) {
      await fs.promises.rm(partial, { force: true }).catch(() => undefined);
      throw localError(error, to);
    }
    bytes += file.size;
  }
  return bytes;
}

export type { SyncEntry };
