/**
 * The Ferry codec: frames ⇄ bytes. Pure: no sockets, no clocks.
 *
 * A frame is `u32 length | 4-byte opcode | u32 request id | payload`, where
 * length counts everything after itself. `FrameDecoder` cuts a byte stream
 * into frames (a state machine over buffered chunks that checks the length
 * limit before allocating anything, as ws's receiver does); `decodeMessage`
 * and `encodeMessage` translate one frame's payload. Every malformed input
 * becomes a FerryError with code BAD_FRAME or FRAME_TOO_LARGE, never another
 * exception.
 */
import { ErrorCode, FerryError, badFrame } from './errors.js';
import { FRAME_HEADER_BYTES, HASH_BYTES, MAGIC, MAX_SAFE_U64 } from './constants.js';
import type {
  ClientMessage, Direction, Entry, EntryKind, Message, ServerMessage,
} from './messages.js';

/** A frame cut from the stream, payload not yet interpreted. */
export interface RawFrame {
  op: string;
  id: number;
  /** The bytes after the header; a view into a buffer the decoder no longer uses. */
  payload: Buffer;
}

const MIN_LENGTH = FRAME_HEADER_BYTES - 4;

/**
 * Cuts a byte stream into frames. Feed it socket chunks with `push`; it
 * returns the frames completed by that chunk. The limit may be raised after
 * the handshake with `setMaxFrame`.
 */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private maxFrame: number;

  /** @param maxFrame largest accepted value of the length field */
  constructor(maxFrame: number) {
    this.maxFrame = maxFrame;
  }

  setMaxFrame(maxFrame: number): void {
    this.maxFrame = maxFrame;
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): RawFrame[] {
    if (chunk.length > 0) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
    const frames: RawFrame[] = [];
    while (this.buffered >= 4) {
      const length = this.peekUint32();
      if (length < MIN_LENGTH) throw badFrame(`frame length ${length} is shorter than the ${MIN_LENGTH}-byte header`);
      if (length > this.maxFrame) {
        throw new FerryError(ErrorCode.FRAME_TOO_LARGE, `frame length ${length} exceeds the limit of ${this.maxFrame}`);
      }
      if (this.buffered < 4 + length) break;
      const frame = this.consume(4 + length);
      frames.push({
        op: frame.toString('latin1', 4, 8),
        id: frame.readUInt32BE(8),
        payload: frame.subarray(FRAME_HEADER_BYTES),
      });
    }
    return frames;
  }

  private peekUint32(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    const head = Buffer.allocUnsafe(4);
    let copied = 0;
    for (const chunk of this.chunks) {
      copied += chunk.copy(head, copied, 0, Math.min(chunk.length, 4 - copied));
      if (copied === 4) break;
    }
    return head.readUInt32BE(0);
  }

  /** Removes `n` bytes from the front; zero-copy when they lie in one chunk. */
  private consume(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const take = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, take);
      filled += take;
      if (take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
    }
    return out;
  }
}

// ------------------------------------------------------------------ payload reading

/** Reads primitive fields from a payload; every short read is BAD_FRAME. */
class PayloadReader {
  private offset = 0;
  private static readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly buf: Buffer, private readonly op: string) {}

  private need(n: number, what: string): void {
    if (this.offset + n > this.buf.length) throw badFrame(`${this.op}: payload ends inside ${what}`);
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

  u64(what: string): number {
    this.need(8, what);
    const high = this.buf.readUInt32BE(this.offset);
    const low = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    const value = high * 0x1_0000_0000 + low;
    if (value > MAX_SAFE_U64) throw badFrame(`${this.op}: ${what} ${high}:${low} exceeds 2^53-1`);
    return value;
  }

  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  str(what: string): string {
    const length = this.u16(`${what} length`);
    const raw = this.bytes(length, what);
    try {
      return PayloadReader.utf8.decode(raw);
    } catch {
      throw badFrame(`${this.op}: ${what} is not valid UTF-8`);
    }
  }

  strList(what: string): string[] {
    const count = this.u16(`${what} count`);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.str(what));
    return out;
  }

  /** u8 length (0 or 32) + digest. */
  optionalHash(what: string): Buffer {
    const length = this.u8(`${what} length`);
    if (length !== 0 && length !== HASH_BYTES) throw badFrame(`${this.op}: ${what} length ${length} is neither 0 nor ${HASH_BYTES}`);
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

/** Collects fields into one buffer; sizes are computed up front so there is one allocation. */
class PayloadWriter {
  private readonly parts: Array<(buf: Buffer, at: number) => number> = [];
  private size = 0;

  u8(v: number): this {
    this.add(1, (b, at) => b.writeUInt8(v, at));
    return this;
  }

  u16(v: number): this {
    this.add(2, (b, at) => b.writeUInt16BE(v, at));
    return this;
  }

  u32(v: number): this {
    this.add(4, (b, at) => b.writeUInt32BE(v, at));
    return this;
  }

  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 field ${v} is not a non-negative safe integer`);
    this.add(8, (b, at) => {
      b.writeUInt32BE(Math.floor(v / 0x1_0000_0000), at);
      return b.writeUInt32BE(v % 0x1_0000_0000, at + 4);
    });
    return this;
  }

  bytes(v: Uint8Array): this {
    this.add(v.length, (b, at) => at + Buffer.from(v.buffer, v.byteOffset, v.length).copy(b, at));
    return this;
  }

  str(v: string): this {
    const raw = Buffer.from(v, 'utf8');
    if (raw.length > 0xffff) throw new RangeError(`string of ${raw.length} bytes does not fit a u16 length`);
    return this.u16(raw.length).bytes(raw);
  }

  strList(v: string[]): this {
    this.u16(v.length);
    for (const s of v) this.str(s);
    return this;
  }

  optionalHash(v: Uint8Array): this {
    if (v.length !== 0 && v.length !== HASH_BYTES) throw new RangeError(`hash of ${v.length} bytes`);
    return this.u8(v.length).bytes(v);
  }

  entry(e: Entry): this {
    return this.str(e.name).u8(e.kind).u64(e.size).u64(e.mtimeMs).u32(e.mode);
  }

  private add(n: number, write: (buf: Buffer, at: number) => number): void {
    this.parts.push(write);
    this.size += n;
  }

  /** The frame: header for `op`/`id` followed by the fields. */
  frame(op: string, id: number): Buffer {
    const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + this.size);
    writeHeader(buf, op, id, this.size);
    let at = FRAME_HEADER_BYTES;
    for (const write of this.parts) at = write(buf, at);
    return buf;
  }
}

function writeHeader(buf: Buffer, op: string, id: number, payloadLength: number): void {
  buf.writeUInt32BE(FRAME_HEADER_BYTES - 4 + payloadLength, 0);
  buf.write(op, 4, 4, 'latin1');
  buf.writeUInt32BE(id, 8);
}

/**
 * The header of a DATA frame alone, so the content can follow it in a
 * gathered write without being copied.
 */
export function encodeDataHeader(id: number, offset: number, dataLength: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 8);
  writeHeader(buf, 'DATA', id, 8 + dataLength);
  buf.writeUInt32BE(Math.floor(offset / 0x1_0000_0000), FRAME_HEADER_BYTES);
  buf.writeUInt32BE(offset % 0x1_0000_0000, FRAME_HEADER_BYTES + 4);
  return buf;
}

/**
 * Encodes one message as the buffers of one frame, to be written in order.
 * DATA yields [header, content] so large content is never copied; every other
 * message yields one buffer.
 */
export function encodeMessage(msg: Message): Buffer[] {
  const w = new PayloadWriter();
  switch (msg.op) {
    case 'CONN':
      if ('minVersion' in msg) {
        w.u32(MAGIC).u16(msg.minVersion).u16(msg.maxVersion).u32(msg.maxFrame)
          .strList(msg.capabilities).str(msg.authMethod).str(msg.user).str(msg.secret).str(msg.clientName);
      } else {
        w.u16(msg.version).u32(msg.maxFrame).u32(msg.maxInFlight).strList(msg.capabilities)
          .u8(msg.flags).str(msg.serverName).str(msg.user);
      }
      break;
    case 'LIST':
      w.str(msg.path).u8(msg.flags);
      break;
    case 'STAT':
      if ('path' in msg) w.str(msg.path);
      else w.entry(msg.entry);
      break;
    case 'MKDR':
    case 'RMDR':
      w.str(msg.path).u8(msg.flags);
      break;
    case 'DELF':
      w.str(msg.path);
      break;
    case 'MOVE':
      w.str(msg.from).str(msg.to).u8(msg.flags);
      break;
    case 'UPLD':
      w.str(msg.path).u64(msg.size).u64(msg.mtimeMs).u32(msg.mode).u8(msg.flags);
      break;
    case 'DWLD':
      w.str(msg.path).u64(msg.offset).optionalHash(msg.prefixHash).u32(msg.window);
      break;
    case 'CANC':
    case 'QUIT':
    case 'DONE':
      break;
    case 'DATA':
      return [encodeDataHeader(msg.id, msg.offset, msg.data.length), Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.length)];
    case 'WIND':
      w.u32(msg.increment);
      break;
    case 'HASH':
      if (msg.hash.length !== HASH_BYTES) throw new RangeError(`HASH needs ${HASH_BYTES} bytes, got ${msg.hash.length}`);
      w.bytes(msg.hash);
      break;
    case 'OPEN':
      w.u64(msg.offset).u64(msg.size).u64(msg.mtimeMs).u32(msg.mode).optionalHash(msg.prefixHash).u32(msg.window);
      break;
    case 'ENTS':
      w.u8(msg.flags).u32(msg.entries.length);
      for (const e of msg.entries) w.entry(e);
      break;
    case 'FAIL':
      w.u16(msg.code).str(msg.message);
      break;
    default: {
      const unknown: never = msg;
      throw new RangeError(`cannot encode ${JSON.stringify(unknown)}`);
    }
  }
  return [w.frame(msg.op, msg.id)];
}

/** encodeMessage joined into one buffer; for tests and small control frames. */
export function encodeMessageToBuffer(msg: Message): Buffer {
  const parts = encodeMessage(msg);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
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
 * Interprets one frame's payload. Unknown opcodes and malformed payloads are
 * FerryErrors (UNSUPPORTED and BAD_FRAME) so the caller can answer with FAIL.
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
        if (magic !== MAGIC) throw badFrame(`CONN: bad magic 0x${magic.toString(16)}`);
        msg = {
          op, id, minVersion: r.u16('min version'), maxVersion: r.u16('max version'), maxFrame: r.u32('max frame'),
          capabilities: r.strList('capability'), authMethod: r.str('auth method'), user: r.str('user'),
          secret: r.str('secret'), clientName: r.str('client name'),
        };
      } else {
        msg = {
          op, id, version: r.u16('version'), maxFrame: r.u32('max frame'), maxInFlight: r.u32('max in flight'),
          capabilities: r.strList('capability'), flags: r.u8('flags'), serverName: r.str('server name'), user: r.str('user'),
        };
      }
      break;
    case 'LIST':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), flags: r.u8('flags') };
      break;
    case 'STAT':
      msg = toServer ? { op, id, path: r.str('path') } : { op, id, entry: r.entry() };
      break;
    case 'MKDR':
    case 'RMDR':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), flags: r.u8('flags') };
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
        op, id, path: r.str('path'), size: r.u64('size'), mtimeMs: r.u64('mtime'), mode: r.u32('mode'), flags: r.u8('flags'),
      };
      break;
    case 'DWLD':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), offset: r.u64('offset'), prefixHash: r.optionalHash('prefix hash'), window: r.u32('window') };
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
      // Each entry takes at least 23 bytes: refuse a count the payload cannot hold before looping.
      if (count * 23 > frame.payload.length) throw badFrame(`ENTS: ${count} entries cannot fit in ${frame.payload.length} bytes`);
      const entries: Entry[] = [];
      for (let i = 0; i < count; i++) entries.push(r.entry());
      msg = { op, id, flags, entries };
      break;
    }
    case 'DONE':
      requireDirection(!toServer, op);
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
