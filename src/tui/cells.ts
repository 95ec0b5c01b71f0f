/**
 * Text measured in terminal cells. A CJK character or an emoji takes two
 * cells, a combining accent none, so counting code points misaligns columns;
 * widths come from string-width (the measure Ink lays out with) over
 * grapheme clusters, and control characters are masked first
 * (src/terminal/control-characters.ts) so nothing printed can steer the terminal.
 */
import stringWidth from 'string-width';
import { maskControlCharacters } from '../terminal/control-characters.js';

/** Printable ASCII only: one cell per character, no measuring needed (the common case, kept fast). */
const plainAscii = /^[\x20-\x7e]*$/;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` made safe to print: control characters shown as `?`. */
export function printable(text: string): string {
  return maskControlCharacters(text);
}

/** Cells `text` takes on screen (after masking). */
export function cellWidth(text: string): number {
  const safe = printable(text);
  return plainAscii.test(safe) ? safe.length : stringWidth(safe);
}

/**
 * `text` split into grapheme clusters: what a reader sees as one character,
 * such as `e` + U+0301 (a decomposed `é`, as macOS names files) or a flag.
 * Cursors move and erase by these, never inside one.
 */
export function clusters(text: string): string[] {
  return Array.from(graphemes.segment(text), (part) => part.segment);
}

/** The longest start of `parts` that fits `width` cells, and the cells it takes. */
function takeStart(parts: readonly string[], width: number): { text: string; cells: number } {
  let cells = 0;
  let text = '';
  for (const part of parts) {
    const size = stringWidth(part);
    if (cells + size > width) break;
    text += part;
    cells += size;
  }
  return { text, cells };
}

/** The longest end of `parts` that fits `width` cells, and the cells it takes. */
function takeEnd(parts: readonly string[], width: number): { text: string; cells: number } {
  let cells = 0;
  let text = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] as string;
    const size = stringWidth(part);
    if (cells + size > width) break;
    text = part + text;
    cells += size;
  }
  return { text, cells };
}

/** Exactly `width` cells: padded, or cut in the middle with `~` like mc (start and end of a name both tell). */
export function fitMiddle(text: string, width: number): string {
  if (width <= 0) return '';
  const safe = printable(text);
  if (plainAscii.test(safe)) {
    if (safe.length <= width) return safe + ' '.repeat(width - safe.length);
    if (width === 1) return '~';
    const head = Math.ceil((width - 1) / 2);
    const tail = width - 1 - head;
    return safe.slice(0, head) + '~' + (tail > 0 ? safe.slice(-tail) : '');
  }
  const total = stringWidth(safe);
  if (total <= width) return safe + ' '.repeat(width - total);
  if (width === 1) return '~';
  const parts = clusters(safe);
  // A wide character that does not fit the head leaves its cell to the tail; what is left over pads before `~`.
  const head = takeStart(parts, Math.ceil((width - 1) / 2));
  const tail = takeEnd(parts, width - 1 - head.cells);
  return head.text + ' '.repeat(width - 1 - head.cells - tail.cells) + '~' + tail.text;
}

/** Exactly `width` cells: padded, or cut at the end with `~`. */
export function fitEnd(text: string, width: number): string {
  if (width <= 0) return '';
  const safe = printable(text);
  const total = plainAscii.test(safe) ? safe.length : stringWidth(safe);
  if (total <= width) return safe + ' '.repeat(width - total);
  if (width === 1) return '~';
  if (plainAscii.test(safe)) return safe.slice(0, width - 1) + '~';
  const head = takeStart(clusters(safe), width - 1);
  return head.text + ' '.repeat(width - 1 - head.cells) + '~';
}

/**
 * Items of the given cell widths packed in order on rows of at most `width`
 * cells with `gap` cells between two on one row: the indexes on each row.
 * An item wider than a row gets a row of its own.
 */
export function packRows(widths: readonly number[], gap: number, width: number): number[][] {
  const rows: number[][] = [];
  let row: number[] = [];
  let used = 0;
  widths.forEach((size, index) => {
    if (row.length > 0 && used + gap + size > width) {
      rows.push(row);
      row = [];
      used = 0;
    }
    used += (row.length > 0 ? gap : 0) + size;
    row.push(index);
  });
  rows.push(row);
  return rows;
}

/**
 * `parts` packed on lines of at most `width` cells, `separator` between two
 * on one line. A part wider than a line is broken between grapheme clusters
 * rather than cut, so nothing of it is lost.
 */
export function wrapParts(parts: readonly string[], separator: string, width: number): string[] {
  const pieces = parts.flatMap((part) => breakLong(printable(part), Math.max(1, width)));
  return packRows(pieces.map(cellWidth), cellWidth(separator), width).map((row) => row.map((index) => pieces[index]).join(separator));
}

/** `text` on lines of at most `width` cells, broken at spaces (and inside a word only when it is wider than a line). */
export function wrapWords(text: string, width: number): string[] {
  return wrapParts(text.split(/ +/).filter(Boolean), ' ', width);
}

function breakLong(text: string, width: number): string[] {
  if (cellWidth(text) <= width) return [text];
  const pieces: string[] = [];
  let rest = clusters(text);
  while (rest.length > 0) {
    const head = takeStart(rest, width);
    const taken = Math.max(1, clusters(head.text).length);
    pieces.push(rest.slice(0, taken).join(''));
    rest = rest.slice(taken);
  }
  return pieces;
}

/**
 * A message in exactly `width` cells, written reason first (`permission
 * denied: local:/tmp/x`): when it is too long and what follows the last `: `
 * is a path (it has a slash), the path is cut in the middle and the reason
 * before it is kept whole. Any other message, or one whose reason leaves no
 * room for the path, is cut at its end.
 */
export function fitMessage(text: string, width: number): string {
  const safe = printable(text);
  if (cellWidth(safe) <= width) return fitEnd(safe, width);
  const split = safe.lastIndexOf(': ');
  const subject = safe.slice(split + 2);
  if (split > 0 && /[/\\]/.test(subject)) {
    const reason = safe.slice(0, split + 2);
    const room = width - cellWidth(reason);
    if (room >= MIN_SUBJECT_CELLS) return reason + fitMiddle(subject, room);
  }
  return fitEnd(safe, width);
}

/** Cells of a path worth showing after its reason: fewer, and the message is simply cut at its end. */
const MIN_SUBJECT_CELLS = 8;
