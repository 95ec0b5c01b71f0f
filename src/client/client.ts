/**
 * FerryClient: the typed Promise API over one Ferry session (src/client/types.ts).
 * The connection layer (src/connection) carries frames; this class turns each
 * operation into its request and reply, and delegates transfers to upload.ts,
 * download.ts and tree.ts.
 */
import { Connection } from '../connection/connection.js';
import { keepSessionAlive } from '../connection/keep-alive.js';
import { openSocket } from '../connection/open-socket.js';
import {
  DEFAULT_MAX_FRAME, DEFAULT_PORT, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN,
} from '../protocol/constants.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import {
  MAX_SUMS_NAMES, CHMD_RECURSIVE, LINK_OVERWRITE, CONN_READ_ONLY, ENTS_LAST, ENTS_OMITTED, FIND_IGNORE_CASE, FIND_NO_UPPER_BOUND,
  LIST_LINK_TARGETS,
  LIST_RECURSIVE, MKDR_PARENTS, MOVE_OVERWRITE, RMDR_RECURSIVE,
  type ClientMessage, type ConnReply, type Entry,
} from '../protocol/messages.js';
import { downloadFile } from './download.js';
import { openReadStream } from './read-stream.js';
import { checkedListedName, checkedRelativeName } from './listed-names.js';
import { failError, runExchange } from './exchange.js';
import { ProgressThrottle } from './progress.js';
import { normalizeRemotePath } from './remote-path.js';
import { downloadSubset, downloadTree, uploadSubset, uploadTree, type TreeContext, type TreeSubset } from './tree.js';
import { PREFERRED_CHUNK, type TransferContext } from './transfer-common.js';
import type {
  ConnectOptions, FerryClientApi, FindOptions, FindQuery, ListOptions, ModeChange, Progress, ReadStreamOptions,
  RemoteReadStream, SessionInfo, TransferOptions, TransferResult,
  TreeTransferOptions, TreeTransferResult,
} from './types.js';
import { uploadFile } from './upload.js';
import { isLoopbackHost } from '../net/host.js';
import type { Remote, RemoteDescription, RemoteFeatures } from '../remote/remote.js';
import { formatOrigin } from '../remote/remote-url.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Silence before a keep-alive PING. A PING goes out once a whole interval
 * passed without a frame sent, so the server hears from the client at least
 * every two intervals: 120 s, well inside ferryd's default idle timeout of 300 s.
 */
export const DEFAULT_KEEP_ALIVE_INTERVAL_MS = 60_000;
/** Capabilities this client speaks (docs/PROTOCOL.md §4). */
export const CLIENT_CAPABILITIES = ['sha256', 'resume', 'list-recursive', 'tree', 'tree-names', 'keepalive', 'sums', 'chmod', 'find', 'link-targets', 'symlink'];
const CLIENT_NAME = 'ferry-client/0.1';

export class FerryClient implements FerryClientApi, Remote {
  readonly info: SessionInfo;
  /** The session as every remote kind describes itself (src/remote/remote.ts). */
  readonly description: RemoteDescription;
  readonly features: RemoteFeatures;
  private readonly connection: Connection;
  private readonly transfer: TransferContext;

  private constructor(connection: Connection, info: SessionInfo, address: { host: string; port: number }) {
    this.connection = connection;
    this.info = info;
    this.transfer = { connection, chunkSize: Math.min(PREFERRED_CHUNK, info.maxFrame - 16) };
    const scheme = info.tls && isLoopbackHost(address.host) ? 'ferrys' : 'ferry';
    this.description = {
      kind: 'ferry', host: address.host, port: address.port, user: info.user,
      origin: formatOrigin({ scheme, host: address.host, port: address.port, user: info.user }),
      encrypted: info.tls, readOnly: info.readOnly, verification: 'sha256',
      ...(info.fingerprint !== undefined ? { fingerprint: info.fingerprint } : {}),
    };
    const offers = (capability: string): boolean => info.capabilities.includes(capability);
    this.features = {
      chmod: offers('chmod'), find: offers('find'), checksums: offers('sums'), linkTargets: offers('link-targets'), resume: offers('resume'),
      uploadMtime: true,
    };
  }

  /**
   * Opens a session: TCP or TLS (with the fingerprint check), then the CONN
   * handshake. Rejects with TIMEOUT, TRUST, AUTH, VERSION, CONNECTION_LOST or
   * CANCELLED.
   */
  static async connect(options: ConnectOptions): Promise<FerryClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const port = options.port ?? DEFAULT_PORT;
    const opened = await openSocket({
      host: options.host, port, tls: options.tls ?? 'auto', verifyFingerprint: options.verifyFingerprint,
      timeoutMs, signal: options.signal,
    });
    const connection = new Connection(opened.socket);
    const reply = await handshake(connection, options, Math.max(1, deadline - Date.now()));
    connection.configure({ maxFrame: reply.maxFrame, maxInFlight: reply.maxInFlight });
    const client = new FerryClient(connection, {
      version: reply.version,
      serverName: reply.serverName,
      user: reply.user,
      readOnly: (reply.flags & CONN_READ_ONLY) !== 0,
      maxFrame: reply.maxFrame,
      maxInFlight: reply.maxInFlight,
      capabilities: reply.capabilities,
      tls: opened.tls,
      ...(opened.fingerprint ? { fingerprint: opened.fingerprint } : {}),
    }, { host: options.host, port });
    // A server without the capability would answer PING with UNSUPPORTED: it gets no PING.
    if (options.keepAlive && reply.capabilities.includes('keepalive')) {
      keepSessionAlive(connection, options.keepAliveIntervalMs ?? DEFAULT_KEEP_ALIVE_INTERVAL_MS, () => client.ping());
    }
    return client;
  }

  get connected(): boolean {
    return !this.connection.closed;
  }

  /**
   * Every name the server lists is checked (listed-names.ts): one component
   * for a plain listing, a relative path below the folder for a recursive
   * one. The first bad name fails the whole listing with INVALID_PATH once
   * the server's last ENTS has arrived (so the request id is not reused
   * while its frames still come); no batch after it reaches `onBatch`.
   */
  list(path: string, options: ListOptions = {}): Promise<Entry[]> {
    const flags = (options.recursive ? LIST_RECURSIVE : 0) | (this.linkTargetsFlag(options.linkTargets));
    return this.collectEntries(
      (id) => ({ op: 'LIST', id, path: normalizeRemotePath(path), flags }),
      options.recursive ? checkedRelativeName : checkedListedName, options,
    );
  }

  /**
   * Makes a symlink at `path` holding `target` (capability `symlink`): a
   * relative target that only goes down from the link's folder; the server
   * refuses any other with INVALID_PATH (docs/PROTOCOL.md §6, LINK).
   */
  makeLink(path: string, target: string, options: { overwrite?: boolean } = {}): Promise<void> {
    if (!this.info.capabilities.includes('symlink')) return Promise.reject(unsupported('symlink'));
    return this.expectDone({ op: 'LINK', path: normalizeRemotePath(path), target, flags: options.overwrite ? LINK_OVERWRITE : 0 });
  }

  chmod(path: string, change: ModeChange, options: { recursive?: boolean } = {}): Promise<void> {
    if (!this.info.capabilities.includes('chmod')) return Promise.reject(unsupported('chmod'));
    return runExchange<void>(this.connection, {
      first: (id) => ({
        op: 'CHMD', id, path: normalizeRemotePath(path), clear: change.clear & 0o7777, set: change.set & 0o7777,
        flags: options.recursive ? CHMD_RECURSIVE : 0,
      }),
      reply: (reply) => (reply.op === 'DONE' ? { result: undefined } : false),
    });
  }

  /** Matches are relative paths below the folder, checked as a recursive listing's names are. */
  find(path: string, query: FindQuery, options: FindOptions = {}): Promise<Entry[]> {
    if (!this.info.capabilities.includes('find')) return Promise.reject(unsupported('find'));
    const flags = (query.ignoreCase ? FIND_IGNORE_CASE : 0) | this.linkTargetsFlag(options.linkTargets);
    return this.collectEntries((id) => ({
      op: 'FIND', id, path: normalizeRemotePath(path), pattern: query.pattern,
      minSize: query.minSize ?? 0, maxSize: query.maxSize ?? FIND_NO_UPPER_BOUND,
      minMtimeMs: query.minMtimeMs ?? 0, maxMtimeMs: query.maxMtimeMs ?? FIND_NO_UPPER_BOUND, flags,
    }), checkedRelativeName, options);
  }

  private linkTargetsFlag(wanted: boolean | undefined): number {
    return wanted && this.info.capabilities.includes('link-targets') ? LIST_LINK_TARGETS : 0;
  }

  /**
   * Runs a request answered by ENTS batches (LIST, FIND). Every name is
   * checked (listed-names.ts); the first bad name fails the whole request
   * with INVALID_PATH once the server's last ENTS has arrived (so the request
   * id is not reused while its frames still come); no batch after it reaches
   * `onBatch`.
   */
  private collectEntries(
    first: (id: number) => ClientMessage, check: (name: string) => void,
    options: { signal?: AbortSignal; onBatch?: (entries: Entry[]) => void; onNamesLeftOut?: () => void },
  ): Promise<Entry[]> {
    const all: Entry[] = [];
    let refused: FerryError | undefined;
    return runExchange<Entry[]>(this.connection, {
      first,
      reply: (msg) => {
        if (msg.op !== 'ENTS') return false;
        const last = (msg.flags & ENTS_LAST) !== 0;
        if (!refused) {
          try {
            for (const entry of msg.entries) check(entry.name);
            for (const entry of msg.entries) all.push(entry);
            if (msg.entries.length > 0 || last) options.onBatch?.(msg.entries);
          } catch (error) {
            refused = error as FerryError;
          }
        }
        if (!last) return undefined;
        if (!refused && (msg.flags & ENTS_OMITTED) !== 0) options.onNamesLeftOut?.();
        return refused ? { error: refused } : { result: all };
      },
    }, options.signal);
  }

  stat(path: string, options: { signal?: AbortSignal } = {}): Promise<Entry> {
    return runExchange<Entry>(this.connection, {
      first: (id) => ({ op: 'STAT', id, path: normalizeRemotePath(path) }),
      reply: (msg) => (msg.op === 'STAT' ? { result: msg.entry } : false),
    }, options.signal);
  }

  mkdir(path: string, options: { parents?: boolean } = {}): Promise<void> {
    return this.expectDone({ op: 'MKDR', path: normalizeRemotePath(path), flags: options.parents ? MKDR_PARENTS : 0 });
  }

  rmdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    return this.expectDone({ op: 'RMDR', path: normalizeRemotePath(path), flags: options.recursive ? RMDR_RECURSIVE : 0 });
  }

  delete(path: string): Promise<void> {
    return this.expectDone({ op: 'DELF', path: normalizeRemotePath(path) });
  }

  rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    return this.expectDone({
      op: 'MOVE', from: normalizeRemotePath(from), to: normalizeRemotePath(to),
      flags: options.overwrite ? MOVE_OVERWRITE : 0,
    });
  }

  async upload(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<TransferResult> {
    const progress = new ProgressThrottle<Progress>(options.onProgress, options.progressIntervalMs);
    const result = await uploadFile(this.transfer, {
      localPath, remotePath: normalizeRemotePath(remotePath), overwrite: options.overwrite ?? false,
      resume: options.resume ?? false, signal: options.signal, rateLimit: options.rateLimit,
      report: (bytes, total) => progress.update(() => ({ bytes, total })),
    });
    progress.flush({ bytes: result.size, total: result.size });
    return result;
  }

  async download(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<TransferResult> {
    const progress = new ProgressThrottle<Progress>(options.onProgress, options.progressIntervalMs);
    const result = await downloadFile(this.connection, {
      remotePath: normalizeRemotePath(remotePath), localPath, overwrite: options.overwrite ?? false,
      resume: options.resume ?? false, signal: options.signal, rateLimit: options.rateLimit,
      report: (bytes, total) => progress.update(() => ({ bytes, total })),
    });
    progress.flush({ bytes: result.size, total: result.size });
    return result;
  }

  openRead(remotePath: string, options: ReadStreamOptions = {}): Promise<RemoteReadStream> {
    return openReadStream(this.connection, normalizeRemotePath(remotePath), options);
  }

  /**
   * The SHA-256 of each named file below `folder`, hashed by the server
   * (capability `sums`; without it: UNSUPPORTED): undefined where a name is
   * not a regular file. Names go in requests of up to MAX_SUMS_NAMES, a few at once.
   */
  async checksums(folder: string, names: readonly string[], options: { signal?: AbortSignal } = {}): Promise<(Buffer | undefined)[]> {
    if (!this.info.capabilities.includes('sums')) {
      throw new FerryError(ErrorCode.UNSUPPORTED, 'the server cannot hash files for a comparison (no capability sums)');
    }
    const remote = normalizeRemotePath(folder);
    const batches: string[][] = [];
    for (let at = 0; at < names.length; at += MAX_SUMS_NAMES) batches.push(names.slice(at, at + MAX_SUMS_NAMES));
    const results: (Buffer | undefined)[][] = new Array(batches.length);
    let next = 0;
    // The server hashes one request per session at a time; two in flight keep it busy without a gap.
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const at = next++;
        const batch = batches[at]!;
        results[at] = await runExchange<(Buffer | undefined)[]>(this.connection, {
          first: (id) => ({ op: 'SUMS', id, path: remote, names: batch }),
          reply: (msg) => {
            if (msg.op !== 'SUMS') return false;
            if (msg.hashes.length !== batch.length) {
              return { error: new FerryError(ErrorCode.BAD_FRAME, `SUMS answered ${msg.hashes.length} hashes for ${batch.length} names`) };
            }
            return { result: msg.hashes.map((hash) => (hash.length === 0 ? undefined : Buffer.from(hash))) };
          },
        }, options.signal);
      }
    };
    await Promise.all([worker(), worker()]);
    return results.flat();
  }

  uploadTree(localDir: string, remoteDir: string, options: TreeTransferOptions = {}): Promise<TreeTransferResult> {
    return uploadTree(this.treeContext(), localDir, normalizeRemotePath(remoteDir), options);
  }

  downloadTree(remoteDir: string, localDir: string, options: TreeTransferOptions = {}): Promise<TreeTransferResult> {
    return downloadTree(this.treeContext(), normalizeRemotePath(remoteDir), localDir, options);
  }

  /** Uploads the named folders and files of a local tree, replacing what is there (a sync's plan). */
  uploadSubset(localDir: string, remoteDir: string, subset: TreeSubset, options: TreeTransferOptions = {}): Promise<TreeTransferResult> {
    return uploadSubset(this.treeContext(), localDir, normalizeRemotePath(remoteDir), subset, options);
  }

  /** Downloads the named folders and files of a remote tree, replacing local files, resuming partial ones. */
  downloadSubset(remoteDir: string, localDir: string, subset: TreeSubset, options: TreeTransferOptions = {}): Promise<TreeTransferResult> {
    return downloadSubset(this.treeContext(), normalizeRemotePath(remoteDir), localDir, subset, options);
  }

  /** Sends PING and waits for its DONE (the keep-alive's request). */
  private ping(): Promise<void> {
    return this.expectDone({ op: 'PING' });
  }

  async quit(): Promise<void> {
    if (this.connection.closed) return;
    const closed = new Promise<void>((resolve) => this.connection.onClose(() => resolve()));
    this.connection.expectClose();
    try {
      await this.expectDone({ op: 'QUIT' });
    } catch (error) {
      // The server may close before its DONE is read; the session is over either way.
      if (!(error instanceof FerryError && error.code === ErrorCode.CONNECTION_LOST)) throw error;
    }
    // The server closes after DONE; don't wait for ever on a server that does not.
    const timer = setTimeout(() => this.connection.close(), 2000);
    await closed;
    clearTimeout(timer);
  }

  close(reason?: string): void {
    this.connection.close(reason ?? 'closed by the client');
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.connection.onClose(listener);
  }

  private expectDone(msg: { op: 'MKDR' | 'RMDR'; path: string; flags: number } | { op: 'DELF'; path: string }
    | { op: 'MOVE'; from: string; to: string; flags: number } | { op: 'LINK'; path: string; target: string; flags: number }
    | { op: 'QUIT' } | { op: 'PING' }): Promise<void> {
    return runExchange<void>(this.connection, {
      first: (id) => ({ ...msg, id }),
      reply: (reply) => (reply.op === 'DONE' ? { result: undefined } : false),
    });
  }

  private treeContext(): TreeContext {
    return {
      transfer: this.transfer,
      maxInFlight: this.info.maxInFlight,
      streamsTrees: this.info.capabilities.includes('tree'),
      streamsNamedTrees: this.info.capabilities.includes('tree') && this.info.capabilities.includes('tree-names'),
      maxFrame: this.info.maxFrame,
      list: (path, options) => this.list(path, options),
      mkdir: (path, options) => this.mkdir(path, options),
      uploadFile: (job) => uploadFile(this.transfer, job),
      downloadFile: (job) => downloadFile(this.connection, job),
      ...(this.info.capabilities.includes('symlink')
        ? { makeLink: (path: string, target: string, overwrite: boolean) => this.makeLink(path, target, { overwrite }) }
        : {}),
    };
  }
}

async function handshake(connection: Connection, options: ConnectOptions, timeoutMs: number): Promise<ConnReply> {
  const password = options.password ?? '';
  const user = options.user ?? '';
  return new Promise<ConnReply>((resolve, reject) => {
    const fail = (error: FerryError): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      slot.finish();
      connection.close(error);
      reject(error);
    };
    const onAbort = (): void => fail(new FerryError(ErrorCode.CANCELLED, 'connecting was cancelled'));
    const timer = setTimeout(() => {
      fail(new FerryError(ErrorCode.TIMEOUT, `no handshake reply within ${timeoutMs} ms`));
    }, timeoutMs);
    const slot = connection.registerFixed(0, {
      onMessage(msg) {
        if (msg.op === 'CONN') {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          slot.finish();
          resolve(msg);
        } else if (msg.op === 'FAIL') {
          fail(failError(msg));
        } else {
          fail(new FerryError(ErrorCode.CONNECTION_LOST, `the server answered the handshake with ${msg.op}`));
        }
      },
      onConnectionLost(error) {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    connection.send({
      op: 'CONN', id: 0, minVersion: PROTOCOL_VERSION_MIN, maxVersion: PROTOCOL_VERSION_MAX,
      maxFrame: options.maxFrame ?? DEFAULT_MAX_FRAME, capabilities: CLIENT_CAPABILITIES,
      authMethod: user === '' ? 'none' : 'password', user, secret: user === '' ? '' : password,
      clientName: CLIENT_NAME,
    });
  });
}

/** A request the server did not offer (its capability is missing): refused before anything is sent. */
function unsupported(capability: string): FerryError {
  return new FerryError(ErrorCode.UNSUPPORTED, `the server does not offer ${capability} (capability "${capability}")`);
}
