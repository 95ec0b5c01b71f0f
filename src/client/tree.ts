/**
 * Recursive transfers of a folder tree, pipelined: the tree is listed once
 * (a local walk, or one recursive LIST), folders are created level by level,
 * then many files move at once (bounded concurrency), so thousands of small
 * files cost about one round trip each in parallel, not one after another.
 * The first failure cancels the rest and is what the call rejects with.
 */
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { EntryKind, type Entry } from '../protocol/messages.js';
import { isTemporaryName } from '../protocol/temp-names.js';
import type { DownloadJob } from './download.js';
import { checkedRelativeName } from './listed-names.js';
import { localError, wireTime } from './local-files.js';
import { ProgressThrottle } from './progress.js';
import { joinRemote } from './remote-path.js';
import type { TransferContext } from './transfer-common.js';
import { parentOf, receiveTree, topOf } from './tree-download.js';
import { planRemoteLinks, type LinkPolicy, type RemoteLinkPlan } from './tree-links.js';
import { sendTree } from './tree-upload.js';
import type { ListOptions, TransferResult, TreeProgress, TreeTransferOptions, TreeTransferResult } from './types.js';
import type { LocalFileFacts, UploadJob } from './upload.js';
import type { RateLimit } from './rate-limit.js';
import { matchFileTimes, sameFileTime, type TimeOfFile } from '../protocol/file-times.js';

/** Default and ceiling of files in flight at once. */
export const DEFAULT_TREE_CONCURRENCY = 32;
/** Receive windows of a tree download's files add up to at most this much (bounded memory)... */
const TREE_WINDOW_BUDGET = 64 * 1024 * 1024;
/** ...but each file keeps enough to stream a large file well. */
const MIN_TREE_WINDOW = 2 * 1024 * 1024;

/**
 * What the tree transfers need from a session. A Ferry session streams whole
 * trees (TGET, TPUT) and moves single files with UPLD/DWLD; any other kind of
 * remote (src/remote/file-by-file-tree.ts) gives its single-file transfers and
 * never streams, so one walk, one plan and one pipelined file loop serve every
 * kind.
 */
export interface TreeContext {
  /** The Ferry session, when the tree requests (TGET, TPUT) can be used; undefined for other kinds. */
  transfer?: TransferContext;
  /** Files in flight at once are at most half of this. */
  maxInFlight: number;
  /** The server streams whole trees in one request (capability `tree`: TGET, TPUT). */
  streamsTrees: boolean;
  /** ...and a TGET may name the entries it wants (capability `tree-names`). */
  streamsNamedTrees: boolean;
  /** The session's frame limit: a TGET's list of names is split to fit. */
  maxFrame: number;
  list(path: string, options: ListOptions): Promise<Entry[]>;
  mkdir(path: string, options: { parents?: boolean }): Promise<void>;
  /** One file of the tree up (Ferry: UPLD); its result's `bytes` are what was sent (a resumed prefix is not). */
  uploadFile(job: UploadJob): Promise<TransferResult>;
  /** One file of the tree down (Ferry: DWLD). `window` and `targetAbsent` are hints a kind may ignore. */
  downloadFile(job: DownloadJob): Promise<unknown>;
  /** A symlink on the server (Ferry: LINK, capability `symlink`); missing where the kind cannot make one. */
  makeLink?(remotePath: string, target: string, overwrite: boolean): Promise<void>;
  /**
   * Each named file's time, asked file by file (Remote.fileTimes): only a kind
   * whose listings give coarser times has it (FTP: MDTM after a LIST's minute).
   */
  fileTimes?(paths: readonly string[], options: { signal?: AbortSignal }): Promise<(TimeOfFile | undefined)[]>;
}

interface TreeFile {
  /** `/`-separated path below the tree's top. */
  relative: string;
  /** Download of a followed link: the path below the top the content is read from (default: `relative`). */
  source?: string;
  size: number;
  facts?: LocalFileFacts;
}

interface TreePlan {
  /** `/`-separated folder paths below the top, parents before children. */
  folders: string[];
  files: TreeFile[];
}

export async function uploadTree(
  context: TreeContext, localDir: string, remoteDir: string, options: TreeTransferOptions,
): Promise<TreeTransferResult> {
  const started = performance.now();
  const makeLink = context.makeLink;
  if (options.links === 'copy' && !makeLink) {
    throw new FerryError(ErrorCode.UNSUPPORTED, 'this server makes no symlinks: an upload takes --links=skip or follow (see docs/SYNC.md, "Symlinks")');
  }
  const plan = await walkLocal(localDir, options.links ?? 'skip', options.names);
  const skippedLinks = plan.skippedLinks;
  // After the files, so a link's target is there when it is made.
  const copyLinks = async (): Promise<{ copiedLinks?: number }> => {
    if (!makeLink || options.links !== 'copy') return {};
    for (const link of plan.links) await makeLink(joinRemote(remoteDir, link.relative), link.target, options.overwrite ?? false);
    return { copiedLinks: plan.links.length };
  };
  if (remoteDir !== '' && remoteDir !== '/') await context.mkdir(remoteDir, { parents: true });
  if (options.resume) {
    // What an earlier run already landed (the source's size and mtime at the target) is not sent again.
    const there = await remoteFiles(context, remoteDir, options);
    const pairs = plan.files.flatMap((file) => {
      const remote = there.get(file.relative);
      return remote ? [{ relative: file.relative, remote, local: { size: file.size, mtimeMs: file.facts!.mtimeMs } }] : [];
    });
    const done = await landedEarlier(context, remoteDir, pairs, options.signal);
    plan.files = plan.files.filter((file) => !done.has(file.relative));
  }
  if (context.streamsTrees && context.transfer && !options.resume) {
    // One TPUT carries every folder and file; a resume needs each file's own offset, so it goes file by file.
    const files = plan.files.map((file) => ({ relative: file.relative, facts: file.facts! }))
      .sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
    const bytes = await sendTree(context.transfer.connection, {
      localDir, remoteDir, overwrite: options.overwrite ?? false, folders: plan.folders, files,
      chunkSize: Math.max(1, context.transfer.chunkSize),
      signal: options.signal, onProgress: options.onProgress, progressIntervalMs: options.progressIntervalMs,
      rateLimit: options.rateLimit,
    });
    return { files: files.length, folders: plan.folders.length, bytes, durationMs: performance.now() - started, skippedLinks, ...await copyLinks() };
  }
  await createByLevel(plan.folders, (folder) => context.mkdir(joinRemote(remoteDir, folder), { parents: true }));
  const bytes = await transferFiles(context, plan.files, options, (file, job) => context.uploadFile({
    ...job, localPath: path.join(localDir, ...file.relative.split('/')), remotePath: joinRemote(remoteDir, file.relative),
    ...(file.facts ? { facts: file.facts } : {}),
  }));
  return {
    files: plan.files.length, folders: plan.folders.length, bytes, durationMs: performance.now() - started, skippedLinks, ...await copyLinks(),
  };
}

export async function downloadTree(
  context: TreeContext, remoteDir: string, localDir: string, options: TreeTransferOptions,
): Promise<TreeTransferResult> {
  const started = performance.now();
  const policy = options.links ?? 'skip';
  const named = options.names !== undefined && options.names.length > 0;
  if (context.streamsTrees && context.transfer && !options.resume && policy === 'skip' && (!named || context.streamsNamedTrees)) {
    // One TGET streams every file; a resume needs each file's own offset, so it goes file by file.
    return streamTreeDown(context, context.transfer, remoteDir, localDir, options, started);
  }
  const entries = await context.list(remoteDir, {
    recursive: true, linkTargets: policy !== 'skip', ...(options.signal ? { signal: options.signal } : {}),
  });
  const selected = selection(options.names);
  const plan: TreePlan = { folders: [], files: [] };
  const resumable: LandedCandidate[] = [];
  for (const entry of entries) {
    const relative = checkedRelativeName(entry.name);
    if (selected && !selected.has(topOf(relative))) continue;
    if (entry.kind === EntryKind.DIRECTORY) plan.folders.push(relative);
    else if (entry.kind === EntryKind.FILE) {
      const local = options.resume ? localFile(localDir, relative) : undefined;
      if (local) resumable.push({ relative, remote: entry, local });
      plan.files.push({ relative, size: entry.size });
    }
    // Symlinks and special files are not followed or copied.
  }
  if (resumable.length > 0) {
    // Resumed: a file an earlier run completed (the source's size and mtime) stays as it is.
    const done = await landedEarlier(context, remoteDir, resumable, options.signal);
    plan.files = plan.files.filter((file) => !done.has(file.relative));
  }
  // Links outside the selection are not planned; what a selected link points to may lie anywhere in the folder.
  const links = planRemoteLinks(
    selected ? entries.filter((entry) => entry.kind !== EntryKind.SYMLINK || selected.has(topOf(entry.name))) : entries, policy,
  );
  plan.folders.push(...links.folders);
  plan.files.push(...links.files);
  plan.folders.sort(byDepth);
  // Folders created by this call hold no files yet, so their files need no "does the target exist" stat.
  const freshFolders = new Set<string>();
  try {
    if (await fs.promises.mkdir(localDir, { recursive: true }) !== undefined) freshFolders.add('');
    await createByLevel(plan.folders, async (folder) => {
      const created = await fs.promises.mkdir(path.join(localDir, ...folder.split('/')), { recursive: true });
      if (created !== undefined) freshFolders.add(folder);
    });
  } catch (error) {
    throw localError(error, localDir);
  }
  const bytes = await transferFiles(context, plan.files, options, (file, job) => context.downloadFile({
    ...job, remotePath: joinRemote(remoteDir, file.source ?? file.relative), localPath: path.join(localDir, ...file.relative.split('/')),
    targetAbsent: freshFolders.has(parentOf(file.relative)),
    // Many files at once share one memory budget rather than each holding a full window.
    window: Math.max(MIN_TREE_WINDOW, Math.floor(TREE_WINDOW_BUDGET / treeConcurrency(context, options))),
  }));
  await makeLocalLinks(localDir, links.links, options.overwrite ?? false);
  return {
    files: plan.files.length, folders: plan.folders.length, bytes, durationMs: performance.now() - started,
    skippedLinks: links.skipped, copiedLinks: links.links.length,
  };
}

/** `copy`: the tree's links made again below `localDir`, with their text (checked inside the tree by planRemoteLinks). */
async function makeLocalLinks(localDir: string, links: RemoteLinkPlan['links'], overwrite: boolean): Promise<void> {
  for (const link of links) {
    const local = path.join(localDir, ...checkedRelativeName(link.relative).split('/'));
    try {
      if (overwrite) await fs.promises.rm(local, { force: true });
      await fs.promises.symlink(link.target, local);
    } catch (error) {
      throw localError(error, local);
    }
  }
}

/**
 * downloadTree through one TGET. The server's FILE items create the folders
 * as they come; a recursive listing runs beside the stream only when someone
 * watches progress, for its totals (it is not waited for).
 */
async function streamTreeDown(
  context: TreeContext, transfer: TransferContext, remoteDir: string, localDir: string, options: TreeTransferOptions, started: number,
): Promise<TreeTransferResult> {
  const freshFolders = new Set<string>();
  try {
    if (fs.mkdirSync(localDir, { recursive: true }) !== undefined) freshFolders.add('');
  } catch (error) {
    throw localError(error, localDir);
  }
  const selected = selection(options.names);
  const listing = options.onProgress
    ? context.list(remoteDir, { recursive: true, ...(options.signal ? { signal: options.signal } : {}) })
    : undefined;
  const totals = selected && listing
    ? listing.then((entries) => entries.filter((entry) => selected.has(topOf(entry.name))))
    : listing;
  const folders = new Set(['']);
  const done = { files: 0, folders: 0, bytes: 0 };
  // A long selection goes as several TGETs, each list of names within a frame.
  for (const names of selected ? nameGroups([...selected], context.maxFrame) : [undefined]) {
    const before = { ...done };
    const onProgress = options.onProgress && ((progress: TreeProgress) => options.onProgress!({
      ...progress, filesDone: before.files + progress.filesDone, bytesDone: before.bytes + progress.bytesDone,
      filesTotal: Math.max(progress.filesTotal, before.files + progress.filesDone),
      bytesTotal: Math.max(progress.bytesTotal, before.bytes + progress.bytesDone),
    }));
    const streamed = await receiveTree(transfer.connection, {
      remoteDir, localDir, names, overwrite: options.overwrite ?? false, folders, freshFolders, totals,
      signal: options.signal, onProgress, progressIntervalMs: options.progressIntervalMs,
      rateLimit: options.rateLimit,
      checkName: checkedRelativeName,
    });
    done.files += streamed.files;
    done.folders += streamed.folders;
    done.bytes += streamed.bytes;
  }
  // TGET leaves links out silently; the listing beside it, when there is one, counts them.
  const listed = totals ? await totals.catch(() => undefined) : undefined;
  const skippedLinks = listed?.filter((entry) => entry.kind === EntryKind.SYMLINK).length;
  return { ...done, durationMs: performance.now() - started, ...(skippedLinks === undefined ? {} : { skippedLinks }) };
}

/** The names as a set, or undefined for the whole folder. */
function selection(names: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return names && names.length > 0 ? new Set(names) : undefined;
}

/** Bytes of a TGET frame besides its names: header, path (at most the path limit) and window, with room to spare. */
const TGET_FIXED_BYTES = 12 + 2 + 4096 + 4 + 2;

/** `names` cut into lists that each fit one TGET frame (and a u16 count). */
function nameGroups(names: string[], maxFrame: number): string[][] {
  const budget = Math.max(1024, maxFrame - TGET_FIXED_BYTES);
  const groups: string[][] = [];
  let group: string[] = [];
  let bytes = 0;
  for (const name of names) {
    const size = 2 + Buffer.byteLength(name, 'utf8');
    if (group.length > 0 && (bytes + size > budget || group.length === 0xffff)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(name);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** A file of a resumed tree that is on both sides: did an earlier run land it? */
interface LandedCandidate {
  relative: string;
  remote: Entry;
  local: { size: number; mtimeMs: number };
}

/**
 * The files among `candidates` an earlier run landed: the same size and the
 * same time on both sides, the time every kind keeps (SFTP and FTP to the
 * second, so compared at the coarser side's resolution). Where the server's
 * listing gives only the minute or the day (an FTP LIST), those files' times
 * are asked again (fileTimes: MDTM); without that they go again, never taken
 * as landed on a guess.
 */
async function landedEarlier(
  context: TreeContext, remoteDir: string, candidates: readonly LandedCandidate[], signal: AbortSignal | undefined,
): Promise<Set<string>> {
  const landed = new Set<string>();
  const coarse: LandedCandidate[] = [];
  for (const candidate of candidates) {
    const { remote, local } = candidate;
    const times = remote.size === local.size ? matchFileTimes(remote, local) : 'different';
    if (times === 'same') landed.add(candidate.relative);
    else if (times === 'coarse') coarse.push(candidate);
  }
  if (coarse.length > 0 && context.fileTimes) {
    const times = await context.fileTimes(coarse.map((candidate) => joinRemote(remoteDir, candidate.relative)), signal ? { signal } : {});
    coarse.forEach((candidate, at) => {
      const time = times[at];
      if (time && sameFileTime(time, candidate.local)) landed.add(candidate.relative);
    });
  }
  return landed;
}

/** The local regular file `relative` below `localDir` (size and wire mtime), if there is one. */
function localFile(localDir: string, relative: string): { size: number; mtimeMs: number } | undefined {
  const st = fs.lstatSync(path.join(localDir, ...relative.split('/')), { throwIfNoEntry: false });
  return st?.isFile() ? { size: st.size, mtimeMs: wireTime(st.mtimeMs) } : undefined;
}

/** The regular files below `remoteDir` by relative path (one recursive LIST); none when it does not exist. */
async function remoteFiles(context: TreeContext, remoteDir: string, options: TreeTransferOptions): Promise<Map<string, Entry>> {
  const files = new Map<string, Entry>();
  let entries: Entry[];
  try {
    entries = await context.list(remoteDir, { recursive: true, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if (error instanceof FerryError && error.code === ErrorCode.NOT_FOUND) return files;
    throw error;
  }
  for (const entry of entries) if (entry.kind === EntryKind.FILE) files.set(checkedRelativeName(entry.name), entry);
  return files;
}

/** Files in flight at once: the caller's choice, within half the session's in-flight limit. */
function treeConcurrency(context: TreeContext, options: TreeTransferOptions): number {
  return Math.max(1, Math.min(
    options.concurrency ?? DEFAULT_TREE_CONCURRENCY,
    Math.max(1, Math.floor(context.maxInFlight / 2)),
  ));
}

function byDepth(a: string, b: string): number {
  return depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function depth(relative: string): number {
  let n = 0;
  for (let i = 0; i < relative.length; i++) if (relative.charCodeAt(i) === 47) n++;
  return n;
}

/** Creates folders one depth at a time, each level's folders at once. */
async function createByLevel(folders: string[], create: (folder: string) => Promise<void>): Promise<void> {
  let at = 0;
  while (at < folders.length) {
    const level = depth(folders[at]!);
    let end = at;
    while (end < folders.length && depth(folders[end]!) === level) end++;
    await Promise.all(folders.slice(at, end).map(create));
    at = end;
  }
}

/**
 * The local tree below `top`: its folders and regular files with their facts.
 * Each folder is read synchronously (readdir and an lstat per entry take
 * microseconds; a promise through the thread pool per file costs far more on
 * a tree of small files), with a turn of the event loop between folders so a
 * UI stays responsive on a huge tree.
 */
async function walkLocal(top: string, links: LinkPolicy, names?: readonly string[]): Promise<LocalTreePlan> {
  const plan: LocalTreePlan = { folders: [], files: [], skippedLinks: 0, links: [] };
  const selected = selection(names);
  const topReal = links === 'follow' ? realLocalPath(top) : top;
  const pending: { dir: string; relativeDir: string; followed: boolean }[] = [{ dir: top, relativeDir: '', followed: false }];
  while (pending.length > 0) {
    const { dir, relativeDir, followed } = pending.pop()!;
    let children: fs.Dirent[];
    try {
      children = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      throw localError(error, dir);
    }
    for (const child of children) {
      // An unfinished download (ours or another Ferry's) is not content to publish, and servers refuse the name.
      if (isTemporaryName(child.name)) continue;
      if (relativeDir === '' && selected && !selected.has(child.name)) continue;
      const relative = relativeDir === '' ? child.name : `${relativeDir}/${child.name}`;
      const full = path.join(dir, child.name);
      if (child.isDirectory()) {
        plan.folders.push(relative);
        pending.push({ dir: full, relativeDir: relative, followed });
      } else if (child.isSymbolicLink() && links === 'copy') {
        // Made again on the server only when the target goes down from the link's folder (the server's rule).
        const target = downwardLinkTarget(full);
        if (target === undefined) plan.skippedLinks++;
        else plan.links.push({ relative, target });
      } else if (child.isSymbolicLink()) {
        // Links inside a followed folder are not followed again: no chains, no cycles.
        const target = links === 'follow' && !followed ? followableLocalLink(full, dir, topReal) : undefined;
        if (!target) {
          plan.skippedLinks++;
        } else if (target.isDirectory()) {
          plan.folders.push(relative);
          pending.push({ dir: full, relativeDir: relative, followed: true });
        } else {
          plan.files.push({ relative, size: target.size, facts: { size: target.size, mtimeMs: wireTime(target.mtimeMs), mode: target.mode & 0o7777 } });
        }
      } else if (child.isFile()) {
        let st: fs.Stats | undefined;
        try {
          st = fs.lstatSync(full, { throwIfNoEntry: false });
        } catch (error) {
          throw localError(error, full);
        }
        if (!st?.isFile()) continue; // removed or replaced since the folder was read
        plan.files.push({ relative, size: st.size, facts: { size: st.size, mtimeMs: wireTime(st.mtimeMs), mode: st.mode & 0o7777 } });
      }
    }
    if (pending.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  plan.folders.sort(byDepth);
  return plan;
}

interface LocalTreePlan extends TreePlan {
  skippedLinks: number;
  /** `copy`: the links to make again, by their path below the top and their text. */
  links: { relative: string; target: string }[];
}

/**
 * The text of the local link `full` when a server will make it again: a
 * relative path of plain names going down from the link's folder (no `..`,
 * `.`, empty or reserved component, no control character). Undefined
 * otherwise: the link is skipped and counted.
 */
function downwardLinkTarget(full: string): string | undefined {
  let target: string;
  try {
    target = fs.readlinkSync(full, 'utf8');
  } catch {
    return undefined; // gone since the folder was read
  }
  const parts = target.split('/');
  const plain = (part: string): boolean =>
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    part !== '' && part !== '.' && part !== '..' && !/[\u0000-\u001f\u007f\\]/.test(part) && !isTemporaryName(part)
    && Buffer.byteLength(part, 'utf8') <= 255;
  return target !== '' && Buffer.byteLength(target, 'utf8') <= 4096 && parts.every(plain) ? target : undefined;
}

function realLocalPath(local: string): string {
  try {
    return fs.realpathSync.native(local);
  } catch (error) {
    throw localError(error, local);
  }
}

/**
 * The stats of what the local link `full` (in folder `dir`) points to, when
 * `follow` takes it: a file or folder inside the tree's top (`topReal`), and
 * not a folder holding the link (a cycle). Undefined otherwise: skipped.
 */
function followableLocalLink(full: string, dir: string, topReal: string): fs.Stats | undefined {
  let real: string;
  let stats: fs.Stats;
  try {
    real = fs.realpathSync.native(full);
    stats = fs.statSync(real);
  } catch {
    return undefined; // dangling, or gone since the folder was read
  }
  if (!isSameOrBelowLocal(real, topReal)) return undefined;
  if (stats.isDirectory()) return isSameOrBelowLocal(realLocalPath(dir), real) ? undefined : stats;
  return stats.isFile() ? stats : undefined;
}

function isSameOrBelowLocal(real: string, folder: string): boolean {
  return real === folder || real.startsWith(folder.endsWith(path.sep) ? folder : `${folder}${path.sep}`);
}

interface FileJobOptions {
  overwrite: boolean;
  resume: boolean;
  signal: AbortSignal;
  rateLimit: RateLimit | undefined;
  report: (bytes: number) => void;
}

async function transferFiles(
  context: TreeContext,
  files: TreeFile[],
  options: TreeTransferOptions,
  transferOne: (file: TreeFile, job: FileJobOptions) => Promise<unknown>,
): Promise<number> {
  const limit = treeConcurrency(context, options);
  const stop = new AbortController();
  // Every file in flight listens to this one signal.
  setMaxListeners(0, stop.signal);
  const onOuterAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  const progress = new ProgressThrottle<TreeProgress>(options.onProgress, options.progressIntervalMs);
  const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  let current: string | undefined;
  const snapshot = (): TreeProgress => ({
    filesDone, filesTotal: files.length, bytesDone, bytesTotal, ...(current !== undefined ? { current } : {}),
  });

  let next = 0;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (next < files.length && !stop.signal.aborted) {
      const file = files[next++]!;
      let reported = 0;
      try {
        await transferOne(file, {
          overwrite: options.overwrite ?? false,
          resume: options.resume ?? false,
          signal: stop.signal,
          rateLimit: options.rateLimit,
          report: (bytes) => {
            bytesDone += bytes - reported;
            reported = bytes;
            current = file.relative;
            progress.update(snapshot);
          },
        });
        filesDone++;
        current = file.relative;
        progress.update(snapshot);
      } catch (error) {
        firstError ??= error;
        stop.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, files.length) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (firstError === undefined && options.signal?.aborted) firstError = new FerryError(ErrorCode.CANCELLED, 'cancelled');
  if (firstError !== undefined) throw firstError;
  progress.flush(snapshot());
  return bytesDone;
}

/** Part of a tree, named by the caller: the folders to make and the files to send (a sync's plan). */
export interface TreeSubset {
  /** `/`-separated, below the tree's top. */
  folders: readonly string[];
  files: readonly { relative: string; size: number; facts?: LocalFileFacts }[];
}

/**
 * Files of at least this size go by UPLD when a subset upload may resume: one
 * request more per file is nothing beside its content, and a file cut off
 * half-way continues from the server's temporary file instead of from 0.
 */
export const RESUMABLE_FILE_BYTES = 1024 * 1024;

/**
 * Uploads the named part of a local tree, replacing what is there: one TPUT
 * when the server streams trees (a request for the subset, not per file),
 * else one upload per file, many at once. `options.overwrite` is implied.
 * With `options.resume`, files of RESUMABLE_FILE_BYTES or more go one by one
 * with resume after the TPUT (which starts every file at 0): run again after
 * a cut, a half-sent big file continues where it stopped.
 */
export async function uploadSubset(
  context: TreeContext, localDir: string, remoteDir: string, subset: TreeSubset, options: TreeTransferOptions,
): Promise<TreeTransferResult> {
  const started = performance.now();
  const folders = [...subset.folders].sort(byDepth);
  if (remoteDir !== '' && remoteDir !== '/') await context.mkdir(remoteDir, { parents: true });
  if (subset.files.length === 0 && folders.length === 0) return { files: 0, folders: 0, bytes: 0, durationMs: 0 };
  /** Content bytes sent by single uploads: a resumed file's prefix, already on the server, is not. */
  let sentAlone = 0;
  const sendOne = async (file: TreeFile, job: FileJobOptions): Promise<void> => {
    const result = await context.uploadFile({
      ...job, localPath: path.join(localDir, ...file.relative.split('/')), remotePath: joinRemote(remoteDir, file.relative),
      ...(file.facts ? { facts: file.facts } : {}),
    });
    sentAlone += result.bytes;
  };
  if (context.streamsTrees && context.transfer && subset.files.every((file) => file.facts !== undefined)) {
    const transfer = context.transfer;
    const alone = options.resume ? subset.files.filter((file) => file.size >= RESUMABLE_FILE_BYTES) : [];
    const streamed = options.resume ? subset.files.filter((file) => file.size < RESUMABLE_FILE_BYTES) : subset.files;
    const progress = new SplitProgress(subset.files, options.onProgress);
    let bytes = 0;
    if (streamed.length > 0 || folders.length > 0) {
      const files = streamed.map((file) => ({ relative: file.relative, facts: file.facts! }));
      bytes += await sendTree(transfer.connection, {
        localDir, remoteDir, overwrite: true, folders, files, chunkSize: Math.max(1, transfer.chunkSize),
        signal: options.signal, onProgress: progress.part(), progressIntervalMs: options.progressIntervalMs,
        rateLimit: options.rateLimit,
      });
    }
    if (alone.length > 0) {
      const onProgress = progress.part();
      await transferFiles(context, [...alone], { ...options, overwrite: true, resume: true, ...(onProgress ? { onProgress } : {}) }, sendOne);
      bytes += sentAlone;
    }
    return { files: subset.files.length, folders: folders.length, bytes, durationMs: performance.now() - started };
  }
  await createByLevel(folders, (folder) => context.mkdir(joinRemote(remoteDir, folder), { parents: true }));
  await transferFiles(context, [...subset.files], { ...options, overwrite: true }, sendOne);
  return { files: subset.files.length, folders: folders.length, bytes: sentAlone, durationMs: performance.now() - started };
}

/** One progress over a transfer done in parts one after another (a TPUT, then single uploads). */
class SplitProgress {
  private readonly bytesTotal: number;
  private readonly before = { files: 0, bytes: 0 };
  private last = { files: 0, bytes: 0 };

  constructor(private readonly files: TreeSubset['files'], private readonly onProgress: ((progress: TreeProgress) => void) | undefined) {
    this.bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
  }

  /** The reporter of the next part; what the previous part reported last counts as done. */
  part(): ((progress: TreeProgress) => void) | undefined {
    if (!this.onProgress) return undefined;
    this.before.files += this.last.files;
    this.before.bytes += this.last.bytes;
    this.last = { files: 0, bytes: 0 };
    const before = { ...this.before };
    return (progress) => {
      this.last = { files: progress.filesDone, bytes: progress.bytesDone };
      this.onProgress!({
        ...progress, filesDone: before.files + progress.filesDone, filesTotal: this.files.length,
        bytesDone: before.bytes + progress.bytesDone, bytesTotal: this.bytesTotal,
      });
    };
  }
}

/**
 * Downloads the named part of a remote tree, replacing local files: one DWLD
 * per file, many in flight at once, each resuming the temporary file an
 * interrupted run left (TGET streams a whole folder and cannot resume, so it
 * is no use for a subset). `options.overwrite` is implied.
 */
export async function downloadSubset(
  context: TreeContext, remoteDir: string, localDir: string, subset: TreeSubset, options: TreeTransferOptions,
): Promise<TreeTransferResult> {
  const started = performance.now();
  const folders = [...subset.folders].sort(byDepth);
  try {
    await fs.promises.mkdir(localDir, { recursive: true });
    await createByLevel(folders, async (folder) => {
      await fs.promises.mkdir(path.join(localDir, ...folder.split('/')), { recursive: true });
    });
  } catch (error) {
    throw localError(error, localDir);
  }
  const files = subset.files.map((file) => ({ relative: checkedRelativeName(file.relative), size: file.size }));
  const bytes = await transferFiles(context, files, { ...options, overwrite: true, resume: true }, (file, job) => context.downloadFile({
    ...job, remotePath: joinRemote(remoteDir, file.relative), localPath: path.join(localDir, ...file.relative.split('/')),
    window: Math.max(MIN_TREE_WINDOW, Math.floor(TREE_WINDOW_BUDGET / treeConcurrency(context, options))),
  }));
  return { files: files.length, folders: folders.length, bytes, durationMs: performance.now() - started };
}
