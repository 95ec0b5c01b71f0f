/**
 * A frame-level client for server tests: sends any bytes, and hands back the
 * server's frames one at a time, so tests can check exactly what is on the wire.
 */
import net from 'node:net';
import { createHash } from 'node:crypto';
import {
  decodeServerMessage, encodeMessage, encodeMessageToBuffer, FrameDecoder,
} from '../../src/protocol/codec.js';
import { DEFAULT_MAX_FRAME, HANDSHAKE_MAX_FRAME } from '../../src/protocol/constants.js';
import { errorCodeName } from '../../src/protocol/errors.js';
import type {
  ClientMessage, ConnReply, ConnRequest, Entry, ServerMessage,
} from '../../src/protocol/messages.js';
import type { ServerOptions } from '../../src/server/server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

export class RawClient {
  private readonly decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME);
  private readonly inbox: ServerMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private decodeError: Error | undefined;
  ended = false;
  readonly closed: Promise<void>;
  private nextId = 100;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.decoder.push(chunk)) {
          const msg = decodeServerMessage(frame);
          this.inbox.push(msg);
          if (msg.op === 'CONN') this.decoder.setMaxFrame(msg.maxFrame);
        }
      } catch (error) {
        this.decodeError = error as Error;
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.ended = true;
      this.wake();
      resolve();
    }));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Connects and completes an anonymous handshake. */
  static async open(port: number, conn: Partial<ConnRequest> = {}): Promise<RawClient> {
    const client = await RawClient.connect(port);
    const reply = await client.handshake(conn);
    if (reply.op !== 'CONN') {
      throw new Error(`handshake failed: ${errorCodeName(reply.code)} ${reply.message}`);
    }
    return client;
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter();
  }

  id(): number {
    return this.nextId++;
  }

  send(msg: ClientMessage): void {
    for (const part of encodeMessage(msg)) this.socket.write(part);
  }

  sendRaw(bytes: Buffer | string): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes.replace(/\s+/g, ''), 'hex') : bytes);
  }

  async handshake(conn: Partial<ConnRequest> = {}): Promise<ConnReply | Extract<ServerMessage, { op: 'FAIL' }>> {
    this.send({
      op: 'CONN', id: 1, minVersion: 1, maxVersion: 1, maxFrame: DEFAULT_MAX_FRAME,
      capabilities: ['sha256', 'resume', 'list-recursive'], authMethod: 'none', user: '', secret: '',
      clientName: 'raw-test', ...conn,
    });
    const reply = await this.next();
    if (reply.op !== 'CONN' && reply.op !== 'FAIL') throw new Error(`unexpected ${reply.op}`);
    return reply;
  }

  /** The next frame (optionally: the next one matching `match`, others stay queued). */
  async next(match?: (msg: ServerMessage) => boolean, timeoutMs = 10_000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = match ? this.inbox.findIndex(match) : (this.inbox.length > 0 ? 0 : -1);
      if (at >= 0) return this.inbox.splice(at, 1)[0]!;
      if (this.decodeError) throw this.decodeError;
      if (this.ended) throw new Error('connection closed while waiting for a frame');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const waiter = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          this.waiters.delete(waiter);
          resolve();
        }, left);
        this.waiters.add(waiter);
      });
    }
  }

  /** The next frame for request `id`. */
  nextFor(id: number, timeoutMs?: number): Promise<ServerMessage> {
    return this.next((msg) => msg.id === id, timeoutMs);
  }

  /** Sends a request and returns its first reply frame. */
  async request(msg: ClientMessage): Promise<ServerMessage> {
    this.send(msg);
    return this.nextFor(msg.id);
  }

  /** LIST to the end; returns the entries and the number of ENTS frames. */
  async list(path: string, flags = 0): Promise<{ entries: Entry[]; frames: number }> {
    const id = this.id();
    this.send({ op: 'LIST', id, path, flags });
    const entries: Entry[] = [];
    let frames = 0;
    for (;;) {
      const msg = await this.nextFor(id);
      if (msg.op === 'FAIL') throw Object.assign(new Error(msg.message), { code: msg.code });
      if (msg.op !== 'ENTS') throw new Error(`unexpected ${msg.op}`);
      frames++;
      entries.push(...msg.entries);
      if (msg.flags & 1) return { entries, frames };
    }
  }

  /** A whole download with a generous window; returns content, hash and frames seen. */
  async download(path: string, offset = 0, prefixHash: Buffer = Buffer.alloc(0)): Promise<
    { content: Buffer; hash: Buffer; open: ServerMessage } | { fail: Extract<ServerMessage, { op: 'FAIL' }> }> {
    const id = this.id();
    this.send({ op: 'DWLD', id, path, offset, prefixHash, window: 64 * 1024 * 1024 });
    const open = await this.nextFor(id);
    if (open.op === 'FAIL') return { fail: open };
    if (open.op !== 'OPEN') throw new Error(`unexpected ${open.op}`);
    const parts: Buffer[] = [];
    for (;;) {
      const msg = await this.nextFor(id);
      if (msg.op === 'DATA') {
        parts.push(Buffer.from(msg.data));
        this.send({ op: 'WIND', id, increment: msg.data.length });
      } else if (msg.op === 'HASH') {
        return { content: Buffer.concat(parts), hash: Buffer.from(msg.hash), open };
      } else if (msg.op === 'FAIL') {
        return { fail: msg };
      } else {
        throw new Error(`unexpected ${msg.op}`);
      }
    }
  }

  /** A whole upload of `content`; returns the final frame. */
  async upload(path: string, content: Buffer, flags = 0, opts: { mtimeMs?: number; mode?: number } = {}): Promise<ServerMessage> {
    const id = this.id();
    this.send({ op: 'UPLD', id, path, size: content.length, mtimeMs: opts.mtimeMs ?? 0, mode: opts.mode ?? 0, flags });
    const open = await this.nextFor(id);
    if (open.op !== 'OPEN') return open;
    await this.sendContent(id, content, open.offset, open.window);
    this.send({ op: 'HASH', id, hash: sha256(content) });
    return this.next((msg) => msg.id === id && msg.op !== 'WIND');
  }

  /** Sends content[from..] as DATA frames within the credit, reading WIND as it comes. */
  async sendContent(id: number, content: Buffer, from: number, window: number, frameBytes = 256 * 1024): Promise<void> {
    let credit = window;
    let at = from;
    while (at < content.length) {
      while (credit <= 0) {
        const msg = await this.nextFor(id);
        if (msg.op === 'WIND') credit += msg.increment;
        else throw new Error(`unexpected ${msg.op} during upload: ${JSON.stringify(msg)}`);
      }
      const length = Math.min(frameBytes, credit, content.length - at);
      this.send({ op: 'DATA', id, offset: at, data: content.subarray(at, at + length) });
      at += length;
      credit -= length;
    }
  }

  async quit(): Promise<void> {
    if (this.ended) return;
    const id = this.id();
    this.send({ op: 'QUIT', id });
    await this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * Runs `fn` with a fresh test server (started with `opts`) and an anonymous
 * session on it; the session quits after `fn`, and the server is cleaned up
 * even when `fn` throws.
 */
export async function withServer(
  fn: (srv: TestServer, client: RawClient) => Promise<void>, opts: Partial<ServerOptions> = {},
): Promise<void> {
  const srv = await startTestServer(opts);
  try {
    const client = await RawClient.open(srv.port);
    await fn(srv, client);
    await client.quit();
  } finally {
    await srv.cleanup();
  }
}

/** A FAIL's numeric error code, or the op of any other frame, to assert either in one comparison. */
export function codeOf(msg: ServerMessage): number | string {
  return msg.op === 'FAIL' ? msg.code : msg.op;
}

/** Like codeOf, but a FAIL gives its code's name (`'TIMEOUT'`), so the assertion and its failure output read as words. */
export function codeNameOf(msg: ServerMessage): string {
  return msg.op === 'FAIL' ? errorCodeName(msg.code) : msg.op;
}

export function sha256(content: Buffer): Buffer {
  return createHash('sha256').update(content).digest();
}

export { encodeMessageToBuffer };
