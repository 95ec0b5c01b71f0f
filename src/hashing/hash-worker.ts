/**
 * SHA-256 of large downloads on a worker thread. Hashing a big file costs
 * about as much CPU as sending it; on the main thread it would run in series
 * with the socket writes, on a worker it runs beside them. The read buffers
 * are backed by SharedArrayBuffer (buffer-pool.ts), so a chunk reaches the
 * worker without a copy; the download reuses a buffer only after both the
 * socket and the worker are done with it.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCode, FerryError } from '../protocol/errors.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'start') hashes.set(m.id, createHash('sha256'));
  else if (m.type === 'update') {
    hashes.get(m.id)?.update(m.bytes);
    parentPort.postMessage({ type: 'updated', id: m.id });
  } else if (m.type === 'digest') {
    const hash = hashes.get(m.id);
    hashes.delete(m.id);
    parentPort.postMessage({ type: 'digest', id: m.id, digest: hash ? hash.digest() : null });
  } else if (m.type === 'drop') hashes.delete(m.id);
});
`;

type Reply = { type: 'updated'; id: number } | { type: 'digest'; id: number; digest: Uint8Array | null };

interface Pending {
  updates: (() => void)[];
  digest?: { resolve: (digest: Buffer) => void; reject: (error: Error) => void };
  fail: (error: Error) => void;
}

class HashWorkerPool {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (reply: Reply) => {
      const entry = this.pending.get(reply.id);
      if (!entry) return;
      if (reply.type === 'updated') entry.updates.shift()?.();
      else {
        this.forget(reply.id);
        if (reply.digest) entry.digest?.resolve(Buffer.from(reply.digest));
        else entry.digest?.reject(new Error('hash state lost'));
      }
    });
    const failAll = (error: Error): void => {
      this.worker = undefined;
      for (const entry of this.pending.values()) entry.fail(error);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', () => failAll(new Error('hash worker exited')));
    // Referenced only while hashes are running, so an idle worker never keeps the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private forget(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }

  start(): OffThreadHash {
    const worker = this.ensure();
    const id = this.nextId++;
    const entry: Pending = { updates: [], fail: () => undefined };
    this.pending.set(id, entry);
    worker.ref();
    worker.postMessage({ type: 'start', id });
    return new OffThreadHash(worker, id, entry, () => this.forget(id));
  }
}

/** One running hash on the worker. */
export class OffThreadHash {
  private failure: Error | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly id: number,
    private readonly entry: Pending,
    private readonly forget: () => void,
  ) {
    entry.fail = (error) => {
      this.failure = error;
      for (const wake of entry.updates.splice(0)) wake();
      entry.digest?.reject(error);
    };
  }

  /**
   * Feeds `bytes`; resolves once the worker no longer needs them. Bytes in a
   * SharedArrayBuffer are shared, others are copied on the way.
   */
  update(bytes: Buffer): Promise<void> {
    if (this.failure) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.entry.updates.push(resolve);
      this.worker.postMessage({ type: 'update', id: this.id, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) });
    });
  }

  digest(): Promise<Buffer> {
    if (this.failure) return Promise.reject(internal(this.failure));
    return new Promise<Buffer>((resolve, reject) => {
      this.entry.digest = { resolve, reject: (error) => reject(internal(error)) };
      this.worker.postMessage({ type: 'digest', id: this.id });
    });
  }

  /** Drops the hash (the download ended early). */
  drop(): void {
    this.forget();
    if (!this.failure) this.worker.postMessage({ type: 'drop', id: this.id });
  }
}

function internal(error: Error): FerryError {
  return new FerryError(ErrorCode.INTERNAL, `hashing failed: ${error.message}`, { cause: error });
}

export const hashWorkers = new HashWorkerPool();
