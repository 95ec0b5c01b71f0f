/**
 * The jail's walls: the served folder (the root, known by its real path and
 * by device and inode), and the checks that keep every path and descriptor
 * inside it. Everything in storage/ reaches the disk through a Jail.
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
 *    per batch instead of per entry: see describeEntries in walks.ts). Files are opened
 *    with O_NOFOLLOW and their descriptors checked the same way. Without /proc
 *    the checked real paths are used directly (a narrower race remains).
 *
 * Errors leave as FerryError with the protocol's codes.
 */
import { constants as fsConstants, fstatSync, openSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { closeQuietly } from './descriptors.js';
import { toFerryError } from './errors.js';
import { DEFAULT_PATH_LIMITS, displayPath, parseRemotePath, type PathLimits } from './paths.js';

const { O_RDONLY, O_NOFOLLOW, O_DIRECTORY } = fsConstants;

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

export class Jail {
  private constructor(
    /** The root's real path (symlinks resolved). */
    readonly root: string,
    readonly limits: PathLimits,
    /** Whether /proc/self/fd shows descriptors' real paths here (Linux). */
    readonly procFd: boolean,
    /** The root folder itself, as the file system knows it: what a descriptor of the root must be. */
    private readonly rootIdentity: { dev: number; ino: number },
  ) {}

  static async open(root: string, limits: PathLimits = DEFAULT_PATH_LIMITS): Promise<Jail> {
    let real: string;
    let stats: Stats;
    try {
      real = await fs.realpath(root);
      stats = await fs.stat(real);
      if (!stats.isDirectory()) throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `root is not a folder: ${root}`);
    } catch (error) {
      throw toFerryError(error, root);
    }
    return new Jail(real, limits, await procFdWorks(real), { dev: stats.dev, ino: stats.ino });
  }

  /** Checks a protocol path and splits it into components (INVALID_PATH otherwise). */
  parse(remotePath: string): string[] {
    return parseRemotePath(remotePath, this.limits);
  }

  /** Throws INVALID_PATH unless `real` (an absolute real path) is the root or below it. */
  assertInside(real: string, components: readonly string[]): void {
    const relative = path.relative(this.root, real);
    if (relative === '') return;
    if (path.isAbsolute(relative) || relative.split(path.sep)[0] === '..') {
      throw new FerryError(ErrorCode.INVALID_PATH, `path leads outside the served folder: ${displayPath(components)}`);
    }
  }

  /** Real path of `components` with every symlink followed, checked inside the root. */
  resolveFollowing(components: readonly string[]): string {
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
  openFolder(components: readonly string[]): OpenFolder {
    return this.openCheckedFolder(this.resolveFollowing(components), components, false);
  }

  /**
   * Opens the folder at `real` and checks where the descriptor really is.
   * `noFollow`: refuse a symlink there (a subfolder found by a listing).
   */
  openCheckedFolder(real: string, components: readonly string[], noFollow: boolean): OpenFolder {
    if (!this.procFd) return { path: real, throughDescriptor: false, real, close: () => Promise.resolve() };
    let fd: number;
    try {
      fd = openSync(real, O_RDONLY | O_DIRECTORY | (noFollow ? O_NOFOLLOW : 0));
    } catch (error) {
      throw toFerryError(error, displayPath(components));
    }
    try {
      const checked = this.checkDescriptor(fd, components);
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
  async inFolder<T>(
    components: readonly string[],
    use: (full: string, name: string, folder: OpenFolder) => Promise<T>,
  ): Promise<T> {
    const parent = components.slice(0, -1);
    const name = components[components.length - 1]!;
    const folder = this.openFolder(parent);
    try {
      return await use(path.join(folder.path, name), name, folder);
    } finally {
      await folder.close();
    }
  }

  /**
   * After opening: the descriptor's real path must be inside the root, and a
   * descriptor that claims to be the root must be the root's very folder
   * (device and inode). The path Linux shows is not trusted further than
   * that: for a removed folder it is its old path plus " (deleted)", which a
   * sibling folder can spell literally (`<root> (deleted)`), so that suffix
   * is never stripped (a removed folder's path lies outside the root).
   * Returns the path ('' without /proc).
   */
  checkDescriptor(fd: number, components: readonly string[]): string {
    if (!this.procFd) return '';
    const real = readlinkSync(`/proc/self/fd/${fd}`);
    this.assertInside(real, components);
    if (real === this.root) {
      const stats = fstatSync(fd);
      if (stats.dev !== this.rootIdentity.dev || stats.ino !== this.rootIdentity.ino) {
        throw new FerryError(ErrorCode.INVALID_PATH, `the served folder was replaced: ${displayPath(components)}`);
      }
    }
    return real;
  }
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
