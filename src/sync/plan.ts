/**
 * The plan that makes DST like SRC, from one listing of each (docs/SYNC.md).
 * Pure: no I/O here but the checksums and per-file times the caller's places
 * answer, so the same planner serves every kind of place and a dry run shows
 * exactly what a real run would do.
 *
 * Times are compared to the coarser side's resolution: an FTP LIST line that
 * says `12:34` stands for any time in that minute. Where the sizes are equal
 * and the times agree only that coarsely, the places are asked for each such
 * file's own time (FTP: MDTM, to the second) before it is called unchanged,
 * so a file changed within the same minute at the same size is still sent.
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { EXACT_ENOUGH_MS, matchFileTimes, type TimeOfFile } from '../protocol/file-times.js';
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
  if (plan.coarseTimes.length > 0) {
    plan.update.push(...await differingByFinerTimes(source, target, plan.coarseTimes, options.signal));
    plan.update.sort(byPath);
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
  const { sameSize: _hashed, coarseTimes: _asked, ...result } = plan;
  return result;
}

/** A file of the same size on both sides whose times agree only to more than a second (an FTP LIST's minute or day). */
export interface CoarseMatch {
  source: SyncEntry;
  target: SyncEntry;
}

/**
 * The source entries of `matches` whose files differ once each side's coarse
 * times are asked again. Where a place cannot say more (no MDTM), a coarse
 * match stays one and counts as unchanged: the listing is all there is to go on.
 */
async function differingByFinerTimes(
  source: SyncPlace, target: SyncPlace, matches: readonly CoarseMatch[], signal?: AbortSignal,
): Promise<SyncEntry[]> {
  const [ours, theirs] = await Promise.all([
    finerTimes(source, matches.map((match) => match.source), signal),
    finerTimes(target, matches.map((match) => match.target), signal),
  ]);
  return matches.filter((_, at) => matchFileTimes(ours[at]!, theirs[at]!) === 'different').map((match) => match.source);
}

/** `entries`' times, each coarser than a second replaced by the place's own answer for that file where it has one. */
async function finerTimes(place: SyncPlace, entries: readonly SyncEntry[], signal?: AbortSignal): Promise<TimeOfFile[]> {
  const coarse = entries.filter((entry) => (entry.mtimeResolutionMs ?? 1) > EXACT_ENOUGH_MS);
  if (coarse.length === 0 || !place.finerTimes) return [...entries];
  const answers = await place.finerTimes(coarse.map((entry) => entry.path), signal);
  const asked = new Map(coarse.map((entry, at) => [entry, answers[at]]));
  return entries.map((entry) => asked.get(entry) ?? entry);
}

/**
 * The comparison by listing alone. With `checksum`, files of equal size are
 * not judged here but returned in `sameSize` for the caller to hash; without,
 * files of equal size whose times agree only coarsely are returned in
 * `coarseTimes` for the caller to ask again (left there, they count as unchanged).
 */
export function compareTrees(
  sourceEntries: readonly SyncEntry[], targetEntries: readonly SyncEntry[], options: Omit<PlanOptions, 'signal'>,
): SyncPlan & { sameSize: SyncEntry[]; coarseTimes: CoarseMatch[] } {
  const keep = (entry: SyncEntry): boolean => !options.exclude.excludes(entry.path, entry.kind === 'folder');
  const source = new Map(sourceEntries.filter(keep).map((entry) => [entry.path, entry]));
  const target = new Map(targetEntries.filter(keep).map((entry) => [entry.path, entry]));
  const plan: SyncPlan & { sameSize: SyncEntry[]; coarseTimes: CoarseMatch[] } = {
    folders: [], create: [], update: [], replace: [], remove: [], skipped: [], sameSize: [], coarseTimes: [],
  };
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
    } else {
      const times = matchFileTimes(entry, there);
      if (times === 'different') plan.update.push(entry);
      else if (times === 'coarse') plan.coarseTimes.push({ source: entry, target: there });
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
