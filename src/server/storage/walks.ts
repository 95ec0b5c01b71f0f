/**
 * Listings (LIST) and tree walks (TGET): a folder, or a whole tree depth
 * first, read in batches through opened, checked folders. Subfolders are
 * opened again by their real path with O_NOFOLLOW and checked inside the
 * root; names are looked up relative to the opened folder (describeEntries).
 */
import { lstatSync, readlinkSync, type Dir, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import type { Entry } from '../../protocol/messages.js';
import { entryFromStats } from './entries.js';
import { errnoCode, toFerryError } from './errors.js';
import type { Jail, OpenFolder } from './jail.js';
import { displayPath, isAddressableName } from './paths.js';
import { isTemporaryName } from '../../protocol/temp-names.js';
import { openReadableInFolder, type ReadableFile } from './readable-file.js';
import { inFolderAsWorkingDirectory } from './working-directory.js';

/** A listing of the folder `components` (followed if it is a symlink inside the root). */
export async function openListing(
  jail: Jail, components: readonly string[], recursive: boolean, linkTargets = false,
): Promise<Listing> {
  return new Listing(
    await readFolder(jail, components), recursive, subfolderReader(jail, components), relativeBudget(jail, components),
    linkTargets,
  );
}

/**
 * The folders and regular files below the folder `components` (followed if
 * it is a symlink inside the root), for a tree download (TGET). Each file is
 * opened through its checked folder's descriptor with O_NOFOLLOW, so neither
 * a symlink inside the tree nor a folder swapped for one can lead outside.
 */
export async function openTreeWalk(jail: Jail, components: readonly string[], only?: ReadonlySet<string>): Promise<TreeWalk> {
  return new TreeWalk(
    await readFolder(jail, components), components, subfolderReader(jail, components), relativeBudget(jail, components), only,
  );
}

/** The bytes left for a path relative to the folder `components` within the protocol's path limit. */
function relativeBudget(jail: Jail, components: readonly string[]): number {
  return jail.limits.maxPathLength - (components.length === 0 ? 0 : Buffer.byteLength(components.join('/'), 'utf8') + 1);
}

/** The folder `components`, opened and checked, with its entries ready to be read. */
async function readFolder(jail: Jail, components: readonly string[]): Promise<ListedFolder> {
  const folder = jail.openFolder(components);
  try {
    return { dir: await fs.opendir(folder.path, { bufferSize: 1024 }), folder, prefix: '' };
  } catch (error) {
    await folder.close();
    throw toFerryError(error, displayPath(components));
  }
}

/** How a listing or walk below `top` opens a subfolder it meets (by its real path), checked again inside the root. */
function subfolderReader(jail: Jail, top: readonly string[]): (real: string, prefix: string) => Promise<ListedFolder> {
  return async (real, prefix) => {
    const sub = jail.openCheckedFolder(real, top, true);
    try {
      return { dir: await fs.opendir(sub.path, { bufferSize: 1024 }), folder: sub, prefix };
    } catch (error) {
      await sub.close();
      throw error;
    }
  };
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
  /**
   * Names left out because no request could name them: not valid UTF-8 on
   * disk, or holding a control character or a backslash, or too long
   * (reported with the last batch: ENTS_OMITTED). The server's own upload
   * temporary files are left out without counting: they are not the user's.
   */
  omitted = 0;

  constructor(
    first: ListedFolder,
    private readonly recursive: boolean,
    private readonly openSubfolder: (real: string, prefix: string) => Promise<ListedFolder>,
    /** The longest relative name a request could use (the path limit less the listed folder's path). */
    private readonly maxNameBytes: number,
    /** Whether symlinks' entries carry their targets (LIST_LINK_TARGETS). */
    private readonly linkTargets = false,
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
        } catch (error) {
          if (errnoCode(error) === 'ENAMETOOLONG') throw tooDeep(following.prefix, this.maxNameBytes);
          continue; // an unreadable, vanished or swapped subfolder of a recursive listing is skipped
        }
      }
      const { dir, folder, prefix } = this.current;
      let names: string[];
      let exhausted: boolean;
      let described: (Stats | undefined)[];
      let targets: Map<string, string> | undefined;
      try {
        let unaddressable: number;
        ({ names, exhausted, unaddressable } = readNames(dir, max - entries.length));
        this.omitted += unaddressable;
        described = describeEntries(folder, names);
        if (this.linkTargets) targets = readLinkTargets(folder, names.filter((_, i) => described[i]?.isSymbolicLink()));
      } catch (error) {
        await this.closeCurrent();
        throw toFerryError(error, prefix || '/');
      }
      for (let i = 0; i < names.length; i++) {
        const stats = described[i];
        if (!stats) {
          // Not valid UTF-8 on disk: decoded with U+FFFD, the name leads nowhere; otherwise removed since the readdir.
          if (isUndecodable(names[i]!)) this.omitted++;
          continue;
        }
        const name = prefix + names[i]!;
        if (prefix !== '') checkDepth(name, this.maxNameBytes);
        const entry = entryFromStats(name, stats);
        const target = targets?.get(names[i]!);
        entries.push(target ? { ...entry, linkTarget: target } : entry);
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

/**
 * A recursive listing or walk that meets a name no request could use (the
 * tree is deeper than the path limit) fails with INVALID_PATH instead of
 * leaving the rest out unseen. Cheap: the exact byte count is taken only
 * when the name could be that long.
 */
function checkDepth(relative: string, maxNameBytes: number): void {
  if (relative.length * 3 > maxNameBytes && Buffer.byteLength(relative, 'utf8') > maxNameBytes) {
    throw tooDeep(relative, maxNameBytes);
  }
}

function tooDeep(relative: string, maxNameBytes: number): FerryError {
  const shown = relative.length > 120 ? `${relative.slice(0, 60)}…${relative.slice(-60)}` : relative;
  return new FerryError(
    ErrorCode.INVALID_PATH,
    `the tree is deeper than a path can name (over ${maxNameBytes} bytes below the folder): ${shown}`,
  );
}

/**
 * Whether a name read from a folder may be one that is not valid UTF-8 on
 * disk: Node decodes such bytes as U+FFFD, and the decoded name then leads
 * nowhere (no request can name the file either). A name that really holds
 * U+FFFD is found by its lookup; only one whose lookup fails counts.
 */
function isUndecodable(name: string): boolean {
  return name.includes('\uFFFD');
}

/** A tree copy (TGET) stops at a name it cannot copy rather than leave the file out unseen. */
function undecodable(top: readonly string[], prefix: string): FerryError {
  const folder = displayPath([...top, ...prefix.split('/').filter(Boolean)]);
  return new FerryError(ErrorCode.INVALID_PATH, `a name in ${folder} is not valid UTF-8 and cannot be copied`);
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
    /** The longest relative name a request could use (the path limit less the top folder's path). */
    private readonly maxNameBytes: number,
    /** The top folder's entries to walk (a TGET with names); undefined: all. */
    private readonly only?: ReadonlySet<string>,
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
          if (errnoCode(error) === 'ENAMETOOLONG') throw tooDeep(following.prefix, this.maxNameBytes);
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
      if (prefix === '' && this.only && !this.only.has(dirent.name)) continue;
      const name = prefix + dirent.name;
      if (prefix !== '') checkDepth(name, this.maxNameBytes);
      const full = path.join(folder.path, dirent.name);
      // The folder's own type answer (d_type) spares an lstat per file; some file systems leave it unknown.
      const stats = dirent.isFile() || dirent.isSymbolicLink() ? undefined : lstatSync(full, { throwIfNoEntry: false });
      if (stats?.isDirectory()) {
        this.pending.push({ real: path.join(folder.real, dirent.name), prefix: `${name}/` });
        return { kind: 'folder', entry: entryFromStats(name, stats) };
      }
      if (!dirent.isFile() && !stats?.isFile()) {
        if (!stats && isUndecodable(dirent.name)) throw undecodable(this.top, prefix);
        continue;
      }
      const file = openReadableInFolder(full, displayPath([...this.top, name]));
      if (!file && isUndecodable(dirent.name)) throw undecodable(this.top, prefix);
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

// ------------------------------------------------------------------ listing lookups

/** Up to `max` listable names from `dir`; `exhausted` once it has none left. */
function readNames(dir: Dir, max: number): { names: string[]; exhausted: boolean; unaddressable: number } {
  const names: string[] = [];
  let unaddressable = 0;
  while (names.length < max) {
    const dirent = dir.readSync();
    if (!dirent) return { names, exhausted: true, unaddressable };
    // Upload temporary files are the server's (docs/PROTOCOL.md §7), and a name no request could reach
    // would only make a client refuse the whole listing: that one is counted, so the listing says so.
    if (isAddressableName(dirent.name)) names.push(dirent.name);
    else if (!isTemporaryName(dirent.name)) unaddressable++;
  }
  return { names, exhausted: false, unaddressable };
}

const IF_PRESENT = { throwIfNoEntry: false } as const;

/**
 * The lstat of each of `names` (from a readdir of `folder`) as an entry of
 * that opened folder; undefined for a name removed since the readdir.
 *
 * What must hold: every name is looked up in the folder that was opened and
 * checked, never through a path that a rename could redirect. Ways to get it:
 *
 * - `/proc/self/fd/N/name` (what the rest of the jail does): correct, but
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
 * absolute paths (the jail's come from the root's real path; the users
 * file and certificates are resolved at start-up; so does the terminal UI,
 * which runs a server in its own process for --demo), and its worker
 * threads do not touch files. Code that adds file access to this process
 * must keep it so. The previous working directory is held open and returned
 * to through its descriptor, so it is found again even if it was renamed;
 * if that is impossible, the process goes to `/`, never stays in the folder.
 * Where the working directory cannot be used (a worker thread, an unreadable
 * working directory) the lookups go through `/proc/self/fd/N/name`; without
 * /proc through the checked real path (the narrower race described at the
 * top of jail.ts).
 */
function describeEntries(folder: OpenFolder, names: readonly string[]): (Stats | undefined)[] {
  return inFolderAsWorkingDirectory(folder, (at) => names.map((name) => lstatSync(at(name), IF_PRESENT)));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The targets of the symlinks `names` in `folder`, looked up as describeEntries
 * does. The text is what the link holds, never resolved: it may name a place
 * outside the root, which nothing follows. A link removed since, or whose
 * target is not valid UTF-8, gets no target (the entry still says symlink).
 */
function readLinkTargets(folder: OpenFolder, names: readonly string[]): Map<string, string> {
  const targets = new Map<string, string>();
  if (names.length === 0) return targets;
  inFolderAsWorkingDirectory(folder, (at) => {
    for (const name of names) {
      try {
        targets.set(name, strictUtf8.decode(readlinkSync(at(name), { encoding: 'buffer' })));
      } catch {
        // Gone since the lstat, or not UTF-8: the entry goes without its target.
      }
    }
  });
  return targets;
}
