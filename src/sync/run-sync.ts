/**
 * Runs a sync: plan (one listing of each side), then — unless it is a dry
 * run — remove what is in the way, send the new and changed files in one
 * pipelined transfer, and remove what is only in DST (with --delete). Every
 * step is idempotent, so a run that was interrupted is finished by running
 * it again: the files already sent compare equal and are not sent again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { localError, partialPathFor, wireTime } from '../client/local-files.js';
import type { RateLimit } from '../client/rate-limit.js';
import type { TreeSubset } from '../client/tree.js';
import type { TreeProgress } from '../client/types.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { ExcludeRules } from './exclude.js';
import { LocalPlace } from './local-place.js';
import type { SyncEntry, SyncPlace } from './place.js';
import { changeCount, planSync, type SyncPlan } from './plan.js';
import { RemotePlace } from './remote-place.js';

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
  /** A bandwidth limit the transfers share (the UI queue's). */
  rateLimit?: RateLimit;
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
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  };
  if (source instanceof LocalPlace && target instanceof RemotePlace) {
    // resume: a big file an interrupted run left half-sent continues from the server's temporary file.
    return (await target.remote.uploadSubset(source.top, target.top, subset, { ...treeOptions, resume: true })).bytes;
  }
  if (source instanceof RemotePlace && target instanceof LocalPlace) {
    return (await source.remote.downloadSubset(source.top, target.top, subset, treeOptions)).bytes;
  }
  if (source instanceof LocalPlace && target instanceof LocalPlace) return copyLocal(source, target, subset);
  if (source instanceof RemotePlace && target instanceof RemotePlace) return relay(source, target, subset, options);
  throw new FerryError(ErrorCode.UNSUPPORTED, `sync from ${source.description} to ${target.description} is not supported`);
}

/** Content staged on the local disk at once by a remote-to-remote sync (a bigger file goes alone). */
const RELAY_BATCH_BYTES = 256 * 1024 * 1024;

/**
 * Remote to remote (two servers, of any kinds): the planned files go through a
 * local temporary folder in batches — each downloaded, then uploaded with its
 * source's mtime and mode, then removed — so the local disk holds at most one
 * batch. Progress counts each byte once down and once up. The mtime sent on
 * is the one the download gave the staged copy, not the plan's: where the
 * source's listing had it only to the minute or the day (FTP's LIST), the
 * download asked for the second (MDTM).
 */
async function relay(source: RemotePlace, target: RemotePlace, subset: TreeSubset, options: SyncOptions): Promise<number> {
  const stage = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ferry-sync-')).catch((error: unknown) => {
    throw localError(error, os.tmpdir());
  });
  const totalBytes = subset.files.reduce((sum, file) => sum + file.size, 0);
  let bytesBefore = 0;
  let filesBefore = 0;
  let bytes = 0;
  try {
    const batches = batchesOf(subset.files, RELAY_BATCH_BYTES);
    if (batches.length === 0) batches.push([]);
    for (const [index, files] of batches.entries()) {
      const batchBytes = files.reduce((sum, file) => sum + file.size, 0);
      // The batch's files land in their folders below the stage (each made with its parents).
      const parents = new Set(files.map((file) => path.posix.dirname(file.relative)).filter((folder) => folder !== '.'));
      const phase = (half: 0 | 1) => options.onProgress && ((p: TreeProgress): void => options.onProgress!({
        filesDone: filesBefore + (half === 1 ? p.filesDone : 0), filesTotal: subset.files.length,
        bytesDone: 2 * bytesBefore + half * batchBytes + p.bytesDone, bytesTotal: 2 * totalBytes,
        ...(p.current !== undefined ? { current: p.current } : {}),
      }));
      const common = {
        ...(options.signal ? { signal: options.signal } : {}), ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
        ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
      };
      const down = phase(0);
      await source.remote.downloadSubset(source.top, stage, { folders: [...parents], files }, { ...common, ...(down ? { onProgress: down } : {}) });
      const up = phase(1);
      const sent = await target.remote.uploadSubset(stage, target.top, {
        // The plan's folders (empty ones too) go with the first batch.
        folders: index === 0 ? subset.folders : [], files: files.map((file) => withStagedTime(stage, file)),
      }, { ...common, resume: true, ...(up ? { onProgress: up } : {}) });
      bytes += sent.bytes;
      bytesBefore += batchBytes;
      filesBefore += files.length;
      await fs.promises.rm(stage, { recursive: true, force: true });
      await fs.promises.mkdir(stage);
    }
  } finally {
    await fs.promises.rm(stage, { recursive: true, force: true }).catch(() => undefined);
  }
  return bytes;
}

/** `file` with the mtime of its staged copy below `stage`. */
function withStagedTime(stage: string, file: TreeSubset['files'][number]): TreeSubset['files'][number] {
  if (!file.facts) return file;
  const staged = path.join(stage, ...file.relative.split('/'));
  let mtimeMs: number;
  try {
    mtimeMs = wireTime(fs.statSync(staged).mtimeMs);
  } catch (error) {
    throw localError(error, staged);
  }
  return { ...file, facts: { ...file.facts, mtimeMs } };
}

function batchesOf<T extends { size: number }>(files: readonly T[], budget: number): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const file of files) {
    if (batch.length > 0 && bytes + file.size > budget) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += file.size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
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
