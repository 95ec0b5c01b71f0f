/**
 * A place a sync reads from or writes to: a local folder, a folder on a Ferry
 * server, and later other kinds of remote (SFTP, FTP). The planner sees only
 * this: a tree listed once as entries, and content hashes on request.
 */
export type SyncKind = 'file' | 'folder' | 'other';

export interface SyncEntry {
  /** `/`-separated path below the place's top; never empty. */
  path: string;
  /** `other`: a symlink or a special file, which a sync neither follows nor copies. */
  kind: SyncKind;
  size: number;
  /** Milliseconds since the epoch, whole (the protocol's resolution). */
  mtimeMs: number;
  mode: number;
}

export interface SyncPlace {
  /** For messages: `ferry://host/dir` or a local path. */
  readonly description: string;
  /** Every entry below the top, folders before what they hold; undefined when the top does not exist. */
  list(signal?: AbortSignal): Promise<SyncEntry[] | undefined>;
  /** SHA-256 of each named file; undefined where a name is not a regular file (any more). */
  checksums(paths: readonly string[], signal?: AbortSignal): Promise<(Buffer | undefined)[]>;
  /** Removes a file, a symlink, or a folder with everything in it. */
  remove(entry: SyncEntry): Promise<void>;
}
