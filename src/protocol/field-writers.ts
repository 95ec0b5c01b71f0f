/**
 * Where an encoded message's fields go. The layout of every message is written
 * once (encode.ts, `writeFields`) against the FieldSink interface and run
 * twice: first with a `SizeCounter`, which also validates every value, then
 * with a `BufferWriter` into a buffer of exactly that size. One allocation, no
 * intermediate parts.
 */
import { HASH_BYTES, MIN_ENTRY_BYTES } from './constants.js';
import {
  checkUint, LONE_SURROGATE, MAX_U32, writeU32Bytes, writeU64, writeU64Bytes,
} from './bytes.js';
import type { Entry } from './messages.js';

/** The primitive fields a message's layout is written in. */
export interface FieldSink {
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

/** Counts the bytes a message's fields take and checks every value (RangeError), writing nothing. */
export class SizeCounter implements FieldSink {
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
export class BufferWriter implements FieldSink {
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
