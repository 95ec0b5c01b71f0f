/**
 * The jail: src/server/storage/ holds every file-system call of ferryd's
 * request handling, so what a client can reach is decided here and can be
 * audited in one folder (eslint.config.js refuses `node:fs` in the rest of
 * src/server). This file is its front: the operations the requests use, each
 * handed to the file that holds its one idea:
 *
 * - jail.ts: the root (real path, device and inode) and the checks that keep
 *   paths and descriptors inside it; how a protocol path becomes a file.
 * - paths.ts: protocol paths parsed into checked components (no disk).
 * - changes.ts: STAT, MKDR, RMDR, DELF, MOVE; remove-tree.ts: RMDR -r;
 *   permissions.ts: CHMD, never through a symlink.
 * - walks.ts: listings and tree walks; working-directory.ts: batched lookups.
 * - readable-file.ts: files open for downloads.
 * - upload-temporary-files.ts, upload-file.ts, upload-lock.ts: an upload's
 *   temporary file, made or taken up, written, committed, under its lock;
 *   staged-files.ts and flush.ts: a tree upload's batches; tree-target.ts:
 *   a tree upload's folders; sweep.ts: stale temporary files.
 * - work-gate.ts: turns for expensive work a small request can ask for.
 *
 * Errors leave as FerryError with the protocol's codes.
 *
 * Metadata calls on the request path (realpath, opening and checking a
 * folder or a file to read, fstat, lstat, readlink, fchmod, futimes, rename,
 * closing a read-only descriptor) are synchronous: on a local disk each takes
 * microseconds, while a round trip through libuv's thread pool costs far
 * more, and a tree of thousands of small files is made of little else (the
 * recursive listing reads the same way). Reading and writing content and
 * fsync stay on the thread pool.
 */
import type { FerryError } from '../../protocol/errors.js';
import type { Entry } from '../../protocol/messages.js';
import { deleteFile, makeLink, mkdir, move, rmdir, stat } from './changes.js';
import { flushPaths } from './flush.js';
import { Jail } from './jail.js';
import { DEFAULT_PATH_LIMITS, type PathLimits } from './paths.js';
import { changeMode, type ModeChange, type ModeChangeOutcome } from './permissions.js';
import { openForReading, type ReadableFile } from './readable-file.js';
import { dropStaged, renameStaged } from './staged-files.js';
import { removeStaleTemps } from './sweep.js';
import { TreeTarget } from './tree-target.js';
import type { StagedFile, UploadFile, UploadPlan } from './upload-file.js';
import { createUploadFile, openUpload, planUpload } from './upload-temporary-files.js';
import { openListing, openTreeWalk, type Listing, type TreeWalk } from './walks.js';

export type { OpenFolder } from './jail.js';
export type { ModeChange, ModeChangeOutcome } from './permissions.js';
export type { ReadableFile } from './readable-file.js';
export type { StagedFile, UploadFile, UploadPlan } from './upload-file.js';
export type { Listing, TreeItem, TreeWalk } from './walks.js';

export class Storage {
  private constructor(private readonly jail: Jail) {}

  static async open(root: string, limits: PathLimits = DEFAULT_PATH_LIMITS): Promise<Storage> {
    return new Storage(await Jail.open(root, limits));
  }

  /** The root's real path (symlinks resolved). */
  get root(): string {
    return this.jail.root;
  }

  /** Checks a protocol path and splits it into components (INVALID_PATH otherwise). */
  parse(remotePath: string): string[] {
    return this.jail.parse(remotePath);
  }

  /** The entry of `components` itself (a final symlink is described, not followed). */
  stat(components: readonly string[]): Promise<Entry> {
    return stat(this.jail, components);
  }

  /**
   * A listing of the folder `components` (followed if it is a symlink inside
   * the root); with `linkTargets`, symlinks' entries carry their targets' text.
   */
  list(components: readonly string[], recursive: boolean, linkTargets = false): Promise<Listing> {
    return openListing(this.jail, components, recursive, linkTargets);
  }

  /** CHMD on the entry `components` itself; a symlink is left alone (permissions.ts). */
  changeMode(components: readonly string[], change: ModeChange): Promise<ModeChangeOutcome> {
    return changeMode(this.jail, components, change);
  }

  /** The folders and regular files below the folder `components`, for a tree download (TGET). */
  /** `only`: the entries of the folder to walk (single names); undefined: all of them. */
  walkTree(components: readonly string[], only?: ReadonlySet<string>): Promise<TreeWalk> {
    return openTreeWalk(this.jail, components, only);
  }

  mkdir(components: readonly string[], parents: boolean): Promise<void> {
    return mkdir(this.jail, components, parents);
  }

  rmdir(components: readonly string[], recursive: boolean): Promise<void> {
    return rmdir(this.jail, components, recursive);
  }

  /** Deletes a file or a symlink (never what the link points to). */
  deleteFile(components: readonly string[]): Promise<void> {
    return deleteFile(this.jail, components);
  }

  /** A symlink at `components` holding `target` (checked by the caller; never resolved here). */
  makeLink(components: readonly string[], target: string, overwrite: boolean): Promise<void> {
    return makeLink(this.jail, components, target, overwrite);
  }

  move(from: readonly string[], to: readonly string[], overwrite: boolean): Promise<void> {
    return move(this.jail, from, to, overwrite);
  }

  /** Opens a regular file for a download (a final symlink inside the root is followed). */
  async openForReading(components: readonly string[]): Promise<ReadableFile> {
    return openForReading(this.jail, components);
  }

  /** Checks an upload's target before anything is written; the plan holds its folder open until `close()`. */
  async planUpload(components: readonly string[], overwrite: boolean): Promise<UploadPlan> {
    return planUpload(this.jail, components, overwrite);
  }

  /** The upload's temporary file under its lock: continued with `resume` if this server made it, else new. */
  openUpload(plan: UploadPlan, size: number, resume: boolean): Promise<UploadFile> {
    return openUpload(plan, size, resume);
  }

  /** A new, empty temporary file for `plan`, created exclusively under the upload's lock. */
  createUploadFile(plan: UploadPlan, mode = 0): UploadFile {
    return createUploadFile(plan, mode);
  }

  /** The folder `components` as the target of a tree upload (TPUT): it must exist. */
  async openTreeTarget(components: readonly string[]): Promise<TreeTarget> {
    return new TreeTarget(this.jail, this.jail.openFolder(components), components);
  }

  /**
   * Flushes the content of checked tree-upload files to disk (TPUT), many at
   * once: one flush of the whole file system instead of an fsync per file is
   * what makes a tree of small files cheap. Only after it may they be renamed.
   */
  async flushStaged(files: readonly StagedFile[]): Promise<void> {
    if (files.length > 0) await flushPaths(files.map((file) => file.tempReal), this.jail.root);
  }

  /** Renames flushed tree-upload files over their targets: see staged-files.ts. */
  renameStaged(files: readonly StagedFile[]): { failure: FerryError | undefined; folders: string[] } {
    return renameStaged(this.jail, files);
  }

  /** Drops checked tree-upload files that will not be renamed (their flush failed). */
  dropStaged(files: readonly StagedFile[]): void {
    dropStaged(files);
  }

  /** Makes renames into `folders` (real paths) durable: after it, a tree upload may answer DONE. */
  async flushRenames(folders: readonly string[]): Promise<void> {
    if (folders.length > 0) await flushPaths(folders, this.jail.root);
  }

  /** Removes stale upload temporary files below the root: see sweep.ts. */
  removeStaleTemps(maxAgeMs: number, isActive: (tempPath: string) => boolean, budget?: number): Promise<number> {
    return removeStaleTemps(this.jail.root, maxAgeMs, isActive, budget);
  }
}
