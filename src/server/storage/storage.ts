/**
 * The jail: every filesystem call of ferryd is in this file, so what a client
 * can reach is decided here and can be audited in one sitting.
 *
 * How a protocol path becomes a file:
 * 1. parseRemotePath (paths.ts) refuses `.`, `..`, empty components,
 *    backslashes, control characters, over-long names and the reserved names
 *    of upload temporary files before any disk access. What is left can only
 *    go *down* from the root, one name at a time.
 * 2. Symlinks are the only way left out. The folder that holds the last
 *    component is resolved with realpath (every symlink on the way followed by
 *    the kernel) and the result must lie inside the root's real path, checked
 *    component by component with path.relative, never by string prefix.
 *    Operations that follow the last component (LIST, DWLD) resolve it the
 *    same way; the others (STAT, DELF, MOVE, UPLD) act on the link itself.
 * 3. The checked folder is then opened once (O_DIRECTORY) and its
 *    descriptor's real path (/proc/self/fd/N on Linux) checked inside the
 *    root again; the last component is reached through that descriptor
 *    (`/proc/self/fd/N/name`), so a symlink swapped in for a folder between
 *    the check and the use cannot lead outside. A listing looks its entries
 *    up the same way, relative to a working directory changed into the
 *    folder through its descriptor for each batch (one magic-link resolution
 *    per batch instead of per entry: see describeEntries). Files are opened
 *    with O_NOFOLLOW and their descriptors checked the same way. Without /proc
 *    the checked real paths are used directly (a narrower race remains).
 *
 * Errors leave this module as FerryError with the protocol's codes.
 *
 * Metadata calls on the request path (realpath, opening and checking a
 * folder or a file to read, fstat, lstat, readlink, fchmod, futimes, rename,
 * closing a read-only descriptor) are synchronous: on a local disk each takes
 * microseconds, while a round trip through libuv's thread pool costs far
 * more, and a tree of thousands of small files is made of little else (the
 * recursive listing reads the same way). Reading and writing content and
 * fsync stay on the thread pool.
 */
import {
  closeSync, constants as fsConstants, fchmodSync, fdatasync, fstatSync, fsync, ftruncateSync, futimesSync, linkSync,
  lstatSync, openSync, read as readFd, readSync, readlinkSync, unlinkSync, writev, writevSync, realpathSync, renameSync, type Dir, type Stats,
} from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { createHash, type Hash } from 'node:crypto';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import { isTemporaryName, TEMP_SUFFIX } from '../../protocol/temp-names.js';
import { errnoCode, toFerryError } from './errors.js';
import { DEFAULT_PATH_LIMITS, displayPath, isAddressableName, parseRemotePath, type PathLimits } from './paths.js';
import { flushPaths } from './flush.js';
import { removeTreeAt } from './remove-tree.js';
import { TreeTarget } from './tree-target.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = fsConstants;

const NAME_MAX_ON_DISK = 255;

/** A folder opened and checked once; `path` reaches it through its descriptor. */
export interface OpenFolder {
  /** `/proc/self/fd/N`, or the checked real path where /proc is not available. */
  path: string;
  /** Whether `path` is the descriptor's `/proc/self/fd/N` (false: the real path). */
  throughDescriptor: boolean;
  /** The folder's real path, checked inside the root. */
  real: string;
  close(): Promise<void>;
}

export class Storage {
  private constructor(
    /** The root's real path (symlinks resolved). */
    readonly root: string,
    private readonly limits: PathLimits,
    /** Whether /proc/self/fd shows descriptors' real paths here (Linux). */
    private readonly procFd: boolean,
  ) {}

  static async open(root: string, limits: PathLimits = DEFAULT_PATH_LIMITS): Promise<Storage> {
    let real: string;
    try {
      real = await fs.realpath(root);
      const stats = await fs.stat(real);
      if (!stats.isDirectory()) throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `root is not a folder: ${root}`);
    } catch (error) {
      throw toFerryError(error, root);
    }
    return new Storage(real, limits, await procFdWorks(real));
  }

  /** Checks a protocol path and splits it into components (INVALID_PATH otherwise). */
  parse(remotePath: string): string[] {
    return parseRemotePath(remotePath, this.limits);
  }

  // ------------------------------------------------------------------ resolution

  /** Throws INVALID_PATH unless `real` (an absolute real path) is the root or below it. */
  private assertInside(real: string, components: readonly string[]): void {
    const relative = path.relative(this.root, real);
    if (relative === '') return;
    if (path.isAbsolute(relative) || relative.split(path.sep)[0] === '..') {
      throw new FerryError(ErrorCode.INVALID_PATH, `path leads outside the served folder: ${displayPath(components)}`);
    }
  }

  /** Real path of `components` with every symlink followed, checked inside the root. */
  private async resolveFollowing(components: readonly string[]): Promise<string> {
    if (components.length === 0) return this.root;
    let real: string;
    try {
      real = realpathSync.native(path.join(this.root, ...components));
    } catch (error) {
      throw toFerryError(error, displayPath(components));
    }
    this.assertInside(real, components);
    return real;
  }

  /** Opens the folder `components` (symlinks inside the root followed) and checks its descriptor. */
  private async openFolder(components: readonly string[]): Promise<OpenFolder> {
    const real = await this.resolveFollowing(components);
    return this.openCheckedFolder(real, components, false);
  }

  /**
   * Opens the folder at `real` and checks where the descriptor really is.
   * `noFollow`: refuse a symlink there (a subfolder found by a listing).
   */
  private async openCheckedFolder(real: string, components: readonly string[], noFollow: boolean): Promise<OpenFolder> {
    return this.openCheckedFolderNow(real, components, noFollow);
  }

  /** openCheckedFolder without a promise, for callers that are synchronous themselves. */
  openCheckedFolderNow(real: string, components: readonly string[], noFollow: boolean): OpenFolder {
    if (!this.procFd) return { path: real, throughDescriptor: false, real, close: () => Promise.resolve() };
    let fd: number;
    try {
      fd = openSync(real, O_RDONLY | O_DIRECTORY | (noFollow ? O_NOFOLLOW : 0));
    } catch (error) {
      throw toFerryError(error, displayPath(components));
    }
    try {
      const checked = this.verifyFd(fd, components);
      let open = true;
      const close = (): Promise<void> => {
        if (open) {
          open = false;
          closeQuietly(fd);
        }
        return Promise.resolve();
      };
      return { path: `/proc/self/fd/${fd}`, throughDescriptor: true, real: checked, close };
    } catch (error) {
      closeQuietly(fd);
      throw error;
    }
  }

  /**
   * Runs `use` with the last component's path reached through its opened,
   * checked folder (not followed), then closes the folder.
   */
  private async inFolder<T>(
    components: readonly string[],
    use: (full: string, name: string, folder: OpenFolder) => Promise<T>,
  ): Promise<T> {
    const parent = components.slice(0, -1);
    const name = components[components.length - 1]!;
    const folder = await this.openFolder(parent);
    try {
      return await use(path.join(folder.path, name), name, folder);
    } finally {
      await folder.close();
    }
  }

  /** After opening: the descriptor's real path must be inside the root. Returns that path. */
  private verifyDescriptor(handle: FileHandle, components: readonly string[]): Promise<string> {
    return Promise.resolve(this.verifyFd(handle.fd, components));
  }

  private verifyFd(fd: number, components: readonly string[]): string {
    if (!this.procFd) return '';
    const link = readlinkSync(`/proc/self/fd/${fd}`);
    const real = link.endsWith(' (deleted)') ? link.slice(0, -' (deleted)'.length) : link;
    this.assertInside(real, components);
    return real;
  }

  // ------------------------------------------------------------------ metadata

  /** The entry of `components` itself (a final symlink is described, not followed). */
  async stat(components: readonly string[]): Promise<Entry> {
    const describe = async (full: string, name: string): Promise<Entry> => {
      try {
        return entryFromStats(name, await fs.lstat(full));
      } catch (error) {
        throw toFerryError(error, displayPath(components));
      }
    };
    if (components.length === 0) return describe(this.root, '');
    return this.inFolder(components, describe);
  }

  /** A listing of the folder `components` (followed if it is a symlink inside the root). */
  async list(components: readonly string[], recursive: boolean): Promise<Listing> {
    return new Listing(await this.readFolder(components), recursive, this.subfolderReader(components));
  }

  /**
   * The folders and regular files below the folder `components` (followed if
   * it is a symlink inside the root), for a tree download (TGET). Each file is
   * opened through its checked folder's descriptor with O_NOFOLLOW, so neither
   * a symlink inside the tree nor a folder swapped for one can lead outside.
   */
  async walkTree(components: readonly string[]): Promise<TreeWalk> {
    return new TreeWalk(await this.readFolder(components), components, this.subfolderReader(components));
  }

  /** The folder `components`, opened and checked, with its entries ready to be read. */
  private async readFolder(components: readonly string[]): Promise<ListedFolder> {
    const folder = await this.openFolder(components);
    try {
      return { dir: await fs.opendir(folder.path, { bufferSize: 1024 }), folder, prefix: '' };
    } catch (error) {
      await folder.close();
      throw toFerryError(error, displayPath(components));
    }
  }

  /** How a listing or walk below `top` opens a subfolder it meets (by its real path), checked again inside the root. */
  private subfolderReader(top: readonly string[]): (real: string, prefix: string) => Promise<ListedFolder> {
    return async (real, prefix) => {
      const sub = await this.openCheckedFolder(real, top, true);
      try {
        return { dir: await fs.opendir(sub.path, { bufferSize: 1024 }), folder: sub, prefix };
      } catch (error) {
        await sub.close();
        throw error;
      }
    };
  }

  // ------------------------------------------------------------------ changes

  async mkdir(components: readonly string[], parents: boolean): Promise<void> {
    if (components.length === 0) {
      if (parents) return;
      throw new FerryError(ErrorCode.EXISTS, 'the root folder exists');
    }
    if (!parents) {
      await this.inFolder(components, async (full) => {
        try {
          await fs.mkdir(full);
        } catch (error) {
          throw toFerryError(error, displayPath(components));
        }
      });
      return;
    }
    // One component at a time through opened, checked folders, so nothing is created below a symlink leading out.
    let folder = await this.openFolder([]);
    try {
      for (let i = 0; i < components.length; i++) {
        const walked = components.slice(0, i + 1);
        const next = path.join(folder.path, components[i]!);
        try {
          await fs.mkdir(next);
        } catch (error) {
          if (errnoCode(error) !== 'EEXIST') throw toFerryError(error, displayPath(walked));
        }
        let real: string;
        try {
          real = await fs.realpath(next);
        } catch (error) {
          throw toFerryError(error, displayPath(walked));
        }
        if (!this.procFd) this.assertInside(real, walked);
        const opened = await this.openCheckedFolder(this.procFd ? next : real, walked, false);
        await folder.close();
        folder = opened;
      }
    } finally {
      await folder.close();
    }
  }

  async rmdir(components: readonly string[], recursive: boolean): Promise<void> {
    if (components.length === 0) throw new FerryError(ErrorCode.PERMISSION, 'the root folder cannot be removed');
    const subject = displayPath(components);
    await this.inFolder(components, async (full, name, folder) => {
      try {
        const stats = await fs.lstat(full);
        if (!stats.isDirectory()) throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `not a folder: ${subject}`);
        // Through opened folder descriptors, so a subfolder swapped for a symlink meanwhile is not followed.
        if (recursive && this.procFd) await removeTreeAt(folder.path, name);
        else if (recursive) await fs.rm(full, { recursive: true, force: false, maxRetries: 2 });
        else await fs.rmdir(full);
      } catch (error) {
        // Some systems report a non-empty folder as EEXIST.
        if (errnoCode(error) === 'EEXIST') throw new FerryError(ErrorCode.NOT_EMPTY, `folder not empty: ${subject}`);
        throw toFerryError(error, subject);
      }
    });
  }

  /** Deletes a file or a symlink (never what the link points to). */
  async deleteFile(components: readonly string[]): Promise<void> {
    if (components.length === 0) throw new FerryError(ErrorCode.IS_A_DIRECTORY, 'the root is a folder');
    const subject = displayPath(components);
    await this.inFolder(components, async (full) => {
      try {
        const stats = await fs.lstat(full);
        if (stats.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `is a folder: ${subject}`);
        await fs.unlink(full);
      } catch (error) {
        throw toFerryError(error, subject);
      }
    });
  }

  async move(from: readonly string[], to: readonly string[], overwrite: boolean): Promise<void> {
    if (from.length === 0 || to.length === 0) {
      throw new FerryError(ErrorCode.INVALID_PATH, 'the root folder cannot be moved or replaced');
    }
    await this.inFolder(from, (source) => this.inFolder(to, async (target) => {
      try {
        await fs.lstat(source);
      } catch (error) {
        throw toFerryError(error, displayPath(from));
      }
      if (!overwrite && await exists(target)) {
        throw new FerryError(ErrorCode.EXISTS, `already exists: ${displayPath(to)}`);
      }
      try {
        await fs.rename(source, target);
      } catch (error) {
        if (errnoCode(error) === 'EEXIST') throw new FerryError(ErrorCode.NOT_EMPTY, `folder not empty: ${displayPath(to)}`);
        throw toFerryError(error, `${displayPath(from)} → ${displayPath(to)}`);
      }
    }));
  }

  // ------------------------------------------------------------------ transfers

  /** Opens a regular file for a download (a final symlink inside the root is followed). */
  async openForReading(components: readonly string[]): Promise<ReadableFile> {
    const subject = displayPath(components);
    const real = await this.resolveFollowing(components);
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO must not hang; it has no effect on regular files.
      fd = openSync(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      if (errnoCode(error) === 'ELOOP') throw new FerryError(ErrorCode.INVALID_PATH, `path changed while opening: ${subject}`);
      throw toFerryError(error, subject);
    }
    try {
      const stats = fstatSync(fd);
      if (stats.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `is a folder: ${subject}`);
      if (!stats.isFile()) throw new FerryError(ErrorCode.UNSUPPORTED, `not a regular file: ${subject}`);
      this.verifyFd(fd, components);
      return new ReadableFile(fd, stats);
    } catch (error) {
      closeQuietly(fd);
      throw toFerryError(error, subject);
    }
  }

  /**
   * Checks an upload's target before anything is written: its folder exists
   * inside the root, it is not a folder, and it exists only if `overwrite`.
   * `key` identifies the target across sessions (for the one-upload-per-path rule).
   */
  async planUpload(components: readonly string[], overwrite: boolean): Promise<UploadPlan> {
    const subject = displayPath(components);
    if (components.length === 0) throw new FerryError(ErrorCode.IS_A_DIRECTORY, 'the root is a folder');
    const folder = await this.openFolder(components.slice(0, -1));
    const name = components[components.length - 1]!;
    const target = path.join(folder.path, name);
    try {
      this.checkUploadTarget(target, overwrite, subject);
    } catch (error) {
      await folder.close();
      throw error;
    }
    const realFolder = folder.real || await this.resolveFollowing(components.slice(0, -1));
    return {
      key: path.join(realFolder, name),
      target,
      temp: path.join(folder.path, tempName(name)),
      tempReal: path.join(realFolder, tempName(name)),
      components: [...components],
      close: () => folder.close(),
    };
  }

  /** An upload's target (reached through its checked folder) must not be a folder, nor exist without `overwrite`. */
  checkUploadTarget(target: string, overwrite: boolean, subject: string): void {
    let stats: Stats | undefined;
    try {
      stats = lstatSync(target, { throwIfNoEntry: false });
    } catch (error) {
      throw toFerryError(error, subject);
    }
    if (!stats) return;
    if (stats.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `is a folder: ${subject}`);
    if (!overwrite) throw new FerryError(ErrorCode.EXISTS, `already exists: ${subject}`);
  }

  /**
   * Opens the upload's temporary file. With `resume` and an existing temporary
   * file, continues it: offset = its length capped at `size` (longer files are
   * cut), and `hash` has already consumed those bytes. Otherwise starts empty.
   */
  async openUpload(plan: UploadPlan, size: number, resume: boolean): Promise<UploadFile> {
    const subject = displayPath(plan.components);
    const hash = createHash('sha256');
    if (resume) {
      let fd: number | undefined;
      try {
        fd = openSync(plan.temp, O_RDWR | O_NOFOLLOW);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw toFerryError(error, subject);
      }
      if (fd !== undefined) {
        try {
          this.verifyFd(fd, plan.components);
          const stats = fstatSync(fd);
          if (!stats.isFile()) throw new FerryError(ErrorCode.INVALID_PATH, `temporary file is not a regular file: ${subject}`);
          const offset = Math.min(stats.size, size);
          if (stats.size > size) ftruncateSync(fd, size);
          await hashRange(fd, offset, hash);
          const prefixHash = offset > 0 ? hash.copy().digest() : Buffer.alloc(0);
          return new UploadFile(fd, plan, offset, prefixHash, hash);
        } catch (error) {
          closeQuietly(fd);
          throw toFerryError(error, subject);
        }
      }
    }
    return this.createUploadFile(plan);
  }

  /** A fresh, empty temporary file for `plan` (an existing one is cut to 0). */
  createUploadFile(plan: UploadPlan, mode = 0): UploadFile {
    let fd: number;
    // Created with the permission bits it will have, when the umask keeps them all: no fchmod later.
    const bits = mode & 0o777;
    const createdWith = bits !== 0 && (bits & PROCESS_UMASK) === 0 ? bits : 0;
    try {
      // Through the plan's checked folder descriptor, with O_NOFOLLOW: the file is in that folder, inside the
      // root, whatever happens to paths meanwhile, so its descriptor needs no second check.
      fd = openSync(plan.temp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, createdWith || 0o666);
    } catch (error) {
      throw toFerryError(error, displayPath(plan.components));
    }
    return new UploadFile(fd, plan, 0, EMPTY_PREFIX_HASH, undefined, createdWith);
  }

  /**
   * The folder `components` as the target of a tree upload (TPUT): it must
   * exist (a symlink to a folder inside the root is followed, as by LIST).
   */
  async openTreeTarget(components: readonly string[]): Promise<TreeTarget> {
    const top = await this.openFolder(components);
    return new TreeTarget(this, top, components);
  }

  /**
   * Flushes the content of checked tree-upload files to disk (TPUT), many at
   * once: one flush of the whole file system instead of an fsync per file is
   * what makes a tree of small files cheap. Only after it may they be renamed.
   */
  async flushStaged(files: readonly StagedFile[]): Promise<void> {
    if (files.length > 0) await this.flushFiles(files.map((file) => file.tempReal));
  }

  /**
   * Renames flushed tree-upload files over their targets. Each rename goes
   * through its folder opened and checked again, so a folder swapped for a
   * symlink since the file was written cannot redirect it. Returns the first
   * failure (EXISTS for a target that appeared without overwrite, say) after
   * renaming every other file, or undefined; a file that cannot be renamed
   * loses its temporary file. Returns the real paths of the folders renamed
   * into, for `flushRenames`.
   */
  renameStaged(files: readonly StagedFile[]): { failure: FerryError | undefined; folders: string[] } {
    let failure: FerryError | undefined;
    const byFolder = new Map<string, StagedFile[]>();
    for (const file of files) {
      const group = byFolder.get(file.folderReal);
      if (group) group.push(file);
      else byFolder.set(file.folderReal, [file]);
    }
    for (const [folderReal, group] of byFolder) {
      let folder: OpenFolder;
      try {
        folder = this.openCheckedFolderNow(folderReal, group[0]!.components.slice(0, -1), true);
      } catch (error) {
        failure ??= toFerryError(error, displayPath(group[0]!.components));
        continue;
      }
      try {
        // The folder as working directory: one magic-link resolution for the group, not two per rename.
        inFolderAsWorkingDirectory(folder, (at) => {
          for (const file of group) {
            const temp = at(file.tempName);
            try {
              moveIntoPlace(temp, at(file.name), file.overwrite);
            } catch (error) {
              failure ??= toFerryError(error, displayPath(file.components));
              try {
                unlinkSync(temp);
              } catch {
                // Already gone: nothing to clean.
              }
            }
          }
        });
      } finally {
        void folder.close();
      }
    }
    return { failure, folders: [...byFolder.keys()] };
  }

  /** Makes renames into `folders` (real paths) durable: after it, a tree upload may answer DONE. */
  async flushRenames(folders: readonly string[]): Promise<void> {
    if (folders.length > 0) await this.flushFiles(folders);
  }

  /** Flushes to disk what was written to `paths` (real paths inside the root): see flush.ts. */
  private flushFiles(paths: readonly string[]): Promise<void> {
    return flushPaths(paths, this.root);
  }

  // ------------------------------------------------------------------ housekeeping

  /**
   * Removes upload temporary files older than `maxAgeMs` below the root,
   * except those `isActive` claims. Visits at most `budget` entries (the walk
   * is bounded on huge trees) and does not follow symlinks. Returns the count removed.
   */
  async removeStaleTemps(maxAgeMs: number, isActive: (tempPath: string) => boolean, budget = 200_000): Promise<number> {
    const cutoff = Date.now() - maxAgeMs;
    const folders = [this.root];
    let visited = 0;
    let removed = 0;
    while (folders.length > 0 && visited < budget) {
      const folder = folders.pop()!;
      let dir: Dir;
      try {
        dir = await fs.opendir(folder, { bufferSize: 256 });
      } catch {
        continue;
      }
      try {
        for await (const dirent of dir) {
          if (++visited > budget) break;
          const full = path.join(folder, dirent.name);
          if (dirent.isDirectory()) folders.push(full);
          else if (dirent.isFile() && isTemporaryName(dirent.name) && !isActive(full)) {
            const stats = await fs.lstat(full).catch(() => undefined);
            if (stats?.isFile() && stats.mtimeMs < cutoff) {
              await fs.unlink(full).then(() => removed++, () => undefined);
            }
          }
        }
      } catch {
        // A folder removed during the walk: skip it.
      }
    }
    return removed;
  }
}

// ------------------------------------------------------------------ listings

/**
 * A folder listing read in batches, so a folder of 100 000 entries streams:
 * names come from opendir, metadata from one lstat per entry (symlinks are
 * reported, not followed). A recursive listing walks depth first and names
 * entries by their path relative to the listed folder. Upload temporary
 * files (reserved names) are left out.
 */
export class Listing {
  private current: ListedFolder | undefined;
  /** Subfolders still to walk: real path (checked again when opened) and name prefix. */
  private readonly pending: { real: string; prefix: string }[] = [];
  private finished = false;

  constructor(
    first: ListedFolder,
    private readonly recursive: boolean,
    private readonly openSubfolder: (real: string, prefix: string) => Promise<ListedFolder>,
  ) {
    this.current = first;
  }

  get done(): boolean {
    return this.finished;
  }

  /**
   * Up to `max` more entries; after the last batch `done` is true.
   *
   * The directory reads and lstat calls of one batch are synchronous: on a
   * local disk they take microseconds each, while a promise round trip
   * through the thread pool per entry made a 100 000-entry listing several
   * times slower. One batch blocks the event loop for a few milliseconds at
   * most; the caller yields between batches, so other sessions interleave.
   * A batch reads its names first and then describes them together, so the
   * folder is entered once per batch (describeEntries), not once per entry.
   */
  async next(max: number): Promise<Entry[]> {
    const entries: Entry[] = [];
    while (entries.length < max) {
      if (!this.current) {
        const following = this.pending.pop();
        if (!following) break;
        try {
          this.current = await this.openSubfolder(following.real, following.prefix);
        } catch {
          continue; // an unreadable, vanished or swapped subfolder of a recursive listing is skipped
        }
      }
      const { dir, folder, prefix } = this.current;
      let names: string[];
      let exhausted: boolean;
      let described: (Stats | undefined)[];
      try {
        ({ names, exhausted } = readNames(dir, max - entries.length));
        described = describeEntries(folder, names);
      } catch (error) {
        await this.closeCurrent();
        throw toFerryError(error, prefix || '/');
      }
      for (let i = 0; i < names.length; i++) {
        const stats = described[i];
        if (!stats) continue; // removed between readdir and lstat
        const name = prefix + names[i]!;
        entries.push(entryFromStats(name, stats));
        if (this.recursive && stats.isDirectory()) {
          this.pending.push({ real: path.join(folder.real, names[i]!), prefix: `${name}/` });
        }
      }
      if (exhausted) await this.closeCurrent();
    }
    this.finished = !this.current && this.pending.length === 0;
    return entries;
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await closeListedFolder(current);
  }

  async close(): Promise<void> {
    this.finished = true;
    this.pending.length = 0;
    await this.closeCurrent();
  }
}

interface ListedFolder {
  dir: Dir;
  folder: OpenFolder;
  prefix: string;
}

/** Ends a folder's reading: its directory stream, then its checked descriptor. */
async function closeListedFolder(folder: ListedFolder | undefined): Promise<void> {
  if (!folder) return;
  await folder.dir.close().catch(() => undefined);
  await folder.folder.close();
}

// ------------------------------------------------------------------ tree walks

/** One item of a tree download: a folder, or a regular file already open for reading. */
export type TreeItem =
  | { kind: 'folder'; entry: Entry }
  | { kind: 'file'; entry: Entry; file: ReadableFile };

/**
 * Walks a tree depth first for TGET. Unlike a recursive listing, which skips
 * what it cannot read, a walk that copies fails on an unreadable folder or
 * file: a copy that silently lacks files is worse than one that stops and
 * says why. What vanishes during the walk, symlinks and special files are
 * left out (a tree transfer neither follows nor copies them).
 */
export class TreeWalk {
  private current: ListedFolder | undefined;
  private readonly pending: { real: string; prefix: string }[] = [];

  constructor(
    first: ListedFolder,
    private readonly top: readonly string[],
    private readonly openSubfolder: (real: string, prefix: string) => Promise<ListedFolder>,
  ) {
    this.current = first;
  }

  /** The next folder or file, or undefined when the walk is over. The caller closes each file. */
  async next(): Promise<TreeItem | undefined> {
    for (;;) {
      if (!this.current) {
        const following = this.pending.pop();
        if (!following) return undefined;
        try {
          this.current = await this.openSubfolder(following.real, following.prefix);
        } catch (error) {
          if (errnoCode(error) === 'ENOENT') continue; // removed during the walk
          throw toFerryError(error, displayPath([...this.top, following.prefix.slice(0, -1)]));
        }
      }
      const { dir, folder, prefix } = this.current;
      let dirent;
      try {
        dirent = dir.readSync();
      } catch (error) {
        await this.closeCurrent();
        throw toFerryError(error, displayPath([...this.top, prefix.slice(0, -1)].filter(Boolean)));
      }
      if (!dirent) {
        await this.closeCurrent();
        continue;
      }
      if (!isAddressableName(dirent.name)) continue; // names no request could reach, upload temporary files
      const name = prefix + dirent.name;
      const full = path.join(folder.path, dirent.name);
      // The folder's own type answer (d_type) spares an lstat per file; some file systems leave it unknown.
      const stats = dirent.isFile() || dirent.isSymbolicLink() ? undefined : lstatSync(full, { throwIfNoEntry: false });
      if (stats?.isDirectory()) {
        this.pending.push({ real: path.join(folder.real, dirent.name), prefix: `${name}/` });
        return { kind: 'folder', entry: entryFromStats(name, stats) };
      }
      if (!dirent.isFile() && !stats?.isFile()) continue;
      const file = openInFolder(full, displayPath([...this.top, name]));
      if (file) return { kind: 'file', entry: { ...entryFromStats(name, file.stats), size: file.readable.size }, file: file.readable };
    }
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await closeListedFolder(current);
  }

  async close(): Promise<void> {
    this.pending.length = 0;
    await this.closeCurrent();
  }
}

/**
 * Opens a regular file reached through a checked folder descriptor. O_NOFOLLOW
 * refuses a symlink swapped in for it; being reached through the folder's
 * descriptor, the file is inside that folder. Undefined when it vanished or is
 * no longer a regular file (changed since the folder was read).
 */
function openInFolder(full: string, subject: string): { readable: ReadableFile; stats: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(full, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ELOOP') return undefined;
    throw toFerryError(error, subject);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      closeQuietly(fd);
      return undefined;
    }
    return { readable: new ReadableFile(fd, stats), stats };
  } catch (error) {
    closeQuietly(fd);
    throw toFerryError(error, subject);
  }
}

// ------------------------------------------------------------------ listing lookups

/** Up to `max` listable names from `dir`; `exhausted` once it has none left. */
function readNames(dir: Dir, max: number): { names: string[]; exhausted: boolean } {
  const names: string[] = [];
  while (names.length < max) {
    const dirent = dir.readSync();
    if (!dirent) return { names, exhausted: true };
    // Upload temporary files are the server's (docs/PROTOCOL.md §7), and a name no request could reach
    // would only make a client refuse the whole listing.
    if (isAddressableName(dirent.name)) names.push(dirent.name);
  }
  return { names, exhausted: false };
}

const IF_PRESENT = { throwIfNoEntry: false } as const;

/**
 * The lstat of each of `names` (from a readdir of `folder`) as an entry of
 * that opened folder; undefined for a name removed since the readdir.
 *
 * What must hold: every name is looked up in the folder that was opened and
 * checked, never through a path that a rename could redirect. Ways to get it:
 *
 * - `/proc/self/fd/N/name` (what the rest of this module does): correct, but
 *   the kernel resolves the magic link `N` again for every entry, which makes
 *   lstat about twice as slow as through a plain path: 100 000 of them took
 *   ~640 ms, against ~360 ms through the real path (docs/PERFORMANCE.md).
 * - The folder's checked real path, checked again after the batch: NOT the
 *   same safety. The path is walked from `/` for every entry, so a folder on
 *   the way swapped for a symlink to the outside between the two checks, and
 *   swapped back before the second, makes lstat describe files outside the
 *   root (their size, times, mode; the names themselves still come from the
 *   opened folder), and no check afterwards can see that it happened: the
 *   swap leaves the same names and inodes behind. Renames run on libuv's
 *   thread pool beside this synchronous batch (ferryd's own MOVE does), so a
 *   client can time them; a local user can anyway.
 * - The working directory (used here): the process changes into the opened
 *   folder through its descriptor (`chdir("/proc/self/fd/N")`, one magic-link
 *   resolution per batch) and looks each name up relative to it. The kernel
 *   keeps the working directory as a reference to that folder, not as a path,
 *   so this is `fstatat(N, name, AT_SYMLINK_NOFOLLOW)`: a rename anywhere
 *   cannot change which folder a name is looked up in, and a name from readdir
 *   is one component (never `.`, `..` or containing `/`). The fastest of the
 *   three (~300 ms for the same 100 000 names).
 *
 * The working directory belongs to the whole process, so this relies on:
 * the change and its undoing happen in one synchronous call (no JavaScript
 * runs in between, whatever else the process does), and no other thread
 * resolves a relative path meanwhile: ferryd hands the file system only
 * absolute paths (this module's come from the root's real path; the users
 * file and certificates are resolved at start-up; so does the terminal UI,
 * which runs a server in its own process for --demo), and its worker
 * threads do not touch files. Code that adds file access to this process
 * must keep it so. The previous working directory is held open and returned
 * to through its descriptor, so it is found again even if it was renamed;
 * if that is impossible, the process goes to `/`, never stays in the folder.
 * Where the working directory cannot be used (a worker thread, an unreadable
 * working directory) the lookups go through `/proc/self/fd/N/name`; without
 * /proc through the checked real path (the narrower race described at the
 * top of this file).
 */
function describeEntries(folder: OpenFolder, names: readonly string[]): (Stats | undefined)[] {
  return inFolderAsWorkingDirectory(folder, (at) => names.map((name) => lstatSync(at(name), IF_PRESENT)));
}

/**
 * Runs `use` synchronously with the process's working directory changed into
 * `folder` through its descriptor (see describeEntries for why this is as
 * safe as `/proc/self/fd/N/name` and what it relies on); `at(name)` is how
 * `use` reaches a name in the folder: relative to the working directory, or,
 * where that cannot be used, through the descriptor's path.
 */
function inFolderAsWorkingDirectory<T>(folder: OpenFolder, use: (at: (name: string) => string) => T): T {
  const throughPath = (name: string): string => `${folder.path}/${name}`;
  if (!folder.throughDescriptor) return use(throughPath);
  const previous = openWorkingDirectory();
  if (previous === undefined) return use(throughPath);
  try {
    process.chdir(folder.path);
    try {
      return use((name) => name);
    } finally {
      returnToWorkingDirectory(previous);
    }
  } finally {
    closeQuietly(previous);
  }
}

/** A descriptor of the process's working directory, or undefined where it cannot be changed and restored. */
function openWorkingDirectory(): number | undefined {
  if (!isMainThread) return undefined; // process.chdir is not available in worker threads
  try {
    return openSync('.', O_RDONLY | O_DIRECTORY);
  } catch {
    return undefined;
  }
}

function returnToWorkingDirectory(fd: number): void {
  try {
    process.chdir(`/proc/self/fd/${fd}`);
  } catch {
    // Unreachable in practice (the descriptor is open); anywhere is better than the listed folder.
    process.chdir('/');
  }
}

// ------------------------------------------------------------------ files

/** A file open for a download. */
export class ReadableFile {
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;

  private closed = false;
  /** Reads in flight: the descriptor is closed only after the last (its number must not be reused under them). */
  private reading = 0;

  /** `fd`: a plain descriptor (the callback API costs less per call than a FileHandle). */
  constructor(private readonly fd: number, stats: Stats) {
    this.size = stats.size;
    // A time before 1970 has no u64 form: sent as 0, as in listings (entryOf).
    this.mtimeMs = Math.max(0, Math.floor(stats.mtimeMs));
    this.mode = stats.mode & 0o7777;
  }

  /** Reads up to `length` bytes at `position` into `buffer`; returns how many were read. */
  read(buffer: Buffer, length: number, position: number): Promise<number> {
    if (this.closed) return Promise.reject(new FerryError(ErrorCode.INTERNAL, 'read after close'));
    this.reading++;
    return new Promise((resolve, reject) => {
      readFd(this.fd, buffer, 0, length, position, (error, bytesRead) => {
        this.reading--;
        if (this.closed && this.reading === 0) closeQuietly(this.fd);
        if (error) reject(error);
        else resolve(bytesRead);
      });
    });
  }

  /**
   * Reads up to `length` bytes at `position` synchronously: for the rest of a
   * small file, where one read from the page cache takes microseconds and a
   * trip through the thread pool many times that.
   */
  readNow(buffer: Buffer, length: number, position: number): number {
    if (this.closed) throw new FerryError(ErrorCode.INTERNAL, 'read after close');
    return readSync(this.fd, buffer, 0, length, position);
  }

  /** Feeds bytes 0..length of the file to `hash` (a resumed download's prefix). */
  async hashPrefix(length: number, hash: Hash): Promise<void> {
    if (length === 0) return;
    const buffer = Buffer.allocUnsafe(Math.min(HASH_CHUNK, length));
    for (let position = 0; position < length;) {
      const bytesRead = await this.read(buffer, Math.min(buffer.length, length - position), position);
      if (bytesRead === 0) throw new FerryError(ErrorCode.SIZE_MISMATCH, 'the file is shorter than expected');
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  }

  /** Closes the descriptor now, or after the reads still in flight. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (this.reading === 0) closeQuietly(this.fd);
    }
    return Promise.resolve();
  }
}

/** An upload's checked target; holds its folder open until `close()`. */
export interface UploadPlan {
  /** Identifies the target across sessions: its real folder and name. */
  key: string;
  /** The target and the temporary file, reached through the opened folder. */
  target: string;
  temp: string;
  /** The temporary file's real path (what the stale-file sweep sees). */
  tempReal: string;
  components: string[];
  close(): Promise<void>;
}

/**
 * Bytes an upload writes between two background flushes. Without them the
 * whole file sits in the page cache until the fsync before the rename, which
 * then writes it all while the client waits; flushing as the data arrives
 * leaves only the tail for that last fsync.
 */
export const UPLOAD_FLUSH_BYTES = 64 * 1024 * 1024;

/**
 * The umask, read once: it decides whether a file created with a client's
 * permission bits already has them. (process.umask() without an argument
 * only reads it; it is discouraged because setting it races other threads.)
 */
const PROCESS_UMASK = process.umask();

const EMPTY_PREFIX_HASH = Buffer.alloc(0);

/** An upload's temporary file: written at positions, then committed under the final name or dropped. */
export class UploadFile {
  private closed = false;
  /** Bytes written since the last background flush started. */
  private unflushedBytes = 0;
  /** The running background flush (fdatasync in the thread pool), if any. */
  private flushing: Promise<void> | undefined;
  /** A background flush's failure, reported by the next write or the commit. */
  private flushError: unknown;

  constructor(
    /** A plain descriptor: the callback API costs less per call than a FileHandle, which counts for small files. */
    private readonly fd: number,
    readonly plan: UploadPlan,
    /** Where the client continues (bytes already in the temporary file). */
    readonly offset: number,
    /** SHA-256 of the first `offset` bytes; empty when offset is 0. */
    readonly prefixHash: Buffer,
    /** Has consumed the first `offset` bytes (none: a fresh file, whose hash is made when first asked for). */
    private contentHash: Hash | undefined,
    /** Permission bits the file was created with (0: unknown), so applying the same ones is skipped. */
    private readonly createdMode = 0,
  ) {}

  /** The content's running hash: holds the first `offset` bytes; the transfer feeds it the rest. */
  get hash(): Hash {
    this.contentHash ??= createHash('sha256');
    return this.contentHash;
  }

  /** Writes `buffers` one after another starting at `position`, on the thread pool. */
  async write(buffers: Buffer[], position: number): Promise<void> {
    if (this.flushError !== undefined) throw this.flushError;
    let at = position;
    for (let rest = buffers; rest.length > 0;) {
      const written = await writevAt(this.fd, rest, at);
      at += written;
      rest = unwritten(rest, written);
    }
    this.wrote(at - position);
  }

  /**
   * write() without the thread pool: for a small file, one write into the
   * page cache takes microseconds and a round trip through the pool far more.
   */
  writeNow(buffers: Buffer[], position: number): void {
    if (this.flushError !== undefined) throw this.flushError;
    let at = position;
    for (let rest = buffers; rest.length > 0;) {
      const written = writevSync(this.fd, rest, at);
      at += written;
      rest = unwritten(rest, written);
    }
    this.wrote(at - position);
  }

  private wrote(bytes: number): void {
    this.unflushedBytes += bytes;
    this.flushInBackground();
  }

  /**
   * Starts an fdatasync once enough bytes are written and none is running.
   * It is not awaited: receipt and writes go on beside it, and `commit`
   * waits for it before its own final fsync.
   */
  private flushInBackground(): void {
    if (this.flushing || this.closed || this.unflushedBytes < UPLOAD_FLUSH_BYTES) return;
    this.unflushedBytes = 0;
    this.flushing = new Promise<void>((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve())))
      .then(() => {
        this.flushing = undefined;
        this.flushInBackground();
      }, (error: unknown) => {
        this.flushing = undefined;
        if (!this.closed) this.flushError = error;
      });
  }

  /** mtime and mode on the temporary file (before it is flushed and renamed). */
  private applyTimesAndMode(mtimeMs: number, mode: number): void {
    // Only permission bits: a client never sets setuid, setgid or sticky bits.
    if (mode !== 0 && (mode & 0o777) !== this.createdMode) fchmodSync(this.fd, mode & 0o777);
    // Seconds, not Dates: no two objects per file for a tree of thousands.
    if (mtimeMs > 0) futimesSync(this.fd, Date.now() / 1000, mtimeMs / 1000);
  }

  /**
   * Makes the upload final: flushes the content to disk, applies mtime and
   * mode (0 = leave the defaults), closes, and renames the temporary file to
   * the target. Without `overwrite` the target must still be absent.
   */
  async commit(mtimeMs: number, mode: number, overwrite: boolean): Promise<void> {
    const subject = displayPath(this.plan.components);
    try {
      this.applyTimesAndMode(mtimeMs, mode);
      await this.flushing;
      if (this.flushError !== undefined) throw this.flushError;
      // Only what was written since the last background flush is still to go.
      await new Promise<void>((resolve, reject) => fsync(this.fd, (error) => (error ? reject(error) : resolve())));
    } catch (error) {
      throw toFerryError(error, subject);
    } finally {
      await this.close();
    }
    try {
      moveIntoPlace(this.plan.temp, this.plan.target, overwrite);
    } catch (error) {
      throw toFerryError(error, subject);
    }
  }

  /**
   * Finishes a checked file of a tree upload without flushing or renaming it:
   * mtime and mode applied, closed; Storage.commitStaged makes it final with
   * the rest of its batch.
   */
  async stage(mtimeMs: number, mode: number, overwrite: boolean): Promise<StagedFile> {
    const subject = displayPath(this.plan.components);
    try {
      this.applyTimesAndMode(mtimeMs, mode);
      await this.flushing;
      if (this.flushError !== undefined) throw this.flushError;
    } catch (error) {
      throw toFerryError(error, subject);
    } finally {
      await this.close();
    }
    return this.stagedRecord(overwrite);
  }

  /**
   * stage() without waiting, for a file with no background flush running (a
   * small one): undefined when one is running, and the caller then awaits stage().
   */
  stageNow(mtimeMs: number, mode: number, overwrite: boolean): StagedFile | undefined {
    if (this.flushing) return undefined;
    try {
      if (this.flushError !== undefined) throw this.flushError;
      this.applyTimesAndMode(mtimeMs, mode);
    } catch (error) {
      throw toFerryError(error, displayPath(this.plan.components));
    } finally {
      this.closed = true;
      closeQuietly(this.fd);
    }
    return this.stagedRecord(overwrite);
  }

  private stagedRecord(overwrite: boolean): StagedFile {
    const { components, tempReal } = this.plan;
    const slash = tempReal.lastIndexOf('/');
    return {
      components, tempReal, overwrite,
      folderReal: tempReal.slice(0, slash), tempName: tempReal.slice(slash + 1), name: components[components.length - 1]!,
    };
  }

  /** Drops the upload: closes and deletes the temporary file. */
  async discard(): Promise<void> {
    await this.close();
    await fs.unlink(this.plan.temp).catch(() => undefined);
  }

  /** Stops without deleting: the temporary file stays for a later resume. */
  async abandon(): Promise<void> {
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Never close the descriptor under a running fdatasync.
    await this.flushing;
    closeQuietly(this.fd);
  }
}

/** A checked tree-upload file waiting in its temporary file for its batch's commit. */
export interface StagedFile {
  /** Protocol path of the target, for messages. */
  components: string[];
  /** Real path of the temporary file, its folder, and the two names in that folder. */
  tempReal: string;
  folderReal: string;
  tempName: string;
  name: string;
  overwrite: boolean;
}

// ------------------------------------------------------------------ helpers

function entryFromStats(name: string, stats: Stats): Entry {
  const kind: EntryKind = stats.isFile() ? EntryKind.FILE
    : stats.isDirectory() ? EntryKind.DIRECTORY
      : stats.isSymbolicLink() ? EntryKind.SYMLINK : EntryKind.OTHER;
  return {
    name,
    kind,
    size: kind === EntryKind.DIRECTORY ? 0 : Math.min(stats.size, Number.MAX_SAFE_INTEGER),
    mtimeMs: Math.max(0, Math.floor(stats.mtimeMs)),
    mode: stats.mode & 0o7777,
  };
}

/** `.<name>.ferry-part`, or a digest of the name when that would exceed the file system's name limit. */
export function tempName(name: string): string {
  const plain = `.${name}${TEMP_SUFFIX}`;
  if (Buffer.byteLength(plain, 'utf8') <= NAME_MAX_ON_DISK) return plain;
  return `.${createHash('sha256').update(name).digest('hex').slice(0, 40)}${TEMP_SUFFIX}`;
}

/** Whether readlink(/proc/self/fd/N) names what N is open on (Linux), tried on the root. */
async function procFdWorks(root: string): Promise<boolean> {
  let handle: FileHandle | undefined;
  try {
    handle = await fs.open(root, O_RDONLY | O_DIRECTORY);
    return await fs.readlink(`/proc/self/fd/${handle.fd}`) === root;
  } catch {
    return false;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Closes a descriptor this module opened; a failing close of a read-only or folder descriptor changes nothing. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed or invalid: nothing to release.
  }
}

async function exists(full: string): Promise<boolean> {
  try {
    await fs.lstat(full);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw toFerryError(error);
  }
}

const HASH_CHUNK = 1024 * 1024;

async function hashRange(fd: number, length: number, hash: Hash): Promise<void> {
  if (length === 0) return;
  const buffer = Buffer.allocUnsafe(Math.min(HASH_CHUNK, length));
  let position = 0;
  while (position < length) {
    const want = Math.min(buffer.length, length - position);
    const bytesRead = await new Promise<number>((resolve, reject) => {
      readFd(fd, buffer, 0, want, position, (error, n) => (error ? reject(error) : resolve(n)));
    });
    if (bytesRead === 0) throw new FerryError(ErrorCode.SIZE_MISMATCH, 'the file is shorter than expected');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}

function writevAt(fd: number, buffers: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, buffers, position, (error, written) => (error ? reject(error) : resolve(written)));
  });
}

/** A checked upload's temporary file becomes `target`: replacing what is there with `overwrite`, never without. */
function moveIntoPlace(temp: string, target: string, overwrite: boolean): void {
  if (overwrite) renameSync(temp, target);
  else linkWithoutReplacing(temp, target);
}

/** Puts `temp` under `target` only if `target` does not exist (link fails with EEXIST), then removes `temp`. */
function linkWithoutReplacing(temp: string, target: string): void {
  try {
    linkSync(temp, target);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') throw error;
    // File systems without hard links: check, then rename (a small race, no partial file either way).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw error;
    if (lstatSync(target, { throwIfNoEntry: false })) throw Object.assign(new Error('target exists'), { code: 'EEXIST' });
    renameSync(temp, target);
    return;
  }
  try {
    unlinkSync(temp);
  } catch {
    // The link is in place; a leftover temporary file is swept later.
  }
}

/**
 * What is left of `buffers` after a writev wrote `written` bytes of them
 * (empty: all). writev may write less than asked (signals, quotas); nothing
 * at all means the disk takes no more.
 */
function unwritten(buffers: Buffer[], written: number): Buffer[] {
  const rest = skipBytes(buffers, written);
  if (written === 0 && rest.length > 0) throw new FerryError(ErrorCode.NO_SPACE, 'the disk accepted no more bytes');
  return rest;
}

function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  let skip = count;
  const out: Buffer[] = [];
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    out.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return out;
}
