/**
 * One Ferry session's connection, client side: it owns the socket and the
 * frame decoder, hands out request ids, keeps at most `maxInFlight` requests
 * open (later ones wait their turn instead of earning BUSY), routes every
 * frame to the request it belongs to, and closes with a reason. When the
 * socket drops, every pending request learns it through
 * `onConnectionLost(CONNECTION_LOST)`.
 *
 * It knows frames, not operations: what a request sends and which frame ends
 * it is the caller's business (src/client).
 */
import type net from 'node:net';
import {
  decodeServerMessage, encodeDataHeader, encodeMessage, FrameDecoder,
} from '../protocol/codec.js';
import { DEFAULT_MAX_IN_FLIGHT, HANDSHAKE_MAX_FRAME } from '../protocol/constants.js';
import { ErrorCode, FerryError, errorCodeName } from '../protocol/errors.js';
import type { ClientMessage, ServerMessage } from '../protocol/messages.js';
import { RequestIdAllocator } from './request-ids.js';
import { TurnBatchedWriter } from '../net/write-batching.js';

/** Receives the frames of one request. */
export interface RequestHandler {
  onMessage(msg: ServerMessage): void;
  /** The connection ended while the request was open; called at most once. */
  onConnectionLost(error: FerryError): void;
}

/** An open request: its id, and `finish()` once its final frame has arrived. */
export interface RequestSlot {
  readonly id: number;
  finish(): void;
}

type CloseListener = (error?: FerryError) => void;

interface Waiter {
  start: () => void;
  cancel: (error: FerryError) => void;
}

export class Connection {
  private readonly decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME);
  private readonly output: TurnBatchedWriter;
  private readonly ids = new RequestIdAllocator();
  private readonly handlers = new Map<number, RequestHandler>();
  private readonly waiting: Waiter[] = [];
  private readonly closeListeners = new Set<CloseListener>();
  private drainPromise: Promise<void> | undefined;
  private resolveDrain: (() => void) | undefined;
  private closedWith: { error?: FerryError } | undefined;
  /** Largest frame we may send (the length field's value); the handshake raises it. */
  sendMaxFrame = HANDSHAKE_MAX_FRAME;
  maxInFlight = DEFAULT_MAX_IN_FLIGHT;
  /** True once the caller has announced QUIT: the server's close is then expected. */
  private quitting = false;
  /** Whether a frame went out since the last `sentSinceLastCheck` (what a server's idle timeout sees). */
  private sentSinceCheck = false;

  constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    this.output = new TurnBatchedWriter(socket);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error: Error) => {
      this.shutdown(new FerryError(ErrorCode.CONNECTION_LOST, `connection error: ${error.message}`, { cause: error }));
    });
    socket.on('close', () => {
      this.shutdown(this.quitting ? undefined : new FerryError(ErrorCode.CONNECTION_LOST, 'the server closed the connection'));
    });
    socket.on('drain', () => {
      this.drainPromise = undefined;
      this.resolveDrain?.();
      this.resolveDrain = undefined;
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Requests open right now (including ones waiting for their final frame after a cancel). */
  get openRequests(): number {
    return this.handlers.size;
  }

  /** Applies what the handshake settled: the frame limit both ways and the in-flight limit. */
  configure(settings: { maxFrame: number; maxInFlight: number }): void {
    this.decoder.setMaxFrame(settings.maxFrame);
    this.sendMaxFrame = settings.maxFrame;
    this.maxInFlight = Math.max(1, settings.maxInFlight);
    this.startWaiting();
  }

  /**
   * Routes frames with `id` to `handler` without counting against the
   * in-flight limit; for the handshake, whose id is chosen by the caller.
   */
  registerFixed(id: number, handler: RequestHandler): RequestSlot {
    this.handlers.set(id, handler);
    return { id, finish: () => this.handlers.delete(id) };
  }

  /**
   * Opens a request: allocates an id and routes its frames to `handler`. Waits
   * while `maxInFlight` requests are open. Rejects with CANCELLED if `signal`
   * aborts first, CONNECTION_LOST if the connection is gone.
   */
  begin(handler: RequestHandler, signal?: AbortSignal): Promise<RequestSlot> {
    if (this.closedWith) return Promise.reject(this.lostError());
    if (signal?.aborted) return Promise.reject(new FerryError(ErrorCode.CANCELLED, 'cancelled'));
    if (this.ids.size < this.maxInFlight && this.waiting.length === 0) {
      return Promise.resolve(this.open(handler));
    }
    return new Promise<RequestSlot>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new FerryError(ErrorCode.CANCELLED, 'cancelled'));
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.open(handler));
        },
        cancel: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private open(handler: RequestHandler): RequestSlot {
    const id = this.ids.allocate();
    this.handlers.set(id, handler);
    let finished = false;
    return {
      id,
      finish: () => {
        if (finished) return;
        finished = true;
        this.handlers.delete(id);
        this.ids.release(id);
        this.startWaiting();
      },
    };
  }

  private startWaiting(): void {
    while (this.waiting.length > 0 && this.ids.size < this.maxInFlight && !this.closedWith) {
      this.waiting.shift()!.start();
    }
  }

  /**
   * Sends one message. Returns false when the socket's buffer is full; the
   * caller may keep going (the bytes are queued) but a bulk sender should
   * await `drained()` first.
   */
  send(msg: ClientMessage): boolean {
    if (this.closedWith) return false;
    this.sentSinceCheck = true;
    let ok = true;
    for (const part of encodeMessage(msg)) ok = this.output.write(part);
    return ok;
  }

  /**
   * Sends a DATA frame as [header, content], never copying the content. Same
   * return value as `send`.
   */
  sendData(id: number, offset: number, content: Buffer): boolean {
    if (this.closedWith) return false;
    this.sentSinceCheck = true;
    this.output.write(encodeDataHeader(id, offset, content.length));
    return this.output.write(content);
  }

  /** Whether anything was sent since the previous call (the first call counts from the start). */
  sentSinceLastCheck(): boolean {
    const sent = this.sentSinceCheck;
    this.sentSinceCheck = false;
    return sent;
  }

  /** Resolves when the socket's write buffer has room again (at once if it has). */
  drained(): Promise<void> {
    if (this.closedWith) return Promise.reject(this.lostError());
    if (!this.socket.writableNeedDrain) return Promise.resolve();
    this.drainPromise ??= new Promise<void>((resolve) => {
      this.resolveDrain = resolve;
    });
    return this.drainPromise;
  }

  /** The next close of the socket is the expected end of a QUIT, not a loss. */
  expectClose(): void {
    this.quitting = true;
  }

  /** Calls `listener` once when the connection ends, with the reason unless it was a quit. */
  onClose(listener: CloseListener): () => void {
    if (this.closedWith) {
      const { error } = this.closedWith;
      queueMicrotask(() => listener(error));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /**
   * Ends the connection now. Pending requests fail with CONNECTION_LOST whose
   * message carries `reason`; no reason means an orderly end.
   */
  close(reason?: FerryError | string): void {
    const error = reason === undefined ? undefined
      : reason instanceof FerryError ? reason
        : new FerryError(ErrorCode.CONNECTION_LOST, reason);
    this.shutdown(error);
  }

  private receive(chunk: Buffer): void {
    if (this.closedWith) return;
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.shutdown(asLost(error, 'the server sent a malformed frame'));
      return;
    }
    for (const frame of frames) {
      let msg: ServerMessage;
      try {
        msg = decodeServerMessage(frame);
      } catch (error) {
        this.shutdown(asLost(error, `the server sent a malformed ${JSON.stringify(frame.op)} frame`));
        return;
      }
      const handler = this.handlers.get(msg.id);
      if (handler) {
        handler.onMessage(msg);
      } else if (msg.id === 0 && msg.op === 'FAIL') {
        // A connection-level FAIL: the server is about to close.
        this.shutdown(new FerryError(
          ErrorCode.CONNECTION_LOST,
          `the server closed the connection: ${errorCodeName(msg.code)}: ${msg.message}`,
          { cause: new FerryError(msg.code, msg.message) },
        ));
        return;
      }
      // Anything else for an id not in flight crossed a final frame on the wire: ignored.
      if (this.closedWith) return;
    }
  }

  private lostError(): FerryError {
    const error = this.closedWith?.error;
    if (error?.code === ErrorCode.CONNECTION_LOST) return error;
    return new FerryError(
      ErrorCode.CONNECTION_LOST,
      error ? `the connection is closed: ${error.toString()}` : 'the connection is closed',
      error ? { cause: error } : undefined,
    );
  }

  private shutdown(error: FerryError | undefined): void {
    if (this.closedWith) return;
    this.closedWith = error ? { error } : {};
    this.socket.destroy();
    this.resolveDrain?.();
    this.resolveDrain = undefined;
    const lost = this.lostError();
    for (const waiter of this.waiting.splice(0)) waiter.cancel(lost);
    const handlers = [...this.handlers.values()];
    this.handlers.clear();
    for (const handler of handlers) handler.onConnectionLost(lost);
    for (const listener of this.closeListeners) listener(error);
    this.closeListeners.clear();
  }
}

function asLost(error: unknown, what: string): FerryError {
  const detail = error instanceof FerryError ? error.toString() : String(error);
  return new FerryError(ErrorCode.CONNECTION_LOST, `${what}: ${detail}`, { cause: error });
}
