/**
 * The messages of Ferry protocol v1 as TypeScript types. One frame carries one
 * message; `op` is the four-letter opcode on the wire and `id` the request id
 * the frame belongs to. Layouts are in docs/PROTOCOL.md; the codec in
 * codec.ts turns these into bytes and back.
 */

export const EntryKind = { FILE: 0, DIRECTORY: 1, SYMLINK: 2, OTHER: 3 } as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** One entry of a listing, or the answer to STAT. */
export interface Entry {
  /** File name; in a recursive listing, the path relative to the listed folder, `/`-separated. */
  name: string;
  kind: EntryKind;
  /** Size in bytes (0 for folders). */
  size: number;
  /** Modification time, milliseconds since the Unix epoch. */
  mtimeMs: number;
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  /**
   * A symlink's target as written in the link, in a listing asked with
   * LIST_LINK_TARGETS (capability `link-targets`); absent otherwise.
   */
  linkTarget?: string;
  /**
   * How coarse `mtimeMs` is, where a kind's listing gives less than the
   * millisecond: 1000 for a time to the second (FTP's MDTM and MLSD),
   * 60 000 or 86 400 000 for an FTP LIST line that shows the minute or only
   * the day; `mtimeMs` is then the start of that second, minute or day.
   * Absent: to the millisecond, as far as the kind knows. Never on the wire.
   */
  mtimeResolutionMs?: number;
}

/** LIST flag: walk the whole tree below the folder. */
export const LIST_RECURSIVE = 0x01;
/** MKDR flag: create missing parents, succeed if the folder exists. */
export const MKDR_PARENTS = 0x01;
/** RMDR flag: remove the folder and everything below it. */
export const RMDR_RECURSIVE = 0x01;
/** MOVE flag: replace an existing target. */
export const MOVE_OVERWRITE = 0x01;
/** UPLD flag: replace an existing target file. */
export const UPLD_OVERWRITE = 0x01;
/** UPLD flag: continue an interrupted upload's temporary file if there is one. */
export const UPLD_RESUME = 0x02;
/** TPUT flag: replace existing target files. */
export const TPUT_OVERWRITE = 0x01;
/** CONN reply flag: the session may only read. */
export const CONN_READ_ONLY = 0x01;
/** ENTS flag: this is the last batch of the listing. */
export const ENTS_LAST = 0x01;
/** ENTS flag, on the last batch only: the listing left out names no request could carry (not valid UTF-8 on disk, control characters, a backslash, too long). */
export const ENTS_OMITTED = 0x02;
/** Most names one SUMS request may ask about (a server answers more with BAD_FRAME). */
export const MAX_SUMS_NAMES = 1024;
/** LIST and FIND flag (capability `link-targets`): send each symlink's target with the entries. */
export const LIST_LINK_TARGETS = 0x02;
/** ENTS flag: every entry of this batch is followed by a target string (empty unless a symlink). */
export const ENTS_LINK_TARGETS = 0x04;
/** CHMD flag: also change everything below the folder (symlinks are never changed nor followed). */
export const CHMD_RECURSIVE = 0x01;
/** LINK flag: replace a file or symlink already at the path. */
export const LINK_OVERWRITE = 0x01;
/** FIND flag: the name pattern ignores case (ASCII letters). */
export const FIND_IGNORE_CASE = 0x01;
/** Bound values of FIND that mean "no bound": the largest u64 a peer must accept. */
export const FIND_NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------- client → server

export interface ConnRequest {
  op: 'CONN';
  id: number;
  minVersion: number;
  maxVersion: number;
  /** Largest frame the client accepts. */
  maxFrame: number;
  capabilities: string[];
  /** `none` (anonymous) or `password`. */
  authMethod: string;
  user: string;
  secret: string;
  clientName: string;
}
export interface ListRequest { op: 'LIST'; id: number; path: string; flags: number }
export interface StatRequest { op: 'STAT'; id: number; path: string }
export interface MkdirRequest { op: 'MKDR'; id: number; path: string; flags: number }
export interface RmdirRequest { op: 'RMDR'; id: number; path: string; flags: number }
export interface DeleteRequest { op: 'DELF'; id: number; path: string }
export interface MoveRequest { op: 'MOVE'; id: number; from: string; to: string; flags: number }
export interface UploadRequest {
  op: 'UPLD';
  id: number;
  path: string;
  size: number;
  mtimeMs: number;
  /** Permission bits to give the file; 0 for the server's default. */
  mode: number;
  flags: number;
}
export interface DownloadRequest {
  op: 'DWLD';
  id: number;
  path: string;
  /** First byte wanted; > 0 resumes. */
  offset: number;
  /** SHA-256 of the client's first `offset` bytes; empty when offset is 0. */
  prefixHash: Uint8Array;
  /** Initial credit: bytes the server may send before the next WIND. */
  window: number;
}
/** Downloads the tree below the folder `path`: answered by FILE, DATA and HASH per item, then DONE. */
export interface TreeGetRequest {
  op: 'TGET';
  id: number;
  path: string;
  /** Initial credit for the content of all the tree's files together. */
  window: number;
  /**
   * Only these entries of the folder (single names), each with everything
   * below it; absent or empty: the whole folder. Sent only to a server that
   * lists the capability `tree-names`.
   */
  names?: string[];
}
/** Uploads a tree into the folder `path`: OPEN grants credit, the client sends FILE, DATA, HASH per item, then DONE. */
export interface TreePutRequest { op: 'TPUT'; id: number; path: string; flags: number }
/** Cancels the in-flight request whose id this frame carries; has no reply of its own. */
export interface CancelRequest { op: 'CANC'; id: number }
export interface QuitRequest { op: 'QUIT'; id: number }
/**
 * Keeps an idle session open (capability `keepalive`): the server answers DONE
 * and the bytes on the wire reset its idle timeout.
 */
export interface PingRequest { op: 'PING'; id: number }
/**
 * Asks for the SHA-256 of files below the folder `path` (capability `sums`):
 * `names` are relative to it. Answered by one SumsReply, or FAIL.
 */
export interface SumsRequest { op: 'SUMS'; id: number; path: string; names: string[] }
/**
 * Changes permission bits (capability `chmod`): each entry's mode becomes
 * `(mode & ~clear | set) & 0o7777`, so `644` is clear 0o7777 set 0o644 and
 * `u+x` is clear 0 set 0o100. Answered by DONE.
 */
export interface ChmodRequest { op: 'CHMD'; id: number; path: string; clear: number; set: number; flags: number }
/**
 * Makes a symlink at `path` holding `target` (capability `symlink`): a
 * relative path that only goes down from the link's folder (no `..`, not
 * absolute), so it stays inside the root wherever the link is moved.
 * Answered by DONE.
 */
export interface LinkRequest { op: 'LINK'; id: number; path: string; target: string; flags: number }
/**
 * Searches the tree below the folder `path` (capability `find`): entries
 * whose name matches `pattern` (a glob, docs/PROTOCOL.md §6) and whose size
 * and mtime lie within the inclusive bounds, answered by ENTS batches as a
 * recursive LIST.
 */
export interface FindRequest {
  op: 'FIND';
  id: number;
  path: string;
  pattern: string;
  minSize: number;
  maxSize: number;
  minMtimeMs: number;
  maxMtimeMs: number;
  flags: number;
}

// ---------------------------------------------------------------- both directions

/** A piece of file content at `offset`. */
export interface DataFrame { op: 'DATA'; id: number; offset: number; data: Uint8Array }
/** Grants the peer `increment` more bytes of DATA for this transfer. */
export interface WindowFrame { op: 'WIND'; id: number; increment: number }
/** Ends a transfer: the SHA-256 of the whole file. */
export interface HashFrame { op: 'HASH'; id: number; hash: Uint8Array }
/**
 * The next item of a tree transfer (TGET, TPUT): a folder, or a file whose
 * DATA (offsets from 0) and HASH follow. `entry.name` is relative to the tree's top.
 */
export interface FileFrame { op: 'FILE'; id: number; entry: Entry }
/** Server → client: success without data. Client → server: the end of a TPUT's items. */
export interface DoneFrame { op: 'DONE'; id: number }

// ---------------------------------------------------------------- server → client

export interface ConnReply {
  op: 'CONN';
  id: number;
  version: number;
  maxFrame: number;
  maxInFlight: number;
  capabilities: string[];
  flags: number;
  serverName: string;
  /** The authenticated user, empty for anonymous sessions. */
  user: string;
}
/** Opens a transfer (reply to UPLD or DWLD). */
export interface OpenReply {
  op: 'OPEN';
  id: number;
  /** Upload: where the client continues; download: echo of the request's offset. */
  offset: number;
  /** Download: the file's size; upload: echo of the request's size. */
  size: number;
  mtimeMs: number;
  mode: number;
  /** Upload resume: SHA-256 of the server's first `offset` bytes; otherwise empty. */
  prefixHash: Uint8Array;
  /** Upload: bytes the client may send before the next WIND; download: 0. */
  window: number;
}
export interface EntriesReply { op: 'ENTS'; id: number; flags: number; entries: Entry[] }
export interface StatReply { op: 'STAT'; id: number; entry: Entry }
/** Success without data (the server's DONE); the same frame as a client's end of a TPUT. */
export type DoneReply = DoneFrame;
/** The answer to SUMS: one hash per name, in order; empty where the name is not a regular file. */
export interface SumsReply { op: 'SUMS'; id: number; hashes: Uint8Array[] }
export interface FailReply { op: 'FAIL'; id: number; code: number; message: string }

export type ClientMessage =
  | ConnRequest | ListRequest | StatRequest | MkdirRequest | RmdirRequest | DeleteRequest
  | MoveRequest | UploadRequest | DownloadRequest | TreeGetRequest | TreePutRequest | CancelRequest | QuitRequest
  | PingRequest | SumsRequest | ChmodRequest | FindRequest | LinkRequest
  | DataFrame | WindowFrame | HashFrame | FileFrame | DoneFrame;

export type ServerMessage =
  | ConnReply | OpenReply | EntriesReply | StatReply | DoneReply | FailReply | SumsReply
  | DataFrame | WindowFrame | HashFrame | FileFrame;

export type Message = ClientMessage | ServerMessage;

/** Which side is decoding: the same opcode (CONN, STAT) has a request and a reply layout. */
export type Direction = 'toServer' | 'toClient';

/** Every opcode a client may send, and every opcode a server may send (DATA, WIND, HASH, FILE, DONE are in both). */
export const CLIENT_OPCODES = [
  'CONN', 'LIST', 'STAT', 'MKDR', 'RMDR', 'DELF', 'MOVE', 'UPLD', 'DWLD', 'TGET', 'TPUT', 'CANC', 'QUIT', 'PING',
  'SUMS', 'CHMD', 'FIND', 'LINK',
  'DATA', 'WIND', 'HASH', 'FILE', 'DONE',
] as const satisfies readonly ClientMessage['op'][];
export const SERVER_OPCODES = [
  'CONN', 'ENTS', 'STAT', 'OPEN', 'DATA', 'WIND', 'HASH', 'FILE', 'DONE', 'FAIL', 'SUMS',
] as const satisfies readonly ServerMessage['op'][];

// Compile-time proof that the lists above name every opcode of the unions:
// `true` does not satisfy `never`, which is what a missing opcode makes.
type ListsEvery<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : never;
void (true satisfies ListsEvery<ClientMessage['op'], (typeof CLIENT_OPCODES)[number]>);
void (true satisfies ListsEvery<ServerMessage['op'], (typeof SERVER_OPCODES)[number]>);
