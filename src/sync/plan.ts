/**
 * The plan that makes DST like SRC, from one listing of each (docs/SYNC.md).
 * Pure: no I/O here but the checksums the caller's places answer, so the same
 * planner serves every kind of place and a dry run shows exactly what a real
 * run would do.
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';
import type { ExcludeRules } from './exclude.js';
import type { SyncEntry, SyncPlace } from './place.js';

export interface SyncPlan {
  /** Folders to make in DST, parents before children. */
  folders: string[];
  /** Files only in SRC. */
  create: SyncEntry[];
  /** Files in both that differ (size, mtime, or content with --checksum); entries are SRC's. */
  update: SyncEntry[];
  /** DST entries in the way of a SRC entry of another kind (a folder where SRC has a file): removed first. */
  replace: SyncEntry[];
  /** DST entries only in DST, removed with --delete (a folder once, not what it holds). */
  remove: SyncEntry[];
  /** SRC entries a sync does not copy (symlinks, special files). */
  skipped: SyncEntry[];
}

export interface PlanOptions {
  exclude: ExcludeRules;
  /** Remove what is only in DST. */
  deleteExtra: boolean;
  /** Compare files of the same size by content (SHA-256 on each side) instead of by mtime. */
  checksum: boolean;
  signal?: AbortSignal;
}

export function changeCount(plan: SyncPlan): number {
  return plan.folders.length + plan.create.length + plan.update.length + plan.replace.length + plan.remove.length;
}

export function bytesToSend(plan: SyncPlan): number {
  let bytes = 0;
  for (const entry of plan.create) bytes += entry.size;
  for (const entry of plan.update) bytes += entry.size;
  return bytes;
}

/** Lists both places and plans. */
export async function planSync(source: SyncPlace, target: SyncPlace, options: PlanOptions): Promise<SyncPlan> {
  const [sourceEntries, targetEntries] = await Promise.all([source.list(options.signal), target.list(options.signal)]);
  // A missing source is an error, never "an empty tree": with --delete it would empty DST.
  if (sourceEntries === undefined) throw new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${source.description}`);
  const plan = compareTrees(sourceEntries, targetEntries ?? [], options);
  const folderInTheWay = plan.replace.find((entry) => entry.kind === 'folder');
  if (folderInTheWay && !options.deleteExtra) {
    // Replacing a file is what an update does; a whole folder goes only when the user asked for removals.
    throw new FerryError(ErrorCode.EXISTS, `${target.description}: ${folderInTheWay.path} is a folder where the source has a file (--delete replaces it)`);
  }
  if (options.checksum && plan.sameSize.length > 0) {
    const paths = plan.sameSize.map((entry) => entry.path);
    const [ours, theirs] = await Promise.all([source.checksums(paths, options.signal), target.checksums(paths, options.signal)]);
    plan.sameSize.forEach((entry, at) => {
      const a = ours[at];
      const b = theirs[at];
      if (a === undefined || b === undefined || !a.equals(b)) plan.update.push(entry);
    });
    plan.update.sort(byPath);
  }
  const { sameSize: _unused, ...result } = plan;
  return result;
}

/**
 * The comparison by listing alone. With `checksum`, files of equal size are
 * not judged here but returned in `sameSize` for the caller to hash.
 */
export function compareTrees(
  sourceEntries: readonly SyncEntry[], targetEntries: readonly SyncEntry[], options: Omit<PlanOptions, 'signal'>,
): SyncPlan & { sameSize: SyncEntry[] } {
  const keep = (entry: SyncEntry): boolean => !options.exclude.excludes(entry.path, entry.kind === 'folder');
  const source = new Map(sourceEntries.filter(keep).map((entry) => [entry.path, entry]));
  const target = new Map(targetEntries.filter(keep).map((entry) => [entry.path, entry]));
  const plan: SyncPlan & { sameSize: SyncEntry[] } = { folders: [], create: [], update: [], replace: [], remove: [], skipped: [], sameSize: [] };
  /** DST folders removed as a whole: what they hold needs no removal of its own. */
  const removedFolders = new Set<string>();
  const removeFromTarget = (entry: SyncEntry, list: SyncEntry[]): void => {
    if (underAny(entry.path, removedFolders)) return;
    list.push(entry);
    if (entry.kind === 'folder') removedFolders.add(entry.path);
  };

  for (const entry of [...source.values()].sort(byPath)) {
    // Below a symlink or special file SRC lists nothing; below a skipped folder nothing is skipped.
    const there = target.get(entry.path);
    if (entry.kind === 'other') {
      plan.skipped.push(entry);
      continue;
    }
    if (entry.kind === 'folder') {
      if (there?.kind === 'folder') continue;
      if (there) removeFromTarget(there, plan.replace);
      plan.folders.push(entry.path);
      continue;
    }
    if (!there || underAny(entry.path, removedFolders)) {
      plan.create.push(entry);
      continue;
    }
    // A symlink or special file in DST is replaced by the file (an upload or download never writes through it).
    if (there.kind === 'folder') {
      removeFromTarget(there, plan.replace);
      plan.create.push(entry);
    } else if (there.kind === 'other' || there.size !== entry.size) {
      plan.update.push(entry);
    } else if (options.checksum) {
      plan.sameSize.push(entry);
    } else if (there.mtimeMs !== entry.mtimeMs) {
      plan.update.push(entry);
    }
  }
  if (options.deleteExtra) {
    for (const entry of [...target.values()].sort(byPath)) {
      if (!source.has(entry.path)) removeFromTarget(entry, plan.remove);
    }
  }
  plan.folders.sort(byDepthThenPath);
  return plan;
}

function underAny(path: string, folders: ReadonlySet<string>): boolean {
  for (let at = path.indexOf('/'); at >= 0; at = path.indexOf('/', at + 1)) {
    if (folders.has(path.slice(0, at))) return true;
  }
  return false;
}

function byPath(a: SyncEntry, b: SyncEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function byDepthThenPath(a: string, b: string): number {
  const depth = (p: string): number => p.split('/').length;
  return depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
}
