/**
 * The Ferry codec: frames ⇄ bytes. Pure: no sockets, no clocks.
 *
 * A frame is `u32 length | 4-byte opcode | u32 request id | payload`, where
 * length counts everything after itself. `FrameDecoder` cuts a byte stream
 * into frames (a state machine over buffered chunks that checks the length
 * limit before allocating anything, as ws's receiver does); `decodeMessage`
 * and `encodeMessage` translate one frame's payload. Every malformed input
 * becomes a FerryError with code BAD_FRAME, FRAME_TOO_LARGE or UNSUPPORTED,
 * never another exception. Encoding a message that cannot be represented on
 * the wire (a value out of range, a string too long) is a programming error
 * and throws RangeError before anything is allocated.
 */
import { isUtf8 } from 'node:buffer';
import { ErrorCode, FerryError, badFrame } from './errors.js';
import {
  DATA_HEADER_BYTES, FRAME_HEADER_BYTES, HASH_BYTES, MAGIC, MAX_FAIL_MESSAGE_BYTES, MIN_ENTRY_BYTES,
  MIN_FRAME_LENGTH,
} from './constants.js';
import type {
  ClientMessage, Direction, Entry, EntryKind, Message, ServerMessage,
} from './messages.js';

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

/** Largest frame-length limit a decoder accepts: the length field is a u32. */
const MAX_U32 = 0xffff_ffff;

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

// ------------------------------------------------------------------ payload reading

/** The largest high 32 bits of a u64 that JavaScript represents exactly (2^53-1 = 0x1fffff_ffffffff). */
const U64_SAFE_HIGH = 0x1f_ffff;

/** Big-endian u32 at `at`; the caller has checked the bounds. */
function readU32(buf: Buffer, at: number): number {
  return buf[at]! * 0x100_0000 + ((buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!);
}

/** Whether bytes start..end are all below 0x80 (ASCII, so valid UTF-8 as they are). */
function isAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! > 0x7f) return false;
  return true;
}

/**
 * Reads primitive fields from a payload; every short read is BAD_FRAME. `what`
 * names the field for the error message (built only when there is an error).
 */
class PayloadReader {
  private offset = 0;

  constructor(private readonly buf: Buffer, private readonly op: string) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.offset) throw badFrame(`${this.op}: payload ends inside ${what}`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.offset++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** u64 as a JavaScript number: values above 2^53-1 cannot be represented exactly and are refused. */
  u64(what: string): number {
    this.need(8, what);
    const high = this.buf.readUInt32BE(this.offset);
    const low = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    if (high > U64_SAFE_HIGH) {
      throw badFrame(`${this.op}: ${what} 0x${high.toString(16)}${low.toString(16).padStart(8, '0')} exceeds 2^53-1`);
    }
    return high * 0x1_0000_0000 + low;
  }

  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  str(what: string): string {
    const length = this.u16(what);
    const raw = this.bytes(length, what);
    if (!isUtf8(raw)) throw badFrame(`${this.op}: ${what} is not valid UTF-8`);
    // toString keeps a leading U+FEFF (TextDecoder would strip it and change the string).
    return raw.toString('utf8');
  }

  strList(what: string): string[] {
    const count = this.u16(what);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.str(what));
    return out;
  }

  /** u8 length (0 or 32) + digest. */
  optionalHash(what: string): Buffer {
    const length = this.u8(what);
    if (length !== 0 && length !== HASH_BYTES) {
      throw badFrame(`${this.op}: ${what} length ${length} is neither 0 nor ${HASH_BYTES}`);
    }
    return this.bytes(length, what);
  }

  entry(): Entry {
    const name = this.str('entry name');
    const kind = this.u8('entry kind');
    if (kind > 3) throw badFrame(`${this.op}: entry kind ${kind} is unknown`);
    return {
      name,
      kind: kind as EntryKind,
      size: this.u64('entry size'),
      mtimeMs: this.u64('entry mtime'),
      mode: this.u32('entry mode'),
    };
  }

  /**
   * `count` listing entries: the hot path of a large listing (100 000 entries
   * of a big folder go through here), so the usual entry, a plain-ASCII name
   * with fields in range, is read straight from the bytes instead of through
   * one checked method call per field. Anything else (a non-ASCII name, a
   * payload cut short, a kind above 3, a u64 above 2^53-1) is read by
   * `entry()`, which applies every rule of the slow path and names what is
   * wrong; both read the same bytes the same way, so the result does not
   * depend on which path an entry took.
   */
  entries(count: number): Entry[] {
    const buf = this.buf;
    const end = buf.length;
    const entries: Entry[] = [];
    for (let i = 0; i < count; i++) {
      const at = this.offset;
      if (at + MIN_ENTRY_BYTES > end) {
        entries.push(this.entry());
        continue;
      }
      const nameStart = at + 2;
      const nameEnd = nameStart + ((buf[at]! << 8) | buf[at + 1]!);
      const fieldsEnd = nameEnd + MIN_ENTRY_BYTES - 2;
      if (fieldsEnd > end || !isAscii(buf, nameStart, nameEnd)) {
        entries.push(this.entry());
        continue;
      }
      const kind = buf[nameEnd]!;
      const sizeHigh = readU32(buf, nameEnd + 1);
      const mtimeHigh = readU32(buf, nameEnd + 9);
      if (kind > 3 || sizeHigh > U64_SAFE_HIGH || mtimeHigh > U64_SAFE_HIGH) {
        entries.push(this.entry());
        continue;
      }
      entries.push({
        // ASCII reads the same as Latin-1 and UTF-8, and needs no validation.
        name: buf.toString('latin1', nameStart, nameEnd),
        kind: kind as EntryKind,
        size: sizeHigh * 0x1_0000_0000 + readU32(buf, nameEnd + 5),
        mtimeMs: mtimeHigh * 0x1_0000_0000 + readU32(buf, nameEnd + 13),
        mode: readU32(buf, nameEnd + 17),
      });
      this.offset = fieldsEnd;
    }
    return entries;
  }

  rest(): Buffer {
    const out = this.buf.subarray(this.offset);
    this.offset = this.buf.length;
    return out;
  }

  end(): void {
    if (this.offset !== this.buf.length) {
      throw badFrame(`${this.op}: ${this.buf.length - this.offset} unexpected bytes after the payload`);
    }
  }
}

// ------------------------------------------------------------------ payload writing

/**
 * Where a message's fields go. The layout of every message is written once
 * (`writeFields`) against this interface and run twice: first with a
 * `SizeCounter`, which also validates every value, then with a `BufferWriter`
 * into a buffer of exactly that size. One allocation, no intermediate parts.
 */
interface FieldSink {
  u8(v: number): this;
  u16(v: number): this;
  u32(v: number): this;
  u64(v: number): this;
  bytes(v: Uint8Array): this;
  str(v: string): this;
  strList(v: string[]): this;
  optionalHash(v: Uint8Array): this;
  entry(e: Entry): this;
  /** The entries of an ENTS frame, one after another (what `entry` does for each, faster). */
  entries(list: readonly Entry[]): this;
}

/** A string with an unpaired surrogate has no UTF-8 form; Buffer would silently replace it with U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/u;

function checkUint(v: number, max: number, bits: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${v} is not a u${bits}`);
}

class SizeCounter implements FieldSink {
  size = 0;

  u8(v: number): this {
    checkUint(v, 0xff, 8);
    this.size += 1;
    return this;
  }

  u16(v: number): this {
    checkUint(v, 0xffff, 16);
    this.size += 2;
    return this;
  }

  u32(v: number): this {
    checkUint(v, MAX_U32, 32);
    this.size += 4;
    return this;
  }

  u64(v: number): this {
    checkUint(v, Number.MAX_SAFE_INTEGER, 64);
    this.size += 8;
    return this;
  }

  bytes(v: Uint8Array): this {
    this.size += v.length;
    return this;
  }

  str(v: string): this {
    const length = Buffer.byteLength(v, 'utf8');
    if (length > 0xffff) throw new RangeError(`string of ${length} bytes does not fit a u16 length`);
    if (LONE_SURROGATE.test(v)) throw new RangeError(`string ${JSON.stringify(v)} is not valid Unicode`);
    this.size += 2 + length;
    return this;
  }

  strList(v: string[]): this {
    this.u16(v.length);
    for (const s of v) this.str(s);
    return this;
  }

  optionalHash(v: Uint8Array): this {
    if (v.length !== 0 && v.length !== HASH_BYTES) {
      throw new RangeError(`an optional hash has 0 or ${HASH_BYTES} bytes, not ${v.length}`);
    }
    this.size += 1 + v.length;
    return this;
  }

  entry(e: Entry): this {
    if (e.kind > 3) throw new RangeError(`entry kind ${e.kind} is unknown`);
    return this.str(e.name).u8(e.kind).u64(e.size).u64(e.mtimeMs).u32(e.mode);
  }

  entries(list: readonly Entry[]): this {
    for (const e of list) {
      const length = Buffer.byteLength(e.name, 'utf8');
      // A name as long in bytes as in UTF-16 units is plain ASCII: no surrogate to look for.
      if (length !== e.name.length || length > 0xffff) {
        this.entry(e);
        continue;
      }
      if (e.kind > 3) throw new RangeError(`entry kind ${e.kind} is unknown`);
      checkUint(e.kind, 0xff, 8);
      checkUint(e.size, Number.MAX_SAFE_INTEGER, 64);
      checkUint(e.mtimeMs, Number.MAX_SAFE_INTEGER, 64);
      checkUint(e.mode, MAX_U32, 32);
      this.size += MIN_ENTRY_BYTES + length;
    }
    return this;
  }
}

/** Writes already validated fields; `SizeCounter` ran first, so no checks here. */
class BufferWriter implements FieldSink {
  constructor(private readonly buf: Buffer, private at: number) {}

  u8(v: number): this {
    this.buf[this.at++] = v;
    return this;
  }

  u16(v: number): this {
    this.at = this.buf.writeUInt16BE(v, this.at);
    return this;
  }

  u32(v: number): this {
    this.at = this.buf.writeUInt32BE(v, this.at);
    return this;
  }

  u64(v: number): this {
    this.at = writeU64(this.buf, v, this.at);
    return this;
  }

  bytes(v: Uint8Array): this {
    this.buf.set(v, this.at);
    this.at += v.length;
    return this;
  }

  str(v: string): this {
    const written = this.buf.write(v, this.at + 2, 'utf8');
    this.buf.writeUInt16BE(written, this.at);
    this.at += 2 + written;
    return this;
  }

  strList(v: string[]): this {
    this.u16(v.length);
    for (const s of v) this.str(s);
    return this;
  }

  optionalHash(v: Uint8Array): this {
    return this.u8(v.length).bytes(v);
  }

  entry(e: Entry): this {
    return this.str(e.name).u8(e.kind).u64(e.size).u64(e.mtimeMs).u32(e.mode);
  }

  entries(list: readonly Entry[]): this {
    const buf = this.buf;
    for (const e of list) {
      const name = e.name;
      const length = name.length;
      let at = this.at + 2;
      // ASCII names byte by byte (for a name of a few dozen bytes a call into
      // Buffer.write costs more than the copy); the first other character hands
      // the name to the general path and its UTF-8 encoder.
      let ascii = true;
      for (let i = 0; i < length; i++) {
        const code = name.charCodeAt(i);
        if (code > 0x7f) {
          ascii = false;
          break;
        }
        buf[at + i] = code;
      }
      if (!ascii) {
        this.entry(e);
        continue;
      }
      buf[at - 2] = length >>> 8;
      buf[at - 1] = length & 0xff;
      at += length;
      buf[at] = e.kind;
      writeU64Bytes(buf, e.size, at + 1);
      writeU64Bytes(buf, e.mtimeMs, at + 9);
      writeU32Bytes(buf, e.mode, at + 17);
      this.at = at + MIN_ENTRY_BYTES - 2;
    }
    return this;
  }
}

/** Big-endian u32 at `at`; the value and the bounds are already checked. */
function writeU32Bytes(buf: Buffer, v: number, at: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = (v >>> 16) & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = v & 0xff;
}

/** Big-endian u64 (at most 2^53-1) at `at`; the value and the bounds are already checked. */
function writeU64Bytes(buf: Buffer, v: number, at: number): void {
  writeU32Bytes(buf, Math.floor(v / 0x1_0000_0000), at);
  writeU32Bytes(buf, v >>> 0, at + 4);
}

function writeU64(buf: Buffer, v: number, at: number): number {
  buf.writeUInt32BE(Math.floor(v / 0x1_0000_0000), at);
  return buf.writeUInt32BE(v % 0x1_0000_0000, at + 4);
}

function writeHeader(buf: Buffer, op: string, id: number, payloadLength: number): void {
  buf.writeUInt32BE(MIN_FRAME_LENGTH + payloadLength, 0);
  buf.write(op, 4, 4, 'latin1');
  buf.writeUInt32BE(id, 8);
}

/** The payload fields of every message except DATA (whose content is never copied). */
function writeFields(w: FieldSink, msg: Exclude<Message, { op: 'DATA' }>): void {
  switch (msg.op) {
    case 'CONN':
      if ('minVersion' in msg) {
        w.u32(MAGIC).u16(msg.minVersion).u16(msg.maxVersion).u32(msg.maxFrame)
          .strList(msg.capabilities).str(msg.authMethod).str(msg.user).str(msg.secret).str(msg.clientName);
      } else {
        w.u16(msg.version).u32(msg.maxFrame).u32(msg.maxInFlight).strList(msg.capabilities)
          .u8(msg.flags).str(msg.serverName).str(msg.user);
      }
      return;
    case 'LIST':
    case 'MKDR':
    case 'RMDR':
      w.str(msg.path).u8(msg.flags);
      return;
    case 'STAT':
      if ('path' in msg) w.str(msg.path);
      else w.entry(msg.entry);
      return;
    case 'DELF':
      w.str(msg.path);
      return;
    case 'MOVE':
      w.str(msg.from).str(msg.to).u8(msg.flags);
      return;
    case 'UPLD':
      w.str(msg.path).u64(msg.size).u64(msg.mtimeMs).u32(msg.mode).u8(msg.flags);
      return;
    case 'DWLD':
      w.str(msg.path).u64(msg.offset).optionalHash(msg.prefixHash).u32(msg.window);
      return;
    case 'TGET':
      w.str(msg.path).u32(msg.window);
      return;
    case 'TPUT':
      w.str(msg.path).u8(msg.flags);
      return;
    case 'FILE':
      w.entry(msg.entry);
      return;
    case 'CANC':
    case 'QUIT':
    case 'DONE':
      return;
    case 'WIND':
      w.u32(msg.increment);
      return;
    case 'HASH':
      if (msg.hash.length !== HASH_BYTES) throw new RangeError(`HASH needs ${HASH_BYTES} bytes, got ${msg.hash.length}`);
      w.bytes(msg.hash);
      return;
    case 'OPEN':
      w.u64(msg.offset).u64(msg.size).u64(msg.mtimeMs).u32(msg.mode).optionalHash(msg.prefixHash).u32(msg.window);
      return;
    case 'ENTS':
      w.u8(msg.flags).u32(msg.entries.length).entries(msg.entries);
      return;
    case 'FAIL':
      w.u16(msg.code).str(truncateUtf8(msg.message, MAX_FAIL_MESSAGE_BYTES));
      return;
    default: {
      const unknown: never = msg;
      throw new RangeError(`cannot encode ${JSON.stringify(unknown)}`);
    }
  }
}

/** `text` cut to at most `maxBytes` of UTF-8 without splitting a character, unpaired surrogates replaced. */
function truncateUtf8(text: string, maxBytes: number): string {
  const wellFormed = LONE_SURROGATE.test(text) ? text.replace(/\p{Cs}/gu, '\uFFFD') : text;
  if (wellFormed.length <= maxBytes / 3 || Buffer.byteLength(wellFormed, 'utf8') <= maxBytes) return wellFormed;
  let cut = '';
  let bytes = 0;
  for (const char of wellFormed) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    cut += char;
    bytes += size;
  }
  return cut;
}

/**
 * The header of a DATA frame alone (DATA_HEADER_BYTES bytes: frame header and
 * offset), so the content can follow it in a gathered write without being copied.
 */
export function encodeDataHeader(id: number, offset: number, dataLength: number): Buffer {
  checkUint(id, MAX_U32, 32);
  checkUint(offset, Number.MAX_SAFE_INTEGER, 64);
  checkUint(dataLength, MAX_U32 - 16, 32);
  const buf = Buffer.allocUnsafe(DATA_HEADER_BYTES);
  writeHeader(buf, 'DATA', id, 8 + dataLength);
  writeU64(buf, offset, FRAME_HEADER_BYTES);
  return buf;
}

/**
 * Encodes one message as the buffers of one frame, to be written in order.
 * DATA yields [header, content] with the content the caller's own bytes (never
 * copied); every other message yields one buffer.
 */
export function encodeMessage(msg: Message): Buffer[] {
  if (msg.op === 'DATA') {
    const data = msg.data;
    const content = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
    return [encodeDataHeader(msg.id, msg.offset, data.length), content];
  }
  checkUint(msg.id, MAX_U32, 32);
  const counter = new SizeCounter();
  writeFields(counter, msg);
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + counter.size);
  writeHeader(buf, msg.op, msg.id, counter.size);
  writeFields(new BufferWriter(buf, FRAME_HEADER_BYTES), msg);
  return [buf];
}

/** encodeMessage joined into one buffer; for tests and small control frames (copies DATA content). */
export function encodeMessageToBuffer(msg: Message): Buffer {
  const parts = encodeMessage(msg);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Encoded size of one listing entry inside ENTS, so a server can fill batches up to the frame limit. */
export function encodedEntryLength(entry: Entry): number {
  return new SizeCounter().entry(entry).size;
}

/** Interprets a frame sent by a client (the server's side of the codec). */
export function decodeClientMessage(frame: RawFrame): ClientMessage {
  return decodeMessage(frame, 'toServer') as ClientMessage;
}

/** Interprets a frame sent by a server (the client's side of the codec). */
export function decodeServerMessage(frame: RawFrame): ServerMessage {
  return decodeMessage(frame, 'toClient') as ServerMessage;
}

/**
 * Interprets one frame's payload. Unknown opcodes, and opcodes that only the
 * other side may send, are FerryError UNSUPPORTED; malformed payloads are
 * BAD_FRAME. Either way the frame boundary is intact, so the caller can answer
 * FAIL for the frame's id and carry on. Byte fields (DATA content, hashes) are
 * views into the frame's payload.
 */
export function decodeMessage(frame: RawFrame, direction: Direction): Message {
  const { op, id } = frame;
  const r = new PayloadReader(frame.payload, op);
  let msg: Message;
  const toServer = direction === 'toServer';
  switch (op) {
    case 'CONN':
      if (toServer) {
        const magic = r.u32('magic');
        if (magic !== MAGIC) throw badFrame(`CONN: bad magic 0x${magic.toString(16).padStart(8, '0')}`);
        msg = {
          op, id, minVersion: r.u16('min version'), maxVersion: r.u16('max version'), maxFrame: r.u32('max frame'),
          capabilities: r.strList('capabilities'), authMethod: r.str('auth method'), user: r.str('user'),
          secret: r.str('secret'), clientName: r.str('client name'),
        };
      } else {
        msg = {
          op, id, version: r.u16('version'), maxFrame: r.u32('max frame'), maxInFlight: r.u32('max in flight'),
          capabilities: r.strList('capabilities'), flags: r.u8('flags'), serverName: r.str('server name'),
          user: r.str('user'),
        };
      }
      break;
    case 'LIST':
    case 'MKDR':
    case 'RMDR':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), flags: r.u8('flags') };
      break;
    case 'STAT':
      msg = toServer ? { op, id, path: r.str('path') } : { op, id, entry: r.entry() };
      break;
    case 'DELF':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path') };
      break;
    case 'MOVE':
      requireDirection(toServer, op);
      msg = { op, id, from: r.str('from'), to: r.str('to'), flags: r.u8('flags') };
      break;
    case 'UPLD':
      requireDirection(toServer, op);
      msg = {
        op, id, path: r.str('path'), size: r.u64('size'), mtimeMs: r.u64('mtime'), mode: r.u32('mode'),
        flags: r.u8('flags'),
      };
      break;
    case 'DWLD':
      requireDirection(toServer, op);
      msg = {
        op, id, path: r.str('path'), offset: r.u64('offset'), prefixHash: r.optionalHash('prefix hash'),
        window: r.u32('window'),
      };
      break;
    case 'TGET':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), window: r.u32('window') };
      break;
    case 'TPUT':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), flags: r.u8('flags') };
      break;
    case 'FILE':
      msg = { op, id, entry: r.entry() };
      break;
    case 'CANC':
    case 'QUIT':
      requireDirection(toServer, op);
      msg = { op, id };
      break;
    case 'DATA':
      msg = { op, id, offset: r.u64('offset'), data: r.rest() };
      break;
    case 'WIND':
      msg = { op, id, increment: r.u32('increment') };
      break;
    case 'HASH':
      if (r.remaining !== HASH_BYTES) throw badFrame(`HASH: a hash has ${HASH_BYTES} bytes, not ${r.remaining}`);
      msg = { op, id, hash: r.bytes(HASH_BYTES, 'hash') };
      break;
    case 'OPEN':
      requireDirection(!toServer, op);
      msg = {
        op, id, offset: r.u64('offset'), size: r.u64('size'), mtimeMs: r.u64('mtime'), mode: r.u32('mode'),
        prefixHash: r.optionalHash('prefix hash'), window: r.u32('window'),
      };
      break;
    case 'ENTS': {
      requireDirection(!toServer, op);
      const flags = r.u8('flags');
      const count = r.u32('entry count');
      // Refuse a count the payload cannot hold before allocating or looping for it.
      if (count * MIN_ENTRY_BYTES > r.remaining) {
        throw badFrame(`ENTS: ${count} entries cannot fit in the ${r.remaining} bytes left`);
      }
      msg = { op, id, flags, entries: r.entries(count) };
      break;
    }
    case 'DONE':
      msg = { op, id };
      break;
    case 'FAIL':
      requireDirection(!toServer, op);
      msg = { op, id, code: r.u16('code'), message: r.str('message') };
      break;
    default:
      throw new FerryError(ErrorCode.UNSUPPORTED, `unknown opcode ${JSON.stringify(op)}`);
  }
  r.end();
  return msg;
}

function requireDirection(allowed: boolean, op: string): void {
  if (!allowed) throw new FerryError(ErrorCode.UNSUPPORTED, `${op} is not valid in this direction`);
}
