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
import { createHash, timingSafeEqual } from 'node:crypto';
import { DATA_HEADER_BYTES, HASH_BYTES } from '../protocol/constants.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import type { DownloadRequest, ServerMessage } from '../protocol/messages.js';
import { checkAborted, unlessAborted, waitUnlessAborted, type RequestContext } from './request.js';
import { displayPath } from './storage/paths.js';
import type { ReadableFile } from './storage/storage.js';
import { bufferPool } from './buffer-pool.js';
import { hashWorkers } from '../hashing/hash-worker.js';

/** Files at least this large are hashed on the worker thread. */
const OFF_THREAD_HASH_BYTES = 4 * 1024 * 1024;

/**
 * At most this much left to send, in one DATA frame within the client's
 * credit: read at once and sent as OPEN, DATA, HASH together (see sendSmallFile).
 */
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
    await file.hashPrefix(msg.offset, hash);
    checkAborted(signal);
    if (!timingSafeEqual(hash.copy().digest(), msg.prefixHash)) {
      throw new FerryError(ErrorCode.HASH_MISMATCH, `the first ${msg.offset} bytes differ from ${path}`);
    }
  }

  const maxContent = output.maxFrame - (DATA_HEADER_BYTES - 4);
  const remaining = size - msg.offset;
  if (remaining <= Math.min(SMALL_FILE_BYTES, msg.window, maxContent)) {
    return sendSmallFile(ctx, msg, file, path, hash);
  }

  let credit = msg.window;
  let wakeForCredit: (() => void) | undefined;
  ctx.receive({
    onWind(increment) {
      credit += increment;
      wakeForCredit?.();
      wakeForCredit = undefined;
    },
  });

  output.send({
    op: 'OPEN', id, offset: msg.offset, size, mtimeMs: file.mtimeMs, mode: file.mode,
    prefixHash: Buffer.alloc(0), window: 0,
  });
  // From here on the download moves only as fast as the client grants credit and reads the socket.
  ctx.waitingOnPeer(true);

  // Large files from the start are hashed on the worker, beside the socket writes; a resumed
  // download's hash already holds its prefix and continues here.
  const offThread = msg.offset === 0 && size >= OFF_THREAD_HASH_BYTES ? hashWorkers.start() : undefined;
  const slots = [new BufferSlot(), new BufferSlot()];
  let position = msg.offset;
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
        if (credit <= 0) {
          await waitUnlessAborted(signal, (done) => {
            wakeForCredit = done;
          });
        }
        await unlessAborted(signal, output.writable());
        checkAborted(signal);
        const length = Math.min(bytesRead - sent, credit, maxContent);
        const last = sent + length === bytesRead;
        output.sendData(id, chunkStart + sent, slot.view(bytesRead).subarray(sent, sent + length),
          last ? slot.hold() : undefined);
        credit -= length;
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
  const digest = offThread ? await offThread.digest() : hash.digest();
  ctx.recordTransfer('download', size - msg.offset, path);
  return { op: 'HASH', id, hash: digest };
}

/**
 * The rest of a small file fits the client's credit and one DATA frame: one
 * synchronous read, and the three frames go out together (the session sends
 * what a turn of the event loop wrote as one socket write). A tree of
 * thousands of small files is made of little else, so every thread-pool round
 * trip and every separate socket write saved here counts thousands of times.
 */
function sendSmallFile(
  ctx: RequestContext, msg: DownloadRequest, file: ReadableFile, path: string, hash: ReturnType<typeof createHash>,
): ServerMessage {
  const { id, output } = ctx;
  const remaining = file.size - msg.offset;
  const content = Buffer.allocUnsafe(remaining);
  let filled = 0;
  while (filled < remaining) {
    const bytesRead = file.readNow(content.subarray(filled), remaining - filled, msg.offset + filled);
    if (bytesRead === 0) throw new FerryError(ErrorCode.SIZE_MISMATCH, `${path} became shorter during the download`);
    filled += bytesRead;
  }
  hash.update(content);
  output.send({
    op: 'OPEN', id, offset: msg.offset, size: file.size, mtimeMs: file.mtimeMs, mode: file.mode,
    prefixHash: EMPTY, window: 0,
  });
  if (remaining > 0) output.sendData(id, msg.offset, content);
  ctx.recordTransfer('download', remaining, path);
  return { op: 'HASH', id, hash: hash.digest() };
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
