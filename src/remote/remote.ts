/**
 * One interface for every kind of server a pane or a command can reach: a
 * ferryd (the Ferry protocol, src/client), an SSH server's SFTP subsystem
 * (src/remote/sftp) and an FTP or FTPS server (src/remote/ftp). The panes, the
 * transfer queue, `ferry sync` and the `ferry` commands talk to this and
 * nothing below it, so a transfer, its resume, progress, cancel and conflict
 * handling are written once and work the same for every kind.
 *
 * The shape is the Ferry client's (FerryClientApi): it was the first kind, and
 * its errors (FerryError with an ErrorCode) are what every kind reports — an
 * SFTP status or an FTP reply code is translated, never passed on raw. What a
 * kind cannot do at all (chmod over FTP without SITE CHMOD, server-side find
 * outside Ferry) rejects with UNSUPPORTED and is said in `features`, so the UI
 * can leave the key out rather than offer something that fails.
 */
import type {
  FindOptions, FindQuery, ListOptions, ModeChange, ReadStreamOptions, RemoteReadStream,
  TransferOptions, TransferResult, TreeTransferOptions, TreeTransferResult,
} from '../client/types.js';
import type { TreeSubset } from '../client/tree.js';
import type { TimeOfFile } from '../protocol/file-times.js';
import type { Entry } from '../protocol/messages.js';

export type RemoteKind = 'ferry' | 'sftp' | 'ftp';

/**
 * How a finished transfer's content was checked, said on the queue row and in
 * the commands' output: Ferry hashes every file end to end with SHA-256; SFTP
 * and FTP compare sizes, and FTP adds the server's own SHA-256 where the
 * server offers one (`size+sha256`, src/remote/ftp/ftp-hash.ts).
 */
export type Verification = 'sha256' | 'size' | `size+${string}`;

/** What a session is connected to, for headers, messages and the status line. */
export interface RemoteDescription {
  kind: RemoteKind;
  host: string;
  port: number;
  /** Logged-in user; empty when anonymous. */
  user: string;
  /** `sftp://bob@host:22` — the URL without path and password, the start of every label. */
  origin: string;
  /** Whether the session is encrypted (TLS for ferrys/ftps and non-loopback ferry, always for SFTP). */
  encrypted: boolean;
  /** The key the session trusted: TLS certificate or SSH host key fingerprint (`SHA256:...` or `AB:CD:...`). */
  fingerprint?: string;
  /** The server refuses writes for this user (known up front for Ferry; false where it cannot be known). */
  readOnly: boolean;
  /** How transfers over this session are checked. */
  verification: Verification;
}

/** What a kind can do beyond the common core (list, stat, mkdir, rmdir, delete, rename, transfers). */
export interface RemoteFeatures {
  chmod: boolean;
  /** A server-side recursive search (FIND). */
  find: boolean;
  /** Server-side content hashes for `sync --checksum` (SUMS); otherwise the content is read. */
  checksums: boolean;
  /** Entries can carry symlink targets (`linkTarget`). */
  linkTargets: boolean;
  /** Interrupted transfers continue from an offset instead of starting over. */
  resume: boolean;
  /**
   * An uploaded file gets its source's mtime (Ferry: to the millisecond;
   * SFTP, FTP: to the second). False once an FTP server has refused both
   * MFMT and `MDTM time path`: its uploads keep the time they landed.
   */
  uploadMtime: boolean;
}

export interface Remote {
  readonly description: RemoteDescription;
  readonly features: RemoteFeatures;
  /** True until the session ends (quit, drop, or close()). */
  readonly connected: boolean;

  list(path: string, options?: ListOptions): Promise<Entry[]>;
  /** NOT_FOUND when nothing is there. */
  stat(path: string, options?: { signal?: AbortSignal }): Promise<Entry>;
  mkdir(path: string, options?: { parents?: boolean }): Promise<void>;
  rmdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  delete(path: string): Promise<void>;
  rename(from: string, to: string, options?: { overwrite?: boolean }): Promise<void>;
  chmod(path: string, change: ModeChange, options?: { recursive?: boolean }): Promise<void>;
  find(path: string, query: FindQuery, options?: FindOptions): Promise<Entry[]>;
  /** SHA-256 of each named file of `folder` (undefined where not a regular file); UNSUPPORTED unless features.checksums. */
  checksums(folder: string, names: readonly string[], options?: { signal?: AbortSignal }): Promise<(Buffer | undefined)[]>;
  /**
   * Each named file's mtime, asked file by file: only a kind whose listings
   * give coarser times than that has it (FTP: LIST to the minute or the day,
   * MDTM to the second). Undefined where the server states no time.
   */
  fileTimes?(paths: readonly string[], options?: { signal?: AbortSignal }): Promise<(TimeOfFile | undefined)[]>;

  upload(localPath: string, remotePath: string, options?: TransferOptions): Promise<TransferResult>;
  download(remotePath: string, localPath: string, options?: TransferOptions): Promise<TransferResult>;
  /** A remote file's bytes in order from an offset, fetched as they are read (the viewer, remote-to-remote copies). */
  openRead(remotePath: string, options?: ReadStreamOptions): Promise<RemoteReadStream>;
  uploadTree(localDir: string, remoteDir: string, options?: TreeTransferOptions): Promise<TreeTransferResult>;
  downloadTree(remoteDir: string, localDir: string, options?: TreeTransferOptions): Promise<TreeTransferResult>;
  /** The named files and folders of a tree, replacing what is there (what a sync plan sends). */
  uploadSubset(localDir: string, remoteDir: string, subset: TreeSubset, options?: TreeTransferOptions): Promise<TreeTransferResult>;
  downloadSubset(remoteDir: string, localDir: string, subset: TreeSubset, options?: TreeTransferOptions): Promise<TreeTransferResult>;

  /** Polite end (QUIT, `exit`, ...). */
  quit(): Promise<void>;
  /** Immediate end: pending calls reject with CONNECTION_LOST. */
  close(reason?: string): void;
  /** Called once when the session ends, with the reason if it was not a quit(). */
  onClose(listener: (error?: Error) => void): () => void;
}
