/**
 * Reads the fields of one frame's payload. Every short read, and every value
 * the protocol forbids (invalid UTF-8, a u64 above 2^53-1, an unknown entry
 * kind), is a FerryError BAD_FRAME naming the field.
 */
import { isUtf8 } from 'node:buffer';
import { badFrame } from './errors.js';
import { HASH_BYTES, MIN_ENTRY_BYTES } from './constants.js';
import { isAscii, readU32, U64_SAFE_HIGH } from './bytes.js';
import type { Entry, EntryKind } from './messages.js';

/**
 * Reads primitive fields from a payload; every short read is BAD_FRAME. `what`
 * names the field for the error message (built only when there is an error).
 */
export class PayloadReader {
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
  /** `count` entries each followed by a link target (ENTS_LINK_TARGETS); an empty target is left out of the entry. */
  entriesWithTargets(count: number): Entry[] {
    const entries: Entry[] = [];
    for (let i = 0; i < count; i++) {
      const entry = this.entry();
      const target = this.str('link target');
      entries.push(target === '' ? entry : { ...entry, linkTarget: target });
    }
    return entries;
  }

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
