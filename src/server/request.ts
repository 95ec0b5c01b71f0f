/**
 * What a request handler sees of its session: where to send frames, how to
 * wait for the socket, its cancellation signal, and the session's storage.
 */
import type { Hash } from 'node:crypto';
import type { Logger } from './log.js';
import type { Entry, ServerMessage } from '../protocol/messages.js';
import type { Storage } from './storage/storage.js';
import type { UploadRegistry } from './upload-registry.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';

/** The session's output side, shared by all its requests. */
export interface SessionOutput {
  /** Sends one non-DATA frame now (control frames never wait for credit). */
  send(msg: ServerMessage): void;
  /**
   * Sends DATA as [header, content] in this turn's batch, without copying the
   * content. `onFlushed` runs once the socket no longer needs the content.
   */
  sendData(id: number, offset: number, content: Buffer, onFlushed?: () => void): void;
  /**
   * Resolves when the socket's buffer has room and it is this writer's turn:
   * at once if it has room and nobody waits, else after the writers that
   * waited first, one at a time. Rejects when the session is gone.
   */
  writable(): Promise<void>;
  /** Negotiated frame limit (the length field's largest value). */
  readonly maxFrame: number;
}

/** Frames a transfer receives after it started (DATA, WIND, HASH for its id). */
export interface TransferInput {
  onData?(offset: number, data: Buffer): void;
  onWind?(increment: number): void;
  onHash?(hash: Buffer): void;
  /** The next item of a tree upload (TPUT). */
  onFile?(entry: Entry): void;
  /** The end of a tree upload's items (TPUT). */
  onDone?(): void;
}

export interface RequestContext {
  readonly id: number;
  /** Aborted by CANC (reason: a CANCELLED FerryError), a protocol error, or the end of the session. */
  readonly signal: AbortSignal;
  readonly storage: Storage;
  readonly output: SessionOutput;
  readonly logger: Logger;
  readonly uploads: UploadRegistry;
  readonly uploadWindow: number;
  /** Routes the request's later DATA/WIND/HASH frames to `input`. */
  receive(input: TransferInput): void;
  /**
   * Whether the request now waits on its peer (for DATA, credit, or the
   * socket to drain). While it does, the stall timeout runs, restarted by
   * every frame sent or received for the request; when it trips, the request
   * is aborted with TIMEOUT. While it does not (the server itself reads,
   * writes or commits), the timeout is off, so it never fires because the
   * server's own disk is slow.
   */
  waitingOnPeer(waiting: boolean): void;
  /** Records the content bytes a completed transfer moved, for the request's log line. */
  recordTransfer(direction: 'upload' | 'download', bytes: number, path: string): void;
  /** Records what a whole tree transfer (TGET, TPUT) moved, for the request's log line. */
  recordTree(direction: 'upload' | 'download', files: number, bytes: number, path: string): void;
}

/** The reason a request was aborted because its session ended (as opposed to CANC). */
export const SESSION_ENDED = 'session ended';

/** The error that aborted `signal`, as a FerryError. */
export function abortError(signal: AbortSignal): FerryError {
  const reason: unknown = signal.reason;
  if (reason instanceof FerryError) return reason;
  return new FerryError(ErrorCode.CONNECTION_LOST, typeof reason === 'string' ? reason : 'request aborted');
}

/** True when the request ended because the session did (no reply can be sent). */
export function endedWithSession(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason === SESSION_ENDED;
}

/**
 * True when an interrupted upload keeps its temporary file for a later
 * resume: the session ended, or the transfer stalled (TIMEOUT) — the client
 * may be back. A failure or a cancel removes it.
 */
export function keepsPartialUpload(signal: AbortSignal): boolean {
  if (endedWithSession(signal)) return true;
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  return reason instanceof FerryError && reason.code === ErrorCode.TIMEOUT;
}

/** Throws the abort error if `signal` is aborted. */
export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/**
 * Waits until `start` calls its `done`, or rejects with the abort error as soon
 * as `signal` aborts (so a cancelled request never hangs on a wait).
 */
export function waitUnlessAborted(signal: AbortSignal, start: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    start(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/**
 * `promise`, unless `signal` aborts first (then its abort error): a wait on
 * the socket must end when the request does, or a stalled peer would keep it.
 *
 * `promise` is always observed, also when `signal` is already aborted: a
 * session's promise left without a handler rejects unhandled when the session
 * ends (its waits reject then), and that would end the process, every other
 * session with it.
 */
export function unlessAborted<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    }, (error: unknown) => {
      signal.removeEventListener('abort', onAbort);
      reject(error instanceof Error ? error : new Error(String(error)));
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

export type { Hash };
