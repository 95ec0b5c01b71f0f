/**
 * A raw connection for the live fuzzer: writes any bytes, reads the server's
 * frames with the reference decoder, and counts a server frame that does not
 * decode as a protocol violation by the server.
 */
import net from 'node:net';
import { FrameDecoder, MAX_MAX_FRAME, decodeServerMessage } from '../src/protocol/index.js';
import type { ServerMessage } from '../src/protocol/index.js';

export interface ProbeStats {
  /** Server frames that were not valid Ferry (must stay 0). */
  malformedServerFrames: number;
  /** Hex of the first malformed server frames, for the report. */
  malformedSamples: string[];
  /** FAIL codes received, by code. */
  failCodes: Map<number, number>;
  serverFrames: number;
}

export function newProbeStats(): ProbeStats {
  return { malformedServerFrames: 0, malformedSamples: [], failCodes: new Map(), serverFrames: 0 };
}

export class Probe {
  readonly closed: Promise<void>;
  private readonly socket: net.Socket;
  private readonly decoder = new FrameDecoder(MAX_MAX_FRAME);
  private readonly received: ServerMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private isClosed = false;
  private destroyedHere = false;
  /** Bytes of DATA content received, for jail-breach checks. */
  readonly dataChunks: Buffer[] = [];
  private dataBytes = 0;

  private constructor(socket: net.Socket, private readonly stats: ProbeStats) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true;
      this.wake();
      resolve();
    }));
    socket.on('error', () => { /* resets and broken pipes are what fuzzing provokes */ });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  static open(port: number, localAddress: string, stats: ProbeStats, timeoutMs = 3000): Promise<Probe | undefined> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(undefined);
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new Probe(socket, stats));
      });
      socket.once('error', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }

  get isOpen(): boolean {
    return !this.isClosed && !this.socket.destroyed;
  }

  /** Writes bytes unless the connection is gone; resolves when they are handed to the kernel. */
  send(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Stops reading from the socket, so the server's writes back up (a client that never reads). */
  pauseReading(): void {
    this.socket.pause();
  }

  /** The first received message that matches, waiting up to `timeoutMs`. */
  async waitFor(match: (m: ServerMessage) => boolean, timeoutMs: number): Promise<ServerMessage | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || !this.isOpen) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const waiters = this.waiters;
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  /** Waits for the server to close the connection; false when it is still open after `timeoutMs`. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.closed.then(() => true), timedOut]);
    clearTimeout(timer);
    return result;
  }

  /** True when this side ended the connection (not the server). */
  get destroyedLocally(): boolean {
    return this.destroyedHere;
  }

  destroy(): void {
    this.destroyedHere = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.malformed(chunk, error);
      return;
    }
    for (const frame of frames) {
      let message: ServerMessage;
      try {
        message = decodeServerMessage(frame);
      } catch (error) {
        this.malformed(frame.payload, error);
        return;
      }
      this.stats.serverFrames++;
      if (message.op === 'FAIL') this.stats.failCodes.set(message.code, (this.stats.failCodes.get(message.code) ?? 0) + 1);
      if (message.op === 'DATA' && this.dataBytes < 1 << 20) {
        this.dataChunks.push(Buffer.from(message.data));
        this.dataBytes += message.data.length;
      }
      // Keep only what scenarios wait for; DATA content is not needed beyond the breach check.
      if (message.op !== 'DATA' && this.received.length < 10_000) this.received.push(message);
    }
    this.wake();
  }

  private malformed(bytes: Buffer, error: unknown): void {
    this.stats.malformedServerFrames++;
    if (this.stats.malformedSamples.length < 5) {
      this.stats.malformedSamples.push(`${String(error)}: ${bytes.subarray(0, 64).toString('hex')}`);
    }
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
