/**
 * One client connection of ferryd: the handshake, then many requests in
 * flight at once, each tagged with its id (docs/PROTOCOL.md §4–§6).
 *
 * Incoming bytes are cut into frames by the codec's FrameDecoder; a frame is
 * dispatched synchronously (to a new request handler, or to a running
 * transfer), so the socket is always read and CANC, WIND or a LIST get through
 * whatever transfers do. Every handler runs inside `execute`, which turns any
 * exception into a FAIL for that request: nothing a client sends can crash
 * the server or touch another session.
 *
 * Two bounds keep one client from filling the server's memory
 * (docs/SECURITY.md): while more than `maxReplyBacklog` bytes of replies wait
 * to be sent, the session reads no more requests (decoded frames wait in a
 * short queue, the rest stays in the kernel, and the client's sends block
 * until it reads); and a frame above one socket read is collected only with a
 * reservation from the server-wide PartialFrameBudget.
 *
 * While a session may not take input it still reads up to HELD_INPUT_BYTES
 * and keeps them undecoded before it pauses its socket: a peer that sent a
 * little more and left is then seen to leave (its end or reset arrives), and
 * the session closes and frees its reservation at once instead of waiting,
 * deaf, for room or for a drain that will never come.
 */
import type { Duplex } from 'node:stream';
import {
  decodeClientMessage, encodeDataHeader, encodeMessage, FrameDecoder, type RawFrame,
} from '../protocol/codec.js';
import { HANDSHAKE_MAX_FRAME, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN } from '../protocol/constants.js';
import { ErrorCode, FerryError, errorCodeName } from '../protocol/errors.js';
import { negotiateMaxFrame, negotiateVersion } from '../protocol/handshake.js';
import { CONN_READ_ONLY, type ClientMessage, type ConnRequest, type ServerMessage } from '../protocol/messages.js';
import { TurnBatchedWriter } from '../net/write-batching.js';
import type { Logger } from './log.js';
import {
  handleDelete, handleList, handleMkdir, handleMove, handleRmdir, handleStat,
} from './operations.js';
import { handleDownload } from './download.js';
import { handleUpload } from './upload.js';
import { handleTreeGet } from './tree-download.js';
import { handleTreePut } from './tree-upload.js';
import { handleSums } from './sums.js';
import { handleChmod } from './chmod.js';
import { handleFind } from './find.js';
import { handleLink } from './link.js';
import {
  SESSION_ENDED, endedWithSession, type RequestContext, type SessionOutput, type TransferInput,
} from './request.js';
import { toFerryError } from './storage/errors.js';
import type { Storage } from './storage/storage.js';
import type { UploadRegistry } from './upload-registry.js';
import type { PartialFrameBudget } from './partial-frame-budget.js';

export const SERVER_CAPABILITIES = ['sha256', 'resume', 'list-recursive', 'tree', 'tree-names', 'keepalive', 'sums', 'chmod', 'find', 'link-targets', 'symlink'];

/** Who a session acts for, as decided by the handshake. */
export interface SessionIdentity {
  user: string;
  root: string;
  readOnly: boolean;
}

/** What the server gives every session. */
export interface SessionEnvironment {
  readonly serverName: string;
  readonly logger: Logger;
  readonly uploads: UploadRegistry;
  readonly limits: {
    handshakeTimeoutMs: number;
    idleTimeoutMs: number;
    stallTimeoutMs: number;
    maxFrame: number;
    maxInFlight: number;
    uploadWindow: number;
    maxReplyBacklog: number;
  };
  /** Shared by all sessions: bytes of large frames being received. */
  readonly partialFrames: PartialFrameBudget;
  /** Checks the CONN's credentials; throws FerryError (AUTH, LIMIT) to refuse. */
  authenticate(attempt: { method: string; user: string; secret: string; remoteAddress: string }): Promise<SessionIdentity>;
  /** The storage (jail) for a root folder. */
  storageFor(root: string): Promise<Storage>;
}

type Handler = (ctx: RequestContext, msg: never) => Promise<ServerMessage>;

const HANDLERS: Partial<Record<ClientMessage['op'], Handler>> = {
  LIST: handleList, STAT: handleStat, MKDR: handleMkdir, RMDR: handleRmdir, DELF: handleDelete,
  MOVE: handleMove, UPLD: handleUpload, DWLD: handleDownload, TGET: handleTreeGet,
  TPUT: handleTreePut, SUMS: handleSums, CHMD: handleChmod, FIND: handleFind, LINK: handleLink,
};

const WRITE_OPS = new Set<string>(['MKDR', 'RMDR', 'DELF', 'MOVE', 'UPLD', 'TPUT', 'CHMD', 'LINK']);

/**
 * The input of `active` that takes `handler`, for a content frame (`op`) that
 * names it. Undefined when there is no such request (the frame crossed its
 * final reply on the wire: dropped), or when the request takes no such frame
 * (aborted with BAD_FRAME).
 */
function receiving<K extends keyof TransferInput>(
  active: ActiveRequest | undefined, handler: K, op: string,
): (TransferInput & Required<Pick<TransferInput, K>>) | undefined {
  if (!active) return undefined;
  const input = active.input;
  if (!input?.[handler]) {
    active.abort.abort(new FerryError(ErrorCode.BAD_FRAME, `${op} for a ${active.op} request`));
    return undefined;
  }
  return input as TransferInput & Required<Pick<TransferInput, K>>;
}

interface ActiveRequest {
  readonly id: number;
  readonly op: string;
  readonly abort: AbortController;
  readonly startedAt: number;
  readonly summary: string;
  input: TransferInput | undefined;
  /** Runs while the request waits on its peer; refreshed by every frame for it (see waitingOnPeer). */
  stallTimer: NodeJS.Timeout | undefined;
  /** Content bytes a finished transfer moved (for its log line). */
  transferredBytes: number | undefined;
  /** Files a tree transfer (TGET, TPUT) moved. */
  transferredFiles: number | undefined;
}

type State = 'handshake' | 'authenticating' | 'ready' | 'closed';

/** Input read, and kept undecoded, while a session may not take it: one socket read's worth. */
const HELD_INPUT_BYTES = 64 * 1024;

/** A reservation (or a wait for one) in the PartialFrameBudget for the frame being received. */
interface PartialFrameClaim {
  readonly bytes: number;
  granted: boolean;
  readonly grant: () => void;
}

export class Session implements SessionOutput {
  private state: State = 'handshake';
  private readonly decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME);
  private readonly output: TurnBatchedWriter;
  private readonly requests = new Map<number, ActiveRequest>();
  private storage: Storage | undefined;
  private identity: SessionIdentity | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private forceTimer: NodeJS.Timeout | undefined;
  private drainWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  /** The pending wake of the next waiting writer (see wakeNextWriter). */
  private writerTurn: NodeJS.Immediate | undefined;
  /** Frames decoded but not yet dispatched: they wait while the reply backlog is over its bound. */
  private queuedFrames: RawFrame[] = [];
  /** True while unsent replies exceed maxReplyBacklog: no request is read until the socket drains. */
  private backlogFull = false;
  private partialFrame: PartialFrameClaim | undefined;
  /** Chunks read while the session may not take input (see HELD_INPUT_BYTES), in order. */
  private heldInput: Buffer[] = [];
  private heldInputBytes = 0;
  private takingHeldInput = false;
  private shuttingDown = false;
  private socketClosed = false;
  private readonly openedAt = Date.now();
  private requestCount = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private resolveClosed!: () => void;
  /** Resolves once the socket is closed and every request handler has finished (files closed). */
  readonly closed: Promise<void>;
  maxFrame = HANDSHAKE_MAX_FRAME;

  constructor(
    private readonly socket: Duplex & { writableNeedDrain: boolean },
    readonly remoteAddress: string,
    private readonly env: SessionEnvironment,
    private readonly logger: Logger,
    /** When the handshake must be done (ms since the epoch): the connection's accept time plus the handshake timeout, so a PROXY header or TLS handshake before it does not add time. */
    handshakeDeadline = Date.now() + env.limits.handshakeTimeoutMs,
  ) {
    this.closed = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
    });
    this.output = new TurnBatchedWriter(socket);
    socket.on('data', (chunk: Buffer) => this.onInput(chunk));
    // The peer sends nothing more: whatever it still expects, this session can no longer serve it
    // (no frame in progress can complete), and a peer that does not read its replies would keep the
    // socket open for ever. end() closes it, by force if need be.
    socket.on('end', () => {
      if (this.state === 'closed') return;
      this.logger.debug('the client ended the connection: closing');
      this.end();
    });
    socket.on('drain', () => {
      this.backlogFull = false;
      this.wakeNextWriter();
      this.dispatchQueued();
    });
    socket.on('error', (error: Error) => {
      this.logger.debug('socket error', { error: error.message });
      this.end();
    });
    socket.on('close', () => {
      this.socketClosed = true;
      this.end();
      this.releasePartialFrame();
      clearImmediate(this.writerTurn);
      for (const waiter of this.drainWaiters.splice(0)) waiter.reject(new Error(SESSION_ENDED));
      this.logger.info('connection closed', {
        user: this.identity?.user, requests: this.requestCount, bytesIn: this.bytesIn, bytesOut: this.bytesOut,
        seconds: (Date.now() - this.openedAt) / 1000,
      });
      this.resolveIfFinished();
    });
    this.handshakeTimer = setTimeout(() => {
      this.logger.warn('handshake timeout: closing', { ms: env.limits.handshakeTimeoutMs });
      this.fatal(ErrorCode.TIMEOUT, `no handshake within ${env.limits.handshakeTimeoutMs} ms`);
    }, Math.max(0, handshakeDeadline - Date.now()));
    this.handshakeTimer.unref();
    socket.resume();
  }

  // ------------------------------------------------------------------ output

  send(msg: ServerMessage): void {
    if (this.state === 'closed') return;
    this.requests.get(msg.id)?.stallTimer?.refresh();
    const parts = encodeMessage(msg);
    for (const part of parts) {
      this.bytesOut += part.length;
      this.output.write(part);
    }
    this.checkBacklog();
  }

  sendData(id: number, offset: number, content: Buffer, onFlushed?: () => void): void {
    if (this.state === 'closed') return;
    this.requests.get(id)?.stallTimer?.refresh();
    const header = encodeDataHeader(id, offset, content.length);
    this.bytesOut += header.length + content.length;
    this.output.write(header);
    this.output.write(content, onFlushed);
    this.checkBacklog();
  }

  writable(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new Error(SESSION_ENDED));
    // A writer that comes back for more goes behind those already waiting, even when the socket has room.
    if (this.drainWaiters.length === 0 && !this.socket.writableNeedDrain) return Promise.resolve();
    const wait = new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
    this.wakeNextWriterSoon();
    return wait;
  }

  /** Stops reading requests while the replies not yet sent exceed their bound (resumed by 'drain'). */
  private checkBacklog(): void {
    if (this.backlogFull || this.socket.writableLength <= this.env.limits.maxReplyBacklog) return;
    this.backlogFull = true;
    this.updateReading();
  }

  /**
   * Lets the writers waiting for the socket (transfers, listings) go one at
   * a time, in arrival order: the first once the socket has room, the next
   * only after that one has had its turn (the next turn of the event loop)
   * and only if the socket still has room. Woken all at once after a drain,
   * each would queue its next chunk: with 64 downloads in flight, many MiB
   * in one session's socket. Taking turns, a session queues its replies
   * (bounded by maxReplyBacklog) plus about one chunk of one transfer.
   */
  private wakeNextWriter(): void {
    clearImmediate(this.writerTurn);
    this.writerTurn = undefined;
    if (this.isClosed || this.socket.writableNeedDrain) return; // 'drain' comes back here
    this.drainWaiters.shift()?.resolve();
    if (this.drainWaiters.length > 0) this.wakeNextWriterSoon();
  }

  private wakeNextWriterSoon(): void {
    this.writerTurn ??= setImmediate(() => this.wakeNextWriter());
  }

  // ------------------------------------------------------------------ input

  private onInput(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.bytesIn += chunk.length;
    this.idleTimer?.refresh();
    if (this.mayTakeInput() && this.heldInput.length === 0) {
      this.receive(chunk);
      return;
    }
    this.heldInput.push(chunk);
    this.heldInputBytes += chunk.length;
    this.updateReading();
  }

  /** False while the reply backlog is full or the frame being received waits for room in the budget. */
  private mayTakeInput(): boolean {
    const waitingForBudget = this.partialFrame !== undefined && !this.partialFrame.granted;
    return !this.backlogFull && !waitingForBudget;
  }

  /** Decodes held input, in order, for as long as the session may take it. */
  private takeHeldInput(): void {
    if (this.takingHeldInput) return; // a receive below is already in the loop
    this.takingHeldInput = true;
    try {
      while (this.heldInput.length > 0 && !this.isClosed && this.mayTakeInput()) {
        const chunk = this.heldInput.shift()!;
        this.heldInputBytes -= chunk.length;
        this.receive(chunk);
      }
    } finally {
      this.takingHeldInput = false;
    }
    if (this.isClosed) this.dropHeldInput();
  }

  private dropHeldInput(): void {
    this.heldInput = [];
    this.heldInputBytes = 0;
  }

  private receive(chunk: Buffer): void {
    if (this.state === 'closed') return;
    let frames: RawFrame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      const failure = toFerryError(error);
      this.logger.warn('malformed frame stream: closing', { code: failure.codeName, error: failure.message });
      this.fatal(failure.code, failure.message);
      return;
    }
    for (const frame of frames) this.queuedFrames.push(frame);
    this.claimPartialFrame();
    this.dispatchQueued();
  }

  /** Dispatches queued frames in order until none is left or the reply backlog is full. */
  private dispatchQueued(): void {
    let next = 0;
    while (next < this.queuedFrames.length && !this.backlogFull && !this.isClosed) {
      const frame = this.queuedFrames[next++]!;
      try {
        this.onFrame(frame);
      } catch (error) {
        // A bug in dispatch must not take the server down: answer INTERNAL for that frame.
        this.logger.error('internal error while dispatching a frame', { op: frame.op, error: errorText(error) });
        if (frame.id !== 0) this.send({ op: 'FAIL', id: frame.id, code: ErrorCode.INTERNAL, message: 'internal server error' });
      }
    }
    this.queuedFrames = this.isClosed ? [] : this.queuedFrames.slice(next);
    this.updateReading();
  }

  /**
   * Reserves the frame being received in the server-wide budget once it is
   * larger than one socket read (and ends the previous reservation): without
   * room, the session stops reading until there is.
   */
  private claimPartialFrame(): void {
    const length = this.decoder.partialFrameLength;
    const needed = length > this.env.partialFrames.smallFrameBytes ? length : 0;
    if (this.partialFrame?.bytes === needed) return; // the same frame, still arriving
    this.releasePartialFrame();
    if (needed === 0 || this.isClosed) return;
    const claim: PartialFrameClaim = {
      bytes: needed,
      granted: false,
      grant: () => {
        claim.granted = true;
        // Called from whichever session released room: take the held input in a turn of this one's own.
        process.nextTick(() => this.updateReading());
      },
    };
    this.partialFrame = claim;
    claim.granted = this.env.partialFrames.reserve(needed, claim.grant);
    if (!claim.granted) this.logger.debug('waiting for room to receive a large frame', { bytes: needed });
  }

  private releasePartialFrame(): void {
    const claim = this.partialFrame;
    if (!claim) return;
    this.partialFrame = undefined;
    if (claim.granted) this.env.partialFrames.release(claim.bytes);
    else this.env.partialFrames.cancel(claim.grant);
  }

  /**
   * Takes input while the session may; otherwise holds what arrives, and
   * pauses the socket once HELD_INPUT_BYTES are held.
   */
  private updateReading(): void {
    if (this.socketClosed) return;
    if (this.isClosed) {
      // A closed session keeps reading (and discarding) so the peer's end is seen.
      this.dropHeldInput();
      this.socket.resume();
      return;
    }
    if (this.mayTakeInput()) this.takeHeldInput();
    if (this.isClosed || this.heldInputBytes < HELD_INPUT_BYTES) this.socket.resume();
    else this.socket.pause();
  }

  private onFrame(frame: RawFrame): void {
    if (this.state === 'handshake') {
      if (frame.op !== 'CONN') {
        this.logger.warn('frame before the handshake: closing', { op: frame.op });
        this.fatal(ErrorCode.AUTH, 'the session starts with CONN; nothing is served before the handshake');
        return;
      }
      let msg: ClientMessage;
      try {
        msg = decodeClientMessage(frame);
      } catch (error) {
        const failure = toFerryError(error);
        this.logger.warn('malformed CONN: closing', { error: failure.message });
        this.failAndClose(frame.id, failure.code, failure.message);
        return;
      }
      this.state = 'authenticating';
      this.handshake(msg as ConnRequest).catch((error: unknown) => this.failedInternally('handshake', error));
      return;
    }
    if (this.state === 'authenticating') {
      this.logger.warn('frame during authentication: closing', { op: frame.op });
      this.fatal(ErrorCode.AUTH, 'wait for the CONN reply before sending requests');
      return;
    }
    if (frame.id === 0) {
      this.logger.warn('request id 0 after the handshake: closing', { op: frame.op });
      this.fatal(ErrorCode.BAD_FRAME, 'request id 0 is reserved for the handshake');
      return;
    }
    let msg: ClientMessage;
    try {
      msg = decodeClientMessage(frame);
    } catch (error) {
      const failure = toFerryError(error);
      this.logger.info('bad frame', { id: frame.id, op: frame.op, code: failure.codeName, error: failure.message });
      const active = this.requests.get(frame.id);
      if (active) active.abort.abort(failure);
      else this.send({ op: 'FAIL', id: frame.id, code: failure.code, message: failure.message });
      return;
    }
    this.dispatch(msg);
  }

  private dispatch(msg: ClientMessage): void {
    const active = this.requests.get(msg.id);
    // Anything the peer sends for a waiting transfer is progress.
    active?.stallTimer?.refresh();
    switch (msg.op) {
      case 'DATA': {
        const input = receiving(active, 'onData', msg.op);
        if (!input) return;
        input.onData(msg.offset, Buffer.isBuffer(msg.data) ? msg.data : Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.length));
        return;
      }
      case 'WIND':
        active?.input?.onWind?.call(active.input, msg.increment);
        return;
      case 'HASH':
        receiving(active, 'onHash', msg.op)?.onHash(Buffer.from(msg.hash));
        return;
      case 'FILE':
        receiving(active, 'onFile', msg.op)?.onFile(msg.entry);
        return;
      case 'DONE':
        receiving(active, 'onDone', msg.op)?.onDone();
        return;
      case 'CANC':
        active?.abort.abort(new FerryError(ErrorCode.CANCELLED, 'cancelled by the client'));
        return;
      case 'QUIT':
        this.logger.debug('quit', { id: msg.id });
        this.send({ op: 'DONE', id: msg.id });
        this.end();
        return;
      case 'CONN':
        this.send({ op: 'FAIL', id: msg.id, code: ErrorCode.BAD_FRAME, message: 'the session is already established' });
        return;
      default:
        if (active) {
          // One id, one request: the running one ends with BAD_FRAME (its single final frame), the new one never starts.
          this.logger.info('request id reused while in flight', { id: msg.id, op: msg.op, running: active.summary });
          active.abort.abort(new FerryError(ErrorCode.BAD_FRAME, `request id ${msg.id} reused by ${msg.op} while ${active.op} is in flight`));
          return;
        }
        if (msg.op === 'PING') {
          // Its bytes have already reset the idle timeout: nothing to run, no request to hold.
          this.send({ op: 'DONE', id: msg.id });
          return;
        }
        this.startRequest(msg);
    }
  }

  private startRequest(msg: Exclude<ClientMessage, { op: 'DATA' | 'WIND' | 'HASH' | 'FILE' | 'DONE' | 'CANC' | 'QUIT' | 'PING' | 'CONN' }>): void {
    const refuse = (code: number, message: string): void => {
      this.logger.info('request refused', { id: msg.id, op: msg.op, code: errorCodeName(code), error: message });
      this.send({ op: 'FAIL', id: msg.id, code, message });
    };
    if (this.shuttingDown) return refuse(ErrorCode.LIMIT, 'the server is shutting down');
    if (this.requests.size >= this.env.limits.maxInFlight) {
      return refuse(ErrorCode.BUSY, `more than ${this.env.limits.maxInFlight} requests in flight`);
    }
    if (this.identity?.readOnly && WRITE_OPS.has(msg.op)) return refuse(ErrorCode.PERMISSION, 'this session is read-only');
    const handler = HANDLERS[msg.op];
    if (!handler) return refuse(ErrorCode.UNSUPPORTED, `${msg.op} is not supported`);

    const request: ActiveRequest = {
      id: msg.id, op: msg.op, abort: new AbortController(), startedAt: Date.now(), summary: summarize(msg), input: undefined,
      stallTimer: undefined, transferredBytes: undefined, transferredFiles: undefined,
    };
    this.requests.set(msg.id, request);
    this.requestCount++;
    const ctx: RequestContext = {
      id: msg.id,
      signal: request.abort.signal,
      storage: this.storage!,
      output: this,
      logger: this.logger,
      uploads: this.env.uploads,
      uploadWindow: this.env.limits.uploadWindow,
      receive: (input) => {
        request.input = input;
      },
      waitingOnPeer: (waiting) => this.waitingOnPeer(request, waiting),
      recordTransfer: (_direction, bytes) => {
        request.transferredBytes = bytes;
      },
      recordTree: (_direction, files, bytes) => {
        request.transferredBytes = bytes;
        request.transferredFiles = files;
      },
    };
    this.execute(request, () => (handler as (c: RequestContext, m: typeof msg) => Promise<ServerMessage>)(ctx, msg))
      .catch((error: unknown) => this.failedInternally(request.summary, error));
  }

  private async execute(request: ActiveRequest, run: () => Promise<ServerMessage>): Promise<void> {
    let reply: ServerMessage | undefined;
    try {
      reply = await run();
    } catch (error) {
      if (endedWithSession(request.abort.signal)) {
        this.logger.debug('request ended with the session', { id: request.id, op: request.op });
      } else {
        const failure = toFerryError(error);
        if (failure.code === ErrorCode.INTERNAL) {
          this.logger.error('internal error', { id: request.id, request: request.summary, error: errorText(error) });
        }
        reply = { op: 'FAIL', id: request.id, code: failure.code, message: failure.message };
      }
    }
    clearTimeout(request.stallTimer);
    request.stallTimer = undefined;
    if (this.requests.get(request.id) === request) this.requests.delete(request.id);
    if (reply && this.state !== 'closed') {
      try {
        this.send(reply);
      } catch (error) {
        this.logger.error('could not encode a reply', { id: request.id, error: errorText(error) });
        this.send({ op: 'FAIL', id: request.id, code: ErrorCode.INTERNAL, message: 'internal server error' });
      }
      this.logRequest(request, reply);
    }
    this.afterRequest();
  }

  /**
   * One info line per finished request, whatever its outcome, as an access
   * log: what was asked, the result, the time it took, and for a transfer the
   * content bytes moved and the rate. A transfer's line is the request's line
   * (not a second one), so a tree of thousands of small files costs one
   * short write per file: about 7 µs a line as JSON to a pipe, a few percent
   * of a 4 KiB file's round trip.
   */
  private logRequest(request: ActiveRequest, reply: ServerMessage): void {
    if (!this.logger.enabled('info')) return;
    const ms = Date.now() - request.startedAt;
    const bytes = request.transferredBytes;
    const files = request.transferredFiles;
    this.logger.info('request', {
      id: request.id, request: request.summary, ms,
      result: reply.op === 'FAIL' ? `${errorCodeName(reply.code)}: ${reply.message}` : 'ok',
      ...(files !== undefined ? { files } : {}),
      ...(bytes !== undefined ? { bytes, mbPerSecond: ms > 0 ? Math.round(bytes / ms / 10) / 100 : undefined } : {}),
    });
  }

  private afterRequest(): void {
    if (this.shuttingDown && this.requests.size === 0 && this.state === 'ready') {
      this.fatal(ErrorCode.LIMIT, 'the server is shutting down');
    }
    this.resolveIfFinished();
  }

  // ------------------------------------------------------------------ handshake

  private async handshake(msg: ConnRequest): Promise<void> {
    const version = negotiateVersion(msg, { minVersion: PROTOCOL_VERSION_MIN, maxVersion: PROTOCOL_VERSION_MAX });
    if (version === undefined) {
      this.logger.info('no common protocol version', { client: `${msg.minVersion}..${msg.maxVersion}` });
      this.failAndClose(msg.id, ErrorCode.VERSION,
        `this server speaks protocol versions ${PROTOCOL_VERSION_MIN}..${PROTOCOL_VERSION_MAX}`);
      return;
    }
    let identity: SessionIdentity;
    let storage: Storage;
    try {
      identity = await this.env.authenticate({
        method: msg.authMethod, user: msg.user, secret: msg.secret, remoteAddress: this.remoteAddress,
      });
      storage = await this.env.storageFor(identity.root);
    } catch (error) {
      const failure = toFerryError(error);
      const code = failure.code === ErrorCode.INTERNAL ? ErrorCode.AUTH : failure.code;
      this.logger.warn('login refused', { user: msg.user, method: msg.authMethod, code: errorCodeName(code), error: failure.message });
      this.failAndClose(msg.id, code, failure.code === ErrorCode.INTERNAL ? 'login failed' : failure.message);
      return;
    }
    if (this.state !== 'authenticating') return; // closed meanwhile
    const maxFrame = negotiateMaxFrame(msg.maxFrame, this.env.limits.maxFrame);
    this.storage = storage;
    this.identity = identity;
    this.send({
      op: 'CONN', id: msg.id, version, maxFrame, maxInFlight: this.env.limits.maxInFlight,
      capabilities: SERVER_CAPABILITIES, flags: identity.readOnly ? CONN_READ_ONLY : 0,
      serverName: this.env.serverName, user: identity.user,
    });
    this.decoder.setMaxFrame(maxFrame);
    this.maxFrame = maxFrame;
    this.state = 'ready';
    clearTimeout(this.handshakeTimer);
    this.idleTimer = setTimeout(() => this.onIdle(), this.env.limits.idleTimeoutMs);
    this.idleTimer.unref();
    this.logger.info('session started', {
      user: identity.user || '(anonymous)', readOnly: identity.readOnly, client: msg.clientName, maxFrame,
    });
    if (this.shuttingDown) this.afterRequest();
  }

  /**
   * The stall timeout of one request (docs/PROTOCOL.md §8): it counts only
   * while the request waits on its peer, and every frame sent or received for
   * the request starts it again, so it never fires while a transfer moves,
   * however slowly. Unlike the idle timeout it is per request: a transfer
   * whose peer stopped granting credit or sending DATA releases its file
   * instead of holding it for as long as the connection stays up.
   */
  private waitingOnPeer(request: ActiveRequest, waiting: boolean): void {
    if (!waiting) {
      clearTimeout(request.stallTimer);
      request.stallTimer = undefined;
      return;
    }
    if (request.stallTimer || request.abort.signal.aborted || this.state === 'closed') return;
    const ms = this.env.limits.stallTimeoutMs;
    request.stallTimer = setTimeout(() => {
      request.stallTimer = undefined;
      if (this.requests.get(request.id) !== request || request.abort.signal.aborted) return;
      this.logger.warn('transfer stalled: failing the request', { id: request.id, request: request.summary, ms });
      request.abort.abort(new FerryError(ErrorCode.TIMEOUT, `no progress for ${ms / 1000} s: the ${request.op} stalled`));
    }, ms);
    request.stallTimer.unref();
  }

  private onIdle(): void {
    if (this.state !== 'ready') return;
    // Never while a request (a long transfer, say) is running.
    if (this.requests.size > 0) {
      this.idleTimer?.refresh();
      return;
    }
    this.logger.warn('idle timeout: closing', { ms: this.env.limits.idleTimeoutMs });
    this.fatal(ErrorCode.TIMEOUT, `idle for ${this.env.limits.idleTimeoutMs} ms`);
  }

  // ------------------------------------------------------------------ ending

  /** A failure no request caught (a bug): it ends this session, never the server. */
  private failedInternally(during: string, error: unknown): void {
    this.logger.error('internal error: closing the session', { during, error: errorText(error) });
    this.fatal(ErrorCode.INTERNAL, 'internal server error');
  }

  /** Connection-level failure: FAIL with id 0, then close. */
  fatal(code: number, message: string): void {
    this.failAndClose(0, code, message);
  }

  private failAndClose(id: number, code: number, message: string): void {
    if (this.state === 'closed') return;
    this.send({ op: 'FAIL', id, code, message });
    this.end();
  }

  /**
   * Stops the session: running requests end as if the connection were lost
   * (an upload keeps its temporary file), the socket is closed after what was
   * written has been sent.
   */
  private end(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queuedFrames = [];
    this.dropHeldInput();
    this.releasePartialFrame();
    this.updateReading();
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.idleTimer);
    for (const request of this.requests.values()) {
      clearTimeout(request.stallTimer);
      request.stallTimer = undefined;
      request.abort.abort(SESSION_ENDED);
    }
    this.socket.end();
    // A peer that never reads would keep the socket open forever.
    this.forceTimer = setTimeout(() => this.socket.destroy(), 2000);
    this.forceTimer.unref();
    this.resolveIfFinished();
  }

  /** Who the session acts for; undefined before the handshake. */
  get account(): SessionIdentity | undefined {
    return this.identity;
  }

  /**
   * The users file changed under a running session: `read-only` refuses
   * every write from now on (running ones finish), `revoked` ends the
   * session with FAIL AUTH id 0 (running requests end as on a lost connection).
   */
  applyAccountChange(change: 'read-only' | 'revoked'): void {
    if (this.state !== 'ready' || !this.identity) return;
    if (change === 'revoked') {
      this.logger.warn('user removed or changed: ending the session', { user: this.identity.user });
      this.fatal(ErrorCode.AUTH, `the account ${this.identity.user} was removed or changed; log in again`);
    } else if (!this.identity.readOnly) {
      this.logger.info('user made read-only: refusing writes from now on', { user: this.identity.user });
      this.identity = { ...this.identity, readOnly: true };
    }
  }

  /** Server shutdown, phase one: refuse new requests, close once running ones are done. */
  beginShutdown(): void {
    this.shuttingDown = true;
    if (this.state === 'handshake') this.fatal(ErrorCode.LIMIT, 'the server is shutting down');
    else if (this.state === 'ready') this.afterRequest();
  }

  /** Server shutdown, phase two (grace period over): drop the connection now. */
  destroy(): void {
    this.end();
    this.socket.destroy();
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  get activeRequests(): number {
    return this.requests.size;
  }

  private resolveIfFinished(): void {
    if (this.socketClosed && this.requests.size === 0) {
      clearTimeout(this.forceTimer);
      this.resolveClosed();
    }
  }
}

function summarize(msg: ClientMessage): string {
  switch (msg.op) {
    case 'LIST': return `LIST ${msg.path || '/'}${msg.flags & 1 ? ' (recursive)' : ''}`;
    case 'MOVE': return `MOVE ${msg.from} → ${msg.to}`;
    case 'UPLD': return `UPLD ${msg.path} size=${msg.size} flags=${msg.flags}`;
    case 'DWLD': return `DWLD ${msg.path} offset=${msg.offset}`;
    case 'TGET': case 'TPUT': return `${msg.op} ${msg.path || '/'}`;
    case 'STAT': case 'MKDR': case 'RMDR': case 'DELF': return `${msg.op} ${msg.path || '/'}`;
    default: return msg.op;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
