/**
 * UPLD (docs/PROTOCOL.md §6, Upload): claim the target path, open the
 * temporary file (fresh or resumed), OPEN with a credit window, then take
 * DATA in order, write it at its position, and grant WIND as writes
 * complete. On HASH: check size and SHA-256, fsync, rename into place, DONE.
 *
 * DATA that arrives while a write is running is queued and written with one
 * writev when that write completes, so many small frames cost few syscalls.
 * The queue never exceeds the window granted, which bounds memory. A small
 * file is written at once, without the thread pool.
 */
import { timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import { contentHashOf } from '../hashing/content-hash.js';
import { hashWorkers, OFF_THREAD_HASH_BYTES, type OffThreadHash } from '../hashing/hash-worker.js';
import { HASH_BYTES } from '../protocol/constants.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { ReceiveWindow } from '../protocol/flow-control.js';
import { UPLD_OVERWRITE, UPLD_RESUME, type ServerMessage, type UploadRequest } from '../protocol/messages.js';
import { abortError, checkAborted, keepsPartialUpload, type RequestContext, type TransferInput } from './request.js';
import { toFerryError } from './storage/errors.js';
import { displayPath } from './storage/paths.js';
import type { UploadFile } from './storage/storage.js';

export async function handleUpload(ctx: RequestContext, msg: UploadRequest): Promise<ServerMessage> {
  const components = ctx.storage.parse(msg.path);
  const path = displayPath(components);
  const overwrite = (msg.flags & UPLD_OVERWRITE) !== 0;
  const plan = await ctx.storage.planUpload(components, overwrite);
  if (!ctx.uploads.claim(plan.key, plan.tempReal)) {
    await plan.close();
    throw new FerryError(ErrorCode.BUSY, `another upload is writing ${path}`);
  }
  let file: UploadFile | undefined;
  let committed = false;
  try {
    file = await ctx.storage.openUpload(plan, msg.size, (msg.flags & UPLD_RESUME) !== 0);
    checkAborted(ctx.signal);
    const receiver = new UploadReceiver(ctx, file, msg.size, new UploadCredit(ctx, ctx.uploadWindow, 'until-hash'), ctx.signal);
    ctx.receive(receiver);
    ctx.output.send({
      op: 'OPEN', id: ctx.id, offset: file.offset, size: msg.size, mtimeMs: msg.mtimeMs, mode: msg.mode,
      prefixHash: file.prefixHash, window: ctx.uploadWindow,
    });
    const clientHash = await receiver.finished;
    // Read first, whatever the checks find: it also ends the hash's use of the worker.
    const received = await receiver.digest();
    if (receiver.received !== msg.size) {
      throw new FerryError(ErrorCode.SIZE_MISMATCH, `received ${receiver.received} of ${msg.size} bytes for ${path}`);
    }
    if (!timingSafeEqual(received, clientHash)) {
      throw new FerryError(ErrorCode.HASH_MISMATCH, `the content received for ${path} does not match its hash`);
    }
    await file.commit(msg.mtimeMs, msg.mode, overwrite);
    committed = true;
    ctx.recordTransfer('upload', msg.size - file.offset, path);
    return { op: 'DONE', id: ctx.id };
  } catch (error) {
    if (file && !committed) {
      // An interrupted or stalled upload stays resumable; a failed or cancelled one is removed.
      if (keepsPartialUpload(ctx.signal)) await file.abandon();
      else await file.discard();
    }
    throw error;
  } finally {
    ctx.uploads.release(plan.key, plan.tempReal);
    await plan.close();
  }
}

/**
 * Whether a large upload is hashed on the worker thread. Its bytes come from
 * the socket, not from a shared buffer, so each frame is copied once more and
 * posted to the worker: on two cores, with the client on the same machine,
 * that cost more CPU on this thread than hashing here (docs/PERFORMANCE.md,
 * "Large files"). FERRYD_UPLOAD_HASH_WORKER=1 or 0 forces the choice (read
 * per upload, so a test can take either path).
 */
function uploadHashesOffThread(): boolean {
  const forced = process.env.FERRYD_UPLOAD_HASH_WORKER;
  return forced === undefined ? CORES > 2 : forced === '1';
}

const CORES = os.availableParallelism();

/** Files at most this large are written synchronously: a page-cache write takes microseconds. */
const WRITE_NOW_BYTES = 256 * 1024;

/**
 * The credit granted to the client for a request's DATA (docs/PROTOCOL.md
 * §5): the OPEN window, plus a WIND for every byte written. An UPLD stops
 * granting once the file's HASH is in; a tree upload's files share one credit
 * and keep granting until the request ends.
 */
export class UploadCredit {
  private readonly window: ReceiveWindow;

  constructor(private readonly ctx: RequestContext, window: number, private readonly grants: 'until-hash' | 'always') {
    // A tree of small files would otherwise cost a WIND per file, so a tree grants by the
    // quarter-window rule; an UPLD grants each write.
    this.window = new ReceiveWindow(window, grants === 'always' ? 'quarter' : 'each');
  }

  /** Spends `bytes` of credit; false (nothing spent) when the client sent more than it was granted. */
  spend(bytes: number): boolean {
    return this.window.receive(bytes);
  }

  get left(): number {
    return this.window.available;
  }

  /** `bytes` are written: the client may send that much more (granted, and counted, once the WIND goes out). */
  give(bytes: number, hashIn: boolean): void {
    if (hashIn && this.grants === 'until-hash') return;
    const increment = this.window.consumed(bytes);
    if (increment > 0) this.ctx.output.send({ op: 'WIND', id: this.ctx.id, increment });
  }
}

/** Takes one file's DATA and HASH, writes them to its temporary file, and resolves with the client's hash. */
export class UploadReceiver implements TransferInput {
  /** Bytes of the file received so far, i.e. the offset the next DATA must carry. */
  received: number;
  readonly finished: Promise<Buffer>;
  private queue: Buffer[] = [];
  private queueBytes = 0;
  /** File position of the queue's first byte. */
  private queueStart: number;
  private writing = false;
  private clientHash: Buffer | undefined;
  private settled = false;
  /**
   * A large file from its first byte is hashed on the worker thread, as
   * ferryd's downloads are: beside the socket and the writes instead of in
   * series with them. A resumed file's hash already holds its prefix and
   * continues on this thread.
   */
  private readonly offThread: OffThreadHash | undefined;
  /** The worker's last update: the worker hashes in order, so when it resolves all earlier bytes are hashed. */
  private hashed: Promise<void> | undefined;
  /**
   * A small file from its first byte keeps its content (already written, at
   * most WRITE_NOW_BYTES) and hashes it at the end in one call: for a tree of
   * thousands of small files, a hash object per file costs more than hashing.
   */
  private smallContent: Buffer[] | undefined;
  /**
   * The client's hash once every byte is written (what `finished` resolves
   * with), for callers that cannot wait; set only when the file's own hash
   * can be read at once too (`digestNow`).
   */
  completedHash: Buffer | undefined;
  private resolveFinished!: (hash: Buffer) => void;
  private rejectFinished!: (error: FerryError) => void;

  /**
   * `signal`: the UPLD's own request, whose abort fails the file and whose
   * stall timeout this receiver switches (on while the client is to send, off
   * while the server writes). A tree upload's files have none: the tree calls
   * `fail` and keeps the stall timeout on for the whole request itself.
   */
  private readonly ownRequest: boolean;

  constructor(
    private readonly ctx: RequestContext,
    private readonly file: UploadFile,
    private readonly size: number,
    private readonly credit: UploadCredit,
    signal?: AbortSignal,
  ) {
    this.ownRequest = signal !== undefined;
    this.received = file.offset;
    this.queueStart = file.offset;
    this.finished = new Promise<Buffer>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    this.finished.catch(() => undefined);
    if (file.offset === 0 && size >= OFF_THREAD_HASH_BYTES && uploadHashesOffThread()) this.offThread = hashWorkers.start();
    else if (file.offset === 0 && size <= WRITE_NOW_BYTES) this.smallContent = [];
    signal?.addEventListener('abort', () => this.fail(abortError(signal)), { once: true });
    // Created as OPEN is sent: from now on the client is to send DATA.
    if (this.ownRequest) ctx.waitingOnPeer(true);
  }

  onData(offset: number, data: Buffer): void {
    if (this.settled) return;
    if (this.clientHash) return this.fail(new FerryError(ErrorCode.BAD_FRAME, 'DATA after the upload\'s HASH'));
    if (offset !== this.received) {
      return this.fail(new FerryError(ErrorCode.BAD_FRAME, `DATA at offset ${offset}, expected ${this.received}`));
    }
    if (this.received + data.length > this.size) {
      return this.fail(new FerryError(ErrorCode.SIZE_MISMATCH, `DATA goes beyond the declared size of ${this.size} bytes`));
    }
    if (!this.credit.spend(data.length)) {
      return this.fail(new FerryError(ErrorCode.BAD_FRAME, `DATA of ${data.length} bytes exceeds the credit of ${this.credit.left}`));
    }
    if (data.length === 0) return;
    if (this.offThread) this.hashed = this.offThread.update(data);
    else if (this.smallContent) this.smallContent.push(data);
    else this.file.hash.update(data);
    this.received += data.length;
    this.queue.push(data);
    this.queueBytes += data.length;
    this.pump();
  }

  onHash(hash: Buffer): void {
    if (this.settled) return;
    if (this.clientHash) return this.fail(new FerryError(ErrorCode.BAD_FRAME, 'a second HASH for the upload'));
    if (hash.length !== HASH_BYTES) return this.fail(new FerryError(ErrorCode.BAD_FRAME, 'HASH of the wrong length'));
    this.clientHash = Buffer.from(hash);
    // All that is left (the last writes, fsync, rename) is the server's own work.
    this.ctx.waitingOnPeer(false);
    this.finishIfDone();
  }

  private pump(): void {
    if (this.writing || this.queueBytes === 0 || this.settled) return;
    const buffers = this.queue;
    const bytes = this.queueBytes;
    const position = this.queueStart;
    this.queue = [];
    this.queueBytes = 0;
    this.queueStart += bytes;
    if (this.size <= WRITE_NOW_BYTES) {
      try {
        this.file.writeNow(buffers, position);
      } catch (error) {
        this.fail(toFerryError(error, displayPath(this.file.plan.components)));
        return;
      }
      this.written(bytes);
      return;
    }
    this.writing = true;
    // A slow disk is not a stalled client: no stall timeout while the server writes.
    this.ctx.waitingOnPeer(false);
    // Credit goes back once the bytes are both written and hashed, so a lagging
    // worker slows the client instead of queueing copies without bound.
    const written = this.file.write(buffers, position);
    (this.hashed ? Promise.all([written, this.hashed]) : written).then(() => {
      this.writing = false;
      this.written(bytes);
    }, (error: unknown) => {
      this.writing = false;
      this.fail(toFerryError(error, displayPath(this.file.plan.components)));
    });
  }

  private written(bytes: number): void {
    if (this.settled) return;
    this.credit.give(bytes, this.clientHash !== undefined);
    this.pump();
    if (this.ownRequest && !this.writing && !this.clientHash) this.ctx.waitingOnPeer(true);
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.settled || !this.clientHash || this.writing || this.queueBytes > 0) return;
    this.settled = true;
    if (!this.offThread) this.completedHash = this.clientHash;
    this.resolveFinished(this.clientHash);
  }

  /** SHA-256 of the file's content as received (call once, after `finished`). */
  digest(): Promise<Buffer> {
    return this.offThread ? this.offThread.digest() : Promise.resolve(this.digestNow());
  }

  /** `digest` at once, for a file hashed on this thread (one with `completedHash`). */
  digestNow(): Buffer {
    if (this.offThread) throw new Error('digestNow on a file hashed by the worker');
    return this.smallContent ? contentHashOf(this.smallContent) : this.file.hash.digest();
  }

  /** Ends the file with `error` (the request's own failure, or the tree's). */
  fail(error: FerryError): void {
    if (this.settled) return;
    this.settled = true;
    this.queue = [];
    this.queueBytes = 0;
    this.offThread?.drop();
    this.smallContent = undefined;
    this.rejectFinished(error);
  }
}
