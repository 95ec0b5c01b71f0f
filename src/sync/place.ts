/**
 * A place a sync reads from or writes to: a local folder, or a folder on any
 * kind of remote (Ferry, SFTP, FTP). The planner sees only this: a tree
 * listed once as entries, content hashes on request, and finer times on
 * request where the listing's are coarse.
 */
import type { TimeOfFile } from '../protocol/file-times.js';

export type SyncKind = 'file' | 'folder' | 'other';

export interface SyncEntry {
  /** `/`-separated path below the place's top; never empty. */
  path: string;
  /** `other`: a symlink or a special file, which a sync neither follows nor copies. */
  kind: SyncKind;
  size: number;
  /** Milliseconds since the epoch, whole (the protocol's resolution). */
  mtimeMs: number;
  /** How coarse `mtimeMs` is (Entry.mtimeResolutionMs: an FTP LIST's minute or day); absent: to the millisecond. */
  mtimeResolutionMs?: number;
  mode: number;
}

export interface SyncPlace {
  /** For messages: `ferry://host/dir` or a local path. */
  readonly description: string;
  /** Every entry below the top, folders before what they hold; undefined when the top does not exist. */
  list(signal?: AbortSignal): Promise<SyncEntry[] | undefined>;
  /** SHA-256 of each named file; undefined where a name is not a regular file (any more). */
  checksums(paths: readonly string[], signal?: AbortSignal): Promise<(Buffer | undefined)[]>;
  /**
   * The named files' times asked one by one, where this place's listing gives
   * them coarser than a second (FTP's LIST); undefined where it cannot say.
   * Absent on places whose listing is as exact as they get.
   */
  finerTimes?(paths: readonly string[], signal?: AbortSignal): Promise<(TimeOfFile | undefined)[]>;
  /** Removes a file, a symlink, or a folder with everything in it. */
  remove(entry: SyncEntry): Promise<void>;
}
