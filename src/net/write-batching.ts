/**
 * Batches what is written to a socket during one turn of the event loop into
 * one write. Without it every frame is its own `write` system call and its own
 * small TCP segment: a small file's download is three frames, and a tree of
 * thousands of small files finishes dozens of requests per turn, each one
 * reply or more. The socket is corked at the first write of a turn and
 * uncorked by `setImmediate`, which runs after the I/O callbacks and promise
 * continuations of that turn, so everything they wrote leaves in one writev.
 *
 * Nothing is copied (corked chunks are gathered, not concatenated), and
 * backpressure is unchanged: `write` still returns false and `'drain'` still
 * fires by the socket's buffered length, which counts corked chunks.
 */
import type { Writable } from 'node:stream';

/** What the batcher needs of a socket. */
type CorkableWriter = Pick<Writable, 'cork' | 'uncork' | 'write'>;

export class TurnBatchedWriter {
  private corked = false;
  private readonly flush = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(private readonly socket: CorkableWriter) {}

  /** Writes `chunk` in this turn's batch; same return value as `Writable.write`. */
  write(chunk: Uint8Array, onFlushed?: () => void): boolean {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.flush);
    }
    return onFlushed ? this.socket.write(chunk, () => onFlushed()) : this.socket.write(chunk);
  }
}

/**
 * The same batching for a socket that a library writes to itself: ssh2 sends
 * every SSH packet with its own `socket.write`, and a tree of small files over
 * SFTP is thousands of small requests, each a system call and a TCP segment
 * of its own without this. The socket's `write` is replaced on this one
 * object only; what the batcher writes goes to the original.
 */
export function batchWritesPerTurn<T extends Writable>(socket: T): T {
  const write = socket.write.bind(socket) as CorkableWriter['write'];
  const batcher = new TurnBatchedWriter({ cork: () => socket.cork(), uncork: () => socket.uncork(), write });
  socket.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
    const done = rest.find((each): each is () => void => typeof each === 'function');
    return batcher.write(chunk, done);
  }) as T['write'];
  return socket;
}
