/**
 * The shape every client request shares: open a request id, send the first
 * frame, wait for replies until the final one. A FAIL becomes a FerryError with
 * the server's code; an AbortSignal sends CANC and rejects with CANCELLED at
 * once, while the id stays reserved until the server's final frame (so it is
 * not reused while stale frames may still arrive).
 */
import type { Connection, RequestSlot } from '../connection/connection.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import type { ClientMessage, ServerMessage } from '../protocol/messages.js';

export interface Exchange<T> {
  /** The request's first frame. */
  first(id: number): ClientMessage;
  /**
   * Interprets a reply other than FAIL: `{ result }` when it is the final frame,
   * `{ error }` when it is the final frame but the request fails all the same
   * (the reply held something the client refuses), `undefined` to wait for
   * more. Returning `false` marks a frame this request never expects (the
   * connection is then closed: the server broke the protocol).
   */
  reply(msg: ServerMessage): { result: T } | { error: FerryError } | undefined | false;
}

export function cancelledError(): FerryError {
  return new FerryError(ErrorCode.CANCELLED, 'cancelled');
}

export function failError(msg: { code: number; message: string }): FerryError {
  return new FerryError(msg.code, msg.message);
}

/** Closes the connection because the server sent something this request cannot accept. */
export function protocolViolation(connection: Connection, what: string): FerryError {
  const error = new FerryError(ErrorCode.BAD_FRAME, `the server broke the protocol: ${what}`);
  connection.close(error);
  return error;
}

export function runExchange<T>(connection: Connection, exchange: Exchange<T>, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let slot: RequestSlot | undefined;
    let settled = false;
    let cancelled = false;

    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      if (!slot || cancelled) return;
      cancelled = true;
      connection.send({ op: 'CANC', id: slot.id });
      settle(() => reject(cancelledError()));
    };

    connection.begin({
      onMessage(msg) {
        if (msg.op === 'FAIL') {
          slot?.finish();
          settle(() => reject(failError(msg)));
          return;
        }
        let outcome: ReturnType<Exchange<T>['reply']>;
        try {
          outcome = exchange.reply(msg);
        } catch (error) {
          // A reply this request refuses (an unsafe listed name): the server cannot be trusted further.
          slot?.finish();
          const failure = error instanceof FerryError ? error : new FerryError(ErrorCode.BAD_FRAME, String(error));
          connection.close(failure);
          settle(() => reject(failure));
          return;
        }
        if (outcome === false) {
          slot?.finish();
          const error = protocolViolation(connection, `unexpected ${msg.op} reply`);
          settle(() => reject(error));
        } else if (outcome && 'error' in outcome) {
          slot?.finish();
          settle(() => reject(outcome.error));
        } else if (outcome) {
          slot?.finish();
          settle(() => resolve(outcome.result));
        }
      },
      onConnectionLost(error) {
        settle(() => reject(error));
      },
    }, signal).then((opened) => {
      slot = opened;
      connection.send(exchange.first(opened.id));
      if (signal) {
        signal.addEventListener('abort', onAbort, { once: true });
        if (signal.aborted) onAbort();
      }
    }, (error: unknown) => settle(() => reject(error)));
  });
}
