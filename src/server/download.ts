/**
 * DWLD (docs/PROTOCOL.md §6, Download): OPEN, DATA within the client's
 * credit, then HASH of the whole file as the final frame.
 *
 * Speed with flat memory: the file is read in large chunks into two pooled
 * buffers (one being sent while the next is read), each chunk goes out as
 * DATA frames of [header, view of the buffer] without a copy, and a buffer is
 * reused only after the socket has flushed it. Sending waits for both credit
 * and the socket's 'drain', so a transfer never fills the socket unboundedly
 * and other requests' frames (a LIST reply) get through between chunks.
 */
import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { DATA_HEADER_BYTES, HASH_BYTES } from '../protocol/constants.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { SendWindow } from '../protocol/flow-control.js';
import type { DownloadRequest, ServerMessage } from '../protocol/messages.js';
import { checkAborted, unlessAborted, waitUnlessAborted, type RequestContext } from './request.js';
import { displayPath } from './storage/paths.js';
import type { ReadableFile } from './storage/storage.js';
import { bufferPool } from './buffer-pool.js';
import { hashWorkers } from '../hashing/hash-worker.js';

/** Files at least this large are hashed on the worker thread. */
const OFF_THREAD_HASH_BYTES = 4 * 1024 * 1024;

/** At most this much left to send, within the credit and one DATA frame: one synchronous read (see sendContent). */
const SMALL_FILE_BYTES = 64 * 1024;

export async function handleDownload(ctx: RequestContext, msg: DownloadRequest): Promise<ServerMessage> {
  if (msg.offset === 0 && msg.prefixHash.length !== 0) {
    throw new FerryError(ErrorCode.BAD_FRAME, 'DWLD: a prefix hash needs an offset above 0');
  }
  if (msg.offset > 0 && msg.prefixHash.length !== HASH_BYTES) {
    throw new FerryError(ErrorCode.BAD_FRAME, 'DWLD: resuming at an offset needs the prefix hash');
  }
  const components = ctx.storage.parse(msg.path);
  const file = await ctx.storage.openForReading(components);
  try {
    return await sendFile(ctx, msg, file, displayPath(components));
  } finally {
    await file.close();
  }
}

async function sendFile(
  ctx: RequestContext, msg: DownloadRequest, file: ReadableFile, path: string,
): Promise<ServerMessage> {
  const { id, signal, output } = ctx;
  const { size } = file;
  if (msg.offset > size) {
    throw new FerryError(ErrorCode.SIZE_MISMATCH, `offset ${msg.offset} is beyond the end of ${path} (${size} bytes)`);
  }
  const hash = createHash('sha256');
  if (msg.offset > 0) {
    // One session's resumes take turns with each other and with other sessions' (storage/work-gate.ts).
    await file.hashPrefix(msg.offset, hash, ctx.output, signal);
    checkAborted(signal);
    if (!timingSafeEqual(hash.copy().digest(), msg.prefixHash)) {
      throw new FerryError(ErrorCode.HASH_MISMATCH, `the first ${msg.offset} bytes differ from ${path}`);
    }
  }
  const credit = new ContentCredit(ctx, msg.window);
  output.send({
    op: 'OPEN', id, offset: msg.offset, size, mtimeMs: file.mtimeMs, mode: file.mode,
    prefixHash: EMPTY, window: 0,
  });
  const digest = await sendContent(ctx, file, msg.offset, hash, credit, path);
  ctx.recordTransfer('download', size - msg.offset, path);
  return { op: 'HASH', id, hash: digest };
}

/**
 * The credit a client grants for one request's DATA (docs/PROTOCOL.md §5):
 * the initial window plus every WIND for the request. A tree download's files
 * share one.
 */
export class ContentCredit {
  private readonly window: SendWindow;
  private wake: (() => void) | undefined;

  constructor(private readonly ctx: RequestContext, window: number) {
    this.window = new SendWindow(window);
    ctx.receive({
      onWind: (increment) => {
        this.window.grant(increment);
        this.wake?.();
        this.wake = undefined;
      },
    });
  }

  /** Bytes that may be sent right now. */
  get now(): number {
    return this.window.available;
  }

  /** Waits for some credit; rejects with the abort error if the request is aborted first. */
  async some(): Promise<void> {
    if (this.window.available > 0) return;
    await waitUnlessAborted(this.ctx.signal, (done) => {
      this.wake = done;
    });
  }

  spend(bytes: number): void {
    this.window.spend(bytes);
  }
}

/**
 * Sends bytes `from`..size of `file` as DATA within `credit`, feeding them to
 * `hash` (which already holds any prefix), and returns the digest.
 *
 * The rest of a small file that fits the credit and one frame takes one
 * synchronous read and one DATA frame, sent in the same socket write as the
 * frames around it (the session batches each turn's writes): a tree of
 * thousands of small files is made of little else, so every thread-pool round
 * trip saved there counts thousands of times. Larger files stream through two
 * pooled buffers.
 */
export async function sendContent(
  ctx: RequestContext, file: ReadableFile, from: number, hash: Hash, credit: ContentCredit, path: string,
): Promise<Buffer> {
  const { id, signal, output } = ctx;
  const { size } = file;
  const maxContent = output.maxFrame - (DATA_HEADER_BYTES - 4);
  const remaining = size - from;
  if (remaining <= Math.min(SMALL_FILE_BYTES, credit.now, maxContent)) {
    const content = Buffer.allocUnsafe(remaining);
    for (let filled = 0; filled < remaining;) {
      const bytesRead = file.readNow(content.subarray(filled), remaining - filled, from + filled);
      if (bytesRead === 0) throw new FerryError(ErrorCode.SIZE_MISMATCH, `${path} became shorter during the download`);
      filled += bytesRead;
    }
    hash.update(content);
    if (remaining > 0) {
      output.sendData(id, from, content);
      credit.spend(remaining);
    }
    return hash.digest();
  }

  // From here on the download moves only as fast as the client grants credit and reads the socket.
  ctx.waitingOnPeer(true);

  // Large files from the start are hashed on the worker, beside the socket writes; a resumed
  // download's hash already holds its prefix and continues here.
  const offThread = from === 0 && size >= OFF_THREAD_HASH_BYTES ? hashWorkers.start() : undefined;
  const slots = [new BufferSlot(), new BufferSlot()];
  let position = from;
  try {
    let next = position < size ? slots[0]!.fill(file, position, size, signal) : undefined;
    next?.catch(() => undefined);
    let slotIndex = 0;
    while (next) {
      const slot = slots[slotIndex]!;
      const bytesRead = await next;
      checkAborted(signal);
      if (bytesRead === 0) {
        throw new FerryError(ErrorCode.SIZE_MISMATCH, `${path} became shorter during the download`);
      }
      const chunkStart = position;
      const chunkEnd = chunkStart + bytesRead;
      // Read the following chunk while this one is sent.
      slotIndex = 1 - slotIndex;
      next = chunkEnd < size ? slots[slotIndex]!.fill(file, chunkEnd, size, signal) : undefined;
      // If this chunk's sending fails, the read-ahead's outcome is of no interest.
      next?.catch(() => undefined);
      if (offThread) {
        const done = slot.hold();
        void offThread.update(slot.view(bytesRead)).then(done);
      } else {
        hash.update(slot.view(bytesRead));
      }
      let sent = 0;
      while (sent < bytesRead) {
        await credit.some();
        await unlessAborted(signal, output.writable());
        checkAborted(signal);
        const length = Math.min(bytesRead - sent, credit.now, maxContent);
        const last = sent + length === bytesRead;
        output.sendData(id, chunkStart + sent, slot.view(bytesRead).subarray(sent, sent + length),
          last ? slot.hold() : undefined);
        credit.spend(length);
        sent += length;
      }
      position = chunkEnd;
    }
  } catch (error) {
    offThread?.drop();
    throw error;
  } finally {
    for (const slot of slots) slot.release();
  }
  return offThread ? offThread.digest() : hash.digest();
}

const EMPTY = Buffer.alloc(0);

/** Below this many bytes left, a download reads into a buffer of its own size instead of a pooled chunk. */
const SMALL_READ_BYTES = 128 * 1024;

/**
 * One reusable read buffer of a download. It may be refilled only after the
 * socket has flushed every DATA frame that points into it and the hash worker
 * has read it; it goes back to the pool only when nothing uses it any more.
 */
class BufferSlot {
  private buffer: Buffer | undefined;
  private pooled = false;
  private reading = false;
  private uses = 0;
  private released = false;
  private waiters: (() => void)[] = [];

  async fill(file: ReadableFile, position: number, size: number, signal: AbortSignal): Promise<number> {
    if (this.uses > 0) {
      await waitUnlessAborted(signal, (done) => {
        this.waiters.push(done);
      });
    }
    const wanted = size - position;
    if (!this.buffer) {
      this.pooled = wanted > SMALL_READ_BYTES;
      this.buffer = this.pooled ? bufferPool.take() : Buffer.allocUnsafe(wanted);
    }
    this.reading = true;
    try {
      return await file.read(this.buffer, Math.min(this.buffer.length, wanted), position);
    } finally {
      this.reading = false;
      this.returnIfUnused();
    }
  }

  view(length: number): Buffer {
    return this.buffer!.subarray(0, length);
  }

  /** Marks the buffer as used (by the socket or the hash worker) until the returned function runs. */
  hold(): () => void {
    this.uses++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.uses--;
      if (this.uses > 0) return;
      for (const wake of this.waiters.splice(0)) wake();
      this.returnIfUnused();
    };
  }

  /** The download is over: the buffer goes back to the pool once nothing uses it. */
  release(): void {
    this.released = true;
    this.returnIfUnused();
  }

  private returnIfUnused(): void {
    if (!this.released || this.reading || this.uses > 0 || !this.buffer) return;
    if (this.pooled) bufferPool.give(this.buffer);
    this.buffer = undefined;
  }
}
