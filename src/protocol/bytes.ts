/**
 * Byte-level helpers shared by the frame decoder, the payload reader and the
 * encoder: big-endian integers at an offset, range checks, and the UTF-8 rules
 * a string must meet to go on the wire.
 */

/** Largest value of a u32 field (the frame length, request ids, modes). */
export const MAX_U32 = 0xffff_ffff;

/** The largest high 32 bits of a u64 that JavaScript represents exactly (2^53-1 = 0x1fffff_ffffffff). */
export const U64_SAFE_HIGH = 0x1f_ffff;

/** A string with an unpaired surrogate has no UTF-8 form; Buffer would silently replace it with U+FFFD. */
export const LONE_SURROGATE = /\p{Cs}/u;

/** Big-endian u32 at `at`; the caller has checked the bounds. */
export function readU32(buf: Buffer, at: number): number {
  return buf[at]! * 0x100_0000 + ((buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!);
}

/** Whether bytes start..end are all below 0x80 (ASCII, so valid UTF-8 as they are). */
export function isAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! > 0x7f) return false;
  return true;
}

/** Throws RangeError unless `v` is an integer in 0..max (a value the encoder cannot represent is a programming error). */
export function checkUint(v: number, max: number, bits: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${v} is not a u${bits}`);
}

/** Big-endian u32 at `at`; the value and the bounds are already checked. */
export function writeU32Bytes(buf: Buffer, v: number, at: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = (v >>> 16) & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = v & 0xff;
}

/** Big-endian u64 (at most 2^53-1) at `at`; the value and the bounds are already checked. */
export function writeU64Bytes(buf: Buffer, v: number, at: number): void {
  writeU32Bytes(buf, Math.floor(v / 0x1_0000_0000), at);
  writeU32Bytes(buf, v >>> 0, at + 4);
}

/** Big-endian u64 (at most 2^53-1) at `at` through Buffer's checked writes; returns the offset after it. */
export function writeU64(buf: Buffer, v: number, at: number): number {
  buf.writeUInt32BE(Math.floor(v / 0x1_0000_0000), at);
  return buf.writeUInt32BE(v % 0x1_0000_0000, at + 4);
}

/** `text` cut to at most `maxBytes` of UTF-8 without splitting a character, unpaired surrogates replaced. */
export function truncateUtf8(text: string, maxBytes: number): string {
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
