/**
 * The public shape of the client library: what `FerryClient` (client.ts)
 * offers to the `ferry` commands and the terminal UI. Kept in its own file so
 * callers can be written and read against it without the implementation.
 */
import type { Entry } from '../protocol/messages.js';
import type { RateLimit } from './rate-limit.js';

export type { Entry };

/** How to reach and log in to a server. */
export interface ConnectOptions {
  host: string;
  /** Default 7070. */
  port?: number;
  /** Empty or missing: anonymous. */
  user?: string;
  password?: string;
  /**
   * `auto`: TLS unless the host is a loopback address; `require`: TLS always;
   * `off`: plain TCP (explicitly asked for).
   */
  tls?: 'auto' | 'require' | 'off';
  /**
   * Decides whether a TLS server is trusted, given its certificate's SHA-256
   * fingerprint (`AB:CD:...`). Resolve true to go on. Missing: every
   * fingerprint is refused with code TRUST.
   */
  verifyFingerprint?: (fingerprint: string, host: string, port: number) => Promise<boolean>;
  /** Gives up connecting and handshaking after this long (default 10 000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Proposed maximum frame length (default DEFAULT_MAX_FRAME). */
  maxFrame?: number;
  /**
   * Keep the session open while it is idle: after `keepAliveIntervalMs` in
   * which the client sent nothing, it sends PING, so a server's idle timeout
   * does not close a session a person has left open. Only with servers that
   * list the `keepalive` capability. Off by default: a scripted command that
   * goes silent should be closed like any silent client.
   */
  keepAlive?: boolean;
  /** Silence before a keep-alive PING (default 60 000 ms, well inside ferryd's 300 s idle timeout). */
  keepAliveIntervalMs?: number;
}

/** What the handshake settled. */
export interface SessionInfo {
  version: number;
  serverName: string;
  /** Authenticated user, empty when anonymous. */
  user: string;
  readOnly: boolean;
  maxFrame: number;
  maxInFlight: number;
  capabilities: string[];
  /** Whether the session runs over TLS. */
  tls: boolean;
  /** The server certificate's SHA-256 fingerprint when over TLS. */
  fingerprint?: string;
}

export interface Progress {
  /** Bytes of the file present at the destination so far (including a resumed prefix). */
  bytes: number;
  /** Size of the file. */
  total: number;
}

export interface TransferOptions {
  /** Replace an existing destination file. Without it: code EXISTS. */
  overwrite?: boolean;
  /**
   * Continue an interrupted transfer's temporary file, after checking its
   * prefix hash (a mismatch restarts from 0). Downloads keep
   * `.<name>.ferry-part` beside the target when cancelled or cut off;
   * uploads leave the server's temporary file when the connection is lost
   * (a cancelled upload's is deleted by the server).
   */
  resume?: boolean;
  /** Aborting sends CANC and rejects with CANCELLED. */
  signal?: AbortSignal;
  /** At most every 100 ms, plus once at the end. */
  onProgress?: (progress: Progress) => void;
  /** Smallest gap between onProgress calls (default 100 ms; 0 reports every frame). */
  progressIntervalMs?: number;
  /**
   * A bandwidth limit, shared by every transfer handed the same one
   * (src/client/rate-limit.ts): it slows the bytes on the wire, not only the
   * progress, and a change of its rate applies to running transfers at once.
   */
  rateLimit?: RateLimit;
}

export interface TransferResult {
  /** Bytes moved over the wire by this call. */
  bytes: number;
  /** Size of the file. */
  size: number;
  /** Where the transfer started (> 0 when resumed). */
  resumedFrom: number;
  durationMs: number;
}

export interface TreeProgress {
  /** Files finished / total files known so far. */
  filesDone: number;
  filesTotal: number;
  /** Content bytes finished / total. */
  bytesDone: number;
  bytesTotal: number;
  /** The file that reported most recently. */
  current?: string;
}

export interface TreeTransferOptions {
  overwrite?: boolean;
  resume?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
  /** Smallest gap between onProgress calls (default 100 ms). */
  progressIntervalMs?: number;
  /** A bandwidth limit shared with other transfers (see TransferOptions). */
  rateLimit?: RateLimit;
  /** Requests kept in flight at once (default: the session's maxInFlight / 2). */
  concurrency?: number;
  /**
   * Symlinks inside the tree (src/client/tree-links.ts): `skip` (default)
   * leaves them out and counts them; `follow` copies what a link inside the
   * tree points to; `copy` makes the link again when its target stays
   * inside the tree (uploads: only a target going down from the link's
   * folder, through LINK; docs/SYNC.md, "Symlinks").
   */
  links?: 'skip' | 'follow' | 'copy';
  /**
   * Only these entries of the folder (single names), each with everything
   * below it: a selection moved as one tree (one TGET or TPUT where the server
   * has `tree-names` / `tree`). Absent: the whole folder.
   */
  names?: readonly string[];
}

export interface TreeTransferResult {
  files: number;
  folders: number;
  bytes: number;
  durationMs: number;
  /** Symlinks left out; undefined when not counted (a streamed download nobody watched). */
  skippedLinks?: number;
  /** Symlinks made again (`links: 'copy'`). */
  copiedLinks?: number;
}

export interface ListOptions {
  /** Walk the whole tree: entries' names are paths relative to the listed folder. */
  recursive?: boolean;
  signal?: AbortSignal;
  /** Called with each batch as it arrives, before the promise resolves. */
  onBatch?: (entries: Entry[]) => void;
  /** Symlinks' entries carry their targets (`linkTarget`), where the server offers `link-targets`. */
  linkTargets?: boolean;
  /**
   * Called (before the promise resolves) when the server says it left names
   * out (ENTS flag 2): names no request could carry — not UTF-8 on disk, or
   * holding control characters such as a tab or a newline.
   */
  onNamesLeftOut?: () => void;
}

/** What `find` looks for below a folder: every bound is inclusive and optional. */
export interface FindQuery {
  /** A glob matched against each entry's name (docs/PROTOCOL.md §6, Find); empty: every name. */
  pattern: string;
  ignoreCase?: boolean;
  minSize?: number;
  maxSize?: number;
  /** Bounds of the modification time, ms since the Unix epoch. */
  minMtimeMs?: number;
  maxMtimeMs?: number;
}

export interface FindOptions {
  signal?: AbortSignal;
  /** Called with each batch of matches as it arrives (names relative to the searched folder). */
  onBatch?: (entries: Entry[]) => void;
  linkTargets?: boolean;
}

/** A CHMD change: each mode becomes `(mode & ~clear | set) & 0o7777` (src/client/mode-spec.ts parses MODE). */
export interface ModeChange {
  clear: number;
  set: number;
}

export interface ReadStreamOptions {
  /** Where to start (default 0). */
  offset?: number;
  /** SHA-256 of the file's first `offset` bytes: required past 0 (the server checks it, HASH_MISMATCH). */
  prefixHash?: Uint8Array;
  /** Bytes the server may send ahead of the reader (default 256 KiB). */
  window?: number;
  /** Aborting closes the stream (CANC). */
  signal?: AbortSignal;
}

/** A remote file's bytes in order from `offset`, fetched only as far as they are read. */
export interface RemoteReadStream {
  readonly offset: number;
  /** The file's size and modification time when the read began. */
  readonly size: number;
  readonly mtimeMs: number;
  /** The next bytes; undefined once the file has ended. One read at a time. */
  read(): Promise<Uint8Array | undefined>;
  /** Stops the read (CANC) unless the file has ended; a pending read rejects with CANCELLED. */
  close(): void;
}

/**
 * The client API. Every method rejects with a FerryError whose `code` is one
 * of ErrorCode (protocol/errors.ts); a dropped connection rejects pending
 * calls with CONNECTION_LOST.
 */
export interface FerryClientApi {
  readonly info: SessionInfo;
  /** True until the connection closes (QUIT, drop, or close()). */
  readonly connected: boolean;
  /**
   * The folder's entries. Names are checked before they are returned: one safe
   * component each (recursive: a relative path below the folder); a server
   * that lists anything else (`../x`, `/etc/x`, control characters) fails the
   * call with INVALID_PATH (listed-names.ts).
   */
  list(path: string, options?: ListOptions): Promise<Entry[]>;
  stat(path: string, options?: { signal?: AbortSignal }): Promise<Entry>;
  /**
   * Changes permission bits (`recursive`: of everything below a folder too;
   * symlinks are never changed nor followed). UNSUPPORTED from a server
   * without the `chmod` capability.
   */
  chmod(path: string, change: ModeChange, options?: { recursive?: boolean }): Promise<void>;
  /**
   * Searches the tree below a folder on the server; matches stream through
   * `onBatch`. UNSUPPORTED from a server without the `find` capability.
   */
  find(path: string, query: FindQuery, options?: FindOptions): Promise<Entry[]>;
  mkdir(path: string, options?: { parents?: boolean }): Promise<void>;
  rmdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  delete(path: string): Promise<void>;
  rename(from: string, to: string, options?: { overwrite?: boolean }): Promise<void>;
  upload(localPath: string, remotePath: string, options?: TransferOptions): Promise<TransferResult>;
  download(remotePath: string, localPath: string, options?: TransferOptions): Promise<TransferResult>;
  /** Opens a remote file for reading in order (a viewer): resolves once the server has opened it. */
  openRead(remotePath: string, options?: ReadStreamOptions): Promise<RemoteReadStream>;
  /**
   * The folder's tree (or, with `names`, those of its entries). With `resume`,
   * files already at the target with the source's size and mtime are not sent
   * again; the others continue from their temporary files.
   */
  uploadTree(localDir: string, remoteDir: string, options?: TreeTransferOptions): Promise<TreeTransferResult>;
  downloadTree(remoteDir: string, localDir: string, options?: TreeTransferOptions): Promise<TreeTransferResult>;
  /** Polite end: QUIT, wait for DONE, close. */
  quit(): Promise<void>;
  /** Immediate end: pending calls reject with CONNECTION_LOST. */
  close(reason?: string): void;
  /** Called once when the connection ends, with the reason if it was not a quit(). */
  onClose(listener: (error?: Error) => void): () => void;
}
