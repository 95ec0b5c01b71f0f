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

export class TurnBatchedWriter {
  private corked = false;
  private readonly flush = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(private readonly socket: Writable) {}

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
