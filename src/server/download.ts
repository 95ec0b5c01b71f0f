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
import { checkAborted, waitUnlessAborted, type RequestContext } from './request.js';
import { displayPath } from './storage/paths.js';
import type { ReadableFile } from './storage/storage.js';
import { bufferPool } from './buffer-pool.js';

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

  const maxContent = output.maxFrame - (DATA_HEADER_BYTES - 4);
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
      hash.update(slot.view(bytesRead));
      let sent = 0;
      while (sent < bytesRead) {
        if (credit <= 0) {
          await waitUnlessAborted(signal, (done) => {
            wakeForCredit = done;
          });
        }
        await output.writable();
        checkAborted(signal);
        const length = Math.min(bytesRead - sent, credit, maxContent);
        const last = sent + length === bytesRead;
        output.sendData(id, chunkStart + sent, slot.view(bytesRead).subarray(sent, sent + length),
          last ? slot.flushedCallback() : undefined);
        credit -= length;
        sent += length;
      }
      position = chunkEnd;
    }
  } finally {
    for (const slot of slots) slot.release();
  }
  ctx.recordTransfer('download', size - msg.offset, path);
  return { op: 'HASH', id, hash: hash.digest() };
}

/** Below this many bytes left, a download reads into a buffer of its own size instead of a pooled chunk. */
const SMALL_READ_BYTES = 128 * 1024;

/**
 * One reusable read buffer of a download. It may be refilled only after the
 * socket has flushed every DATA frame that points into it, and goes back to
 * the pool only when neither a read nor the socket uses it any more.
 */
class BufferSlot {
  private buffer: Buffer | undefined;
  private pooled = false;
  private reading = false;
  private referencedBySocket = false;
  private released = false;
  private wakeOnFlush: (() => void) | undefined;

  async fill(file: ReadableFile, position: number, size: number, signal: AbortSignal): Promise<number> {
    if (this.referencedBySocket) {
      await waitUnlessAborted(signal, (done) => {
        this.wakeOnFlush = done;
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

  /** Marks the buffer as referenced by the socket until the returned callback runs. */
  flushedCallback(): () => void {
    this.referencedBySocket = true;
    return () => {
      this.referencedBySocket = false;
      const wake = this.wakeOnFlush;
      this.wakeOnFlush = undefined;
      wake?.();
      this.returnIfUnused();
    };
  }

  /** The download is over: the buffer goes back to the pool once nothing uses it. */
  release(): void {
    this.released = true;
    this.returnIfUnused();
  }

  private returnIfUnused(): void {
    if (!this.released || this.reading || this.referencedBySocket || !this.buffer) return;
    if (this.pooled) bufferPool.give(this.buffer);
    this.buffer = undefined;
  }
}
