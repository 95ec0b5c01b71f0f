/**
 * Many SFTP requests in flight at once, as OpenSSH's sftp does (64 × 32 KiB
 * by default): one request per round trip would leave a link idle most of the
 * time. The pieces of a byte range are issued in order with at most `depth`
 * outstanding and settle in order, so the caller always knows how far the
 * range is done without a gap — what a cut transfer can resume from.
 */
import { cancelledError } from '../../client/exchange.js';

export interface PipelineOptions {
  start: number;
  end: number;
  /** Bytes per request. */
  chunk: number;
  /** Requests outstanding at most. */
  depth: number;
  signal?: AbortSignal | undefined;
  /** Moves the bytes [offset, offset + length) completely, or throws. */
  step(offset: number, length: number): Promise<void>;
  /** The next `length` bytes after everything before them are done. */
  onDone(length: number): void;
}

/**
 * Runs the range. On a failure or an abort no further request is issued;
 * those in flight settle (a piece before the failure still counts in onDone),
 * then the first error, or CANCELLED, is thrown.
 */
export async function runPipeline(options: PipelineOptions): Promise<void> {
  const { end, chunk, depth, signal, step, onDone } = options;
  const inFlight: { length: number; outcome: Promise<unknown> }[] = [];
  let next = options.start;
  let failure: unknown;
  for (;;) {
    while (failure === undefined && !signal?.aborted && next < end && inFlight.length < depth) {
      const length = Math.min(chunk, end - next);
      // Every outcome is awaited below; the catch keeps a later piece's failure from going unhandled meanwhile.
      inFlight.push({ length, outcome: step(next, length).then(() => undefined, (error: unknown) => error ?? new Error('failed')) });
      next += length;
    }
    const head = inFlight.shift();
    if (!head) break;
    const error = await head.outcome;
    if (error !== undefined) failure ??= error;
    else if (failure === undefined) onDone(head.length);
  }
  if (failure !== undefined) throw failure;
  if (signal?.aborted) throw cancelledError();
}
