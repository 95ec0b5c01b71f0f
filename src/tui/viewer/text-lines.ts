/**
 * The viewer's pure parts: deciding text or binary, cutting bytes into lines,
 * and drawing a line of text or of hex. Positions are byte offsets, never line
 * numbers, so a file of any size opens without being read to its end.
 */
import { isControlCharacter, isFormatCharacter } from '../../terminal/control-characters.js';
import { clusters, fitEnd } from '../cells.js';
import stringWidth from 'string-width';

/** A line longer than this is shown as several (minified files, binary read as text). */
export const MAX_LINE_BYTES = 4096;
/** Bytes looked at to decide between text and hex. */
export const SNIFF_BYTES = 8192;
const TAB_WIDTH = 8;
const NEWLINE = 0x0a;

/** Hex for a NUL byte or bytes that are not UTF-8 (a sequence cut by the end of the sample is fine). */
export function looksBinary(sample: Uint8Array): boolean {
  if (sample.includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return false;
  } catch {
    return true;
  }
}

export interface Line {
  /** Offset of the line's first byte. */
  start: number;
  /** Offset of the next line's first byte (past the newline). */
  next: number;
  bytes: Uint8Array;
}

/**
 * The lines in `bytes` (which start at `base`, a line's start). With
 * `atEnd` the last line may lack its newline; otherwise a line cut by the end
 * of `bytes` is left out, as its rest is not known.
 */
export function splitLines(bytes: Uint8Array, base: number, atEnd: boolean): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < bytes.length) {
    const limit = Math.min(bytes.length, start + MAX_LINE_BYTES);
    const newline = bytes.subarray(start, limit).indexOf(NEWLINE);
    if (newline >= 0) {
      lines.push({ start: base + start, next: base + start + newline + 1, bytes: bytes.subarray(start, start + newline) });
      start += newline + 1;
    } else if (limit - start === MAX_LINE_BYTES || atEnd) {
      lines.push({ start: base + start, next: base + limit, bytes: bytes.subarray(start, limit) });
      start = limit;
    } else break;
  }
  return lines;
}

/**
 * Where the line before the one starting at `position` starts, given the
 * bytes `before` that end at `position` (at most MAX_LINE_BYTES + 1 of them,
 * starting at `base`).
 */
export function previousLineStart(before: Uint8Array, base: number, position: number): number {
  if (position <= 0) return 0;
  // The byte just before `position` ends the previous line; its start is after the newline before that.
  const newline = before.subarray(0, Math.max(0, position - 1 - base)).lastIndexOf(NEWLINE);
  if (newline >= 0) return base + newline + 1;
  return base === 0 ? 0 : Math.max(base, position - MAX_LINE_BYTES);
}

const decoder = new TextDecoder('utf-8');

/** A line's text as it is safe to print: tabs expanded, control and format characters as `?`, bad bytes as U+FFFD. */
export function lineText(bytes: Uint8Array): string {
  let text = decoder.decode(bytes);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  let out = '';
  let column = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\t') {
      const spaces = TAB_WIDTH - (column % TAB_WIDTH);
      out += ' '.repeat(spaces);
      column += spaces;
    } else {
      out += isControlCharacter(code) || isFormatCharacter(code) ? '?' : char;
      column += 1;
    }
  }
  return out;
}

/** `text` from cell `left` on, exactly `width` cells. */
export function visibleSlice(text: string, left: number, width: number): string {
  if (left <= 0) return fitEnd(text, width);
  let skipped = 0;
  const parts = clusters(text);
  let index = 0;
  while (index < parts.length && skipped < left) skipped += stringWidth(parts[index++] as string);
  return fitEnd(' '.repeat(Math.max(0, skipped - left)) + parts.slice(index).join(''), width);
}

/** Bytes per hex row for a screen `width` cells wide: 16 where it fits, else 8 or 4. */
export function bytesPerRow(width: number, offsetDigits: number): number {
  for (const count of [16, 8]) if (offsetDigits + 2 + count * 3 + 1 + count <= width) return count;
  return 4;
}

/** Hex digits for offsets of a file of `size` bytes: at least 8. */
export function offsetDigits(size: number): number {
  return Math.max(8, Math.max(0, size - 1).toString(16).length);
}

/** One hex row: offset, the bytes in hex, and the printable ASCII ones as themselves. */
export function hexRow(offset: number, bytes: Uint8Array, perRow: number, digits: number): string {
  let hex = '';
  let ascii = '';
  for (let i = 0; i < perRow; i++) {
    const byte = bytes[i];
    hex += byte === undefined ? '   ' : `${byte.toString(16).padStart(2, '0')} `;
    if (byte !== undefined) ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  }
  return `${offset.toString(16).padStart(digits, '0')}  ${hex} ${ascii}`;
}

/** Index of `needle` in `haystack` from `from` on, ASCII letters matched in either case; -1 when absent. */
export function indexOfIgnoringCase(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const lower = (byte: number): number => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);
  const first = lower(needle[0] ?? 0);
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    if (lower(haystack[i] as number) !== first) continue;
    for (let j = 1; j < needle.length; j++) if (lower(haystack[i + j] as number) !== lower(needle[j] as number)) continue outer;
    return i;
  }
  return -1;
}
