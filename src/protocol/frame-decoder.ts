/**
 * Cuts a byte stream into frames, as ws's receiver does: a state machine over
 * buffered chunks that checks the length limit before allocating anything.
 *
 * A frame is `u32 length | 4-byte opcode | u32 request id | payload`, where
 * length counts everything after itself.
 */
import { ErrorCode, FerryError, badFrame } from './errors.js';
import { MIN_FRAME_LENGTH } from './constants.js';
import { MAX_U32 } from './bytes.js';

/** A frame cut from the stream, payload not yet interpreted. */
export interface RawFrame {
  op: string;
  id: number;
  /**
   * The bytes after the header. A view into the pushed chunk when the frame
   * lay inside one chunk, otherwise a buffer of its own; the decoder never
   * writes to it.
   */
  payload: Buffer;
}

/**
 * Cuts a byte stream into frames. Feed it socket chunks with `push`; it
 * returns the frames completed by that chunk. The limit may be raised after
 * the handshake with `setMaxFrame`.
 *
 * Memory: a frame that lies inside one pushed chunk is returned as a view of
 * that chunk (no copy); a frame spread over several chunks is copied once, into
 * a buffer allocated only when all of its bytes have arrived. Pushed chunks
 * must not be modified afterwards.
 *
 * Errors: a length field below 8 (BAD_FRAME) or above the limit
 * (FRAME_TOO_LARGE) throws as soon as its four bytes are in, before the frame's
 * bytes are awaited. The stream cannot be resynchronised after that, so the
 * decoder stays failed: every later `push` throws the same error. Frames
 * completed earlier in the failing chunk are dropped with it (the connection
 * is being closed anyway).
 */
export class FrameDecoder {
  /** Unconsumed chunks; `chunks[head]` is the oldest, of which `headOffset` bytes are consumed. */
  private chunks: Buffer[] = [];
  private head = 0;
  private headOffset = 0;
  private buffered = 0;
  /** Length field of the frame being collected, or -1 while its 4 length bytes are awaited. */
  private frameLength = -1;
  private maxFrame: number;
  private failure: FerryError | undefined;

  /** @param maxFrame largest accepted value of the length field */
  constructor(maxFrame: number) {
    this.maxFrame = checkMaxFrame(maxFrame);
  }

  /** Changes the limit for frames whose length field has not been read yet. */
  setMaxFrame(maxFrame: number): void {
    this.maxFrame = checkMaxFrame(maxFrame);
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    // The length field of a frame being collected is already consumed but still pending.
    return this.frameLength < 0 ? this.buffered : this.buffered + 4;
  }

  /** Length field of the frame being collected (opcode, id and payload), or 0 between frames. */
  get partialFrameLength(): number {
    return Math.max(this.frameLength, 0);
  }

  push(chunk: Uint8Array): RawFrame[] {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const frames: RawFrame[] = [];
    for (;;) {
      if (this.frameLength < 0) {
        if (this.buffered < 4) break;
        this.frameLength = this.readLength();
      }
      if (this.buffered < this.frameLength) break;
      const body = this.take(this.frameLength);
      this.frameLength = -1;
      frames.push({
        op: body.toString('latin1', 0, 4),
        id: body.readUInt32BE(4),
        payload: body.subarray(MIN_FRAME_LENGTH),
      });
    }
    this.dropConsumedChunks();
    return frames;
  }

  /** Consumes and checks the 4-byte length field. */
  private readLength(): number {
    const length = this.take(4).readUInt32BE(0);
    if (length < MIN_FRAME_LENGTH) {
      this.failure = badFrame(`frame length ${length} is shorter than the ${MIN_FRAME_LENGTH} bytes of opcode and request id`);
    } else if (length > this.maxFrame) {
      this.failure = new FerryError(
        ErrorCode.FRAME_TOO_LARGE, `frame length ${length} exceeds the limit of ${this.maxFrame}`,
      );
    }
    if (this.failure) throw this.failure;
    return length;
  }

  /** Removes `n` buffered bytes from the front: a view when they lie in one chunk, else one copy. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[this.head]!;
    const available = first.length - this.headOffset;
    if (available >= n) {
      const out = first.subarray(this.headOffset, this.headOffset + n);
      this.advance(first, n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head]!;
      const take = Math.min(chunk.length - this.headOffset, n - filled);
      chunk.copy(out, filled, this.headOffset, this.headOffset + take);
      filled += take;
      this.advance(chunk, take);
    }
    return out;
  }

  private advance(chunk: Buffer, n: number): void {
    this.headOffset += n;
    if (this.headOffset === chunk.length) {
      this.head++;
      this.headOffset = 0;
    }
  }

  /** Forgets fully consumed chunks in one step (not one array shift per chunk). */
  private dropConsumedChunks(): void {
    if (this.head === 0) return;
    if (this.head === this.chunks.length) this.chunks = [];
    else this.chunks = this.chunks.slice(this.head);
    this.head = 0;
  }
}

function checkMaxFrame(maxFrame: number): number {
  if (!Number.isInteger(maxFrame) || maxFrame < MIN_FRAME_LENGTH || maxFrame > MAX_U32) {
    throw new RangeError(`frame limit ${maxFrame} is not an integer in ${MIN_FRAME_LENGTH}..${MAX_U32}`);
  }
  return maxFrame;
}
