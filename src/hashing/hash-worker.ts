/**
 * SHA-256 of large transfers on a worker thread, used by ferryd's downloads
 * and by the client's. Hashing a big file costs about as much CPU as moving
 * it; on the main thread it would run in series with the socket and disk
 * work, on a worker it runs beside them. Bytes backed by a SharedArrayBuffer
 * (ferryd's read buffers, src/server/buffer-pool.ts) reach the worker without
 * a copy, and their owner reuses them only once `update` resolves; other
 * bytes are copied once into a buffer handed over to the worker.
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
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

/**
 * node:worker_threads is loaded with the first worker, not with this module:
 * a command that moves no large file (`ferry ls`, a tree of small files)
 * never needs it, and compiling it is part of every command's start-up.
 */
const requireBuiltin = createRequire(import.meta.url);

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
    const { Worker: WorkerThread } = requireBuiltin('node:worker_threads') as typeof import('node:worker_threads');
    const worker = new WorkerThread(WORKER_SOURCE, { eval: true });
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
   * Feeds `bytes`; resolves once the worker has hashed them (so shared bytes
   * may be reused, and the caller can bound how far the worker lags behind).
   */
  update(bytes: Buffer): Promise<void> {
    if (this.failure) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.entry.updates.push(resolve);
      if (bytes.buffer instanceof SharedArrayBuffer) {
        this.worker.postMessage({ type: 'update', id: this.id, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) });
      } else {
        // Posting a view would clone its whole backing buffer (often a larger socket read):
        // copy exactly these bytes once and hand the copy over.
        const copy = new Uint8Array(bytes);
        this.worker.postMessage({ type: 'update', id: this.id, bytes: copy }, [copy.buffer]);
      }
    });
  }

  digest(): Promise<Buffer> {
    if (this.failure) return Promise.reject(internal(this.failure));
    return new Promise<Buffer>((resolve, reject) => {
      this.entry.digest = { resolve, reject: (error) => reject(internal(error)) };
      this.worker.postMessage({ type: 'digest', id: this.id });
    });
  }

  /**
   * Drops the hash (the transfer ended early). Pending `update`s resolve now:
   * their bytes no longer matter, and their owners must not wait on a reply
   * that is no longer routed to them.
   */
  drop(): void {
    for (const wake of this.entry.updates.splice(0)) wake();
    this.forget();
    if (!this.failure) this.worker.postMessage({ type: 'drop', id: this.id });
  }
}

function internal(error: Error): FerryError {
  return new FerryError(ErrorCode.INTERNAL, `hashing failed: ${error.message}`, { cause: error });
}

export const hashWorkers = new HashWorkerPool();

/** Transfers at least this large are hashed on the worker; below it the round trips cost more than they save. */
export const OFF_THREAD_HASH_BYTES = 4 * 1024 * 1024;
