/**
 * Splits what the terminal sent in one read into single keys. Fast typing, a
 * paste or a script can put several keys into one read ("jjj", "\x1b[B\x1b[B"),
 * and Escape pressed just before another special key arrives glued to it
 * ("\x1b\x1b[15~"): every key is dispatched on its own.
 */

const ESC = '\x1b';

/** Length of the escape sequence at `start` (text[start] is ESC). */
function escapeLength(text: string, start: number): number {
  const next = text[start + 1];
  if (next === undefined || next === ESC) return 1;
  if (next === '[') {
    // Linux console function keys: ESC [ [ A … ESC [ [ E.
    if (text[start + 2] === '[') return Math.min(4, text.length - start);
    // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E.
    let end = start + 2;
    while (end < text.length && /[0-?]/.test(text[end] as string)) end += 1;
    while (end < text.length && /[ -/]/.test(text[end] as string)) end += 1;
    return end < text.length ? end + 1 - start : text.length - start;
  }
  if (next === 'O') return Math.min(3, text.length - start);
  // ESC and one character: that character with Meta (Alt).
  return String.fromCodePoint(text.codePointAt(start + 1) as number).length + 1;
}

export function splitKeys(text: string): string[] {
  const keys: string[] = [];
  let start = 0;
  while (start < text.length) {
    const length = text[start] === ESC ? escapeLength(text, start) : String.fromCodePoint(text.codePointAt(start) as number).length;
    keys.push(text.slice(start, start + length));
    start += length;
  }
  return keys;
}
