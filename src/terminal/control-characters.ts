/**
 * Names and messages that reach a terminal may come from a server (or a
 * hostile file on disk): a control character in them would be acted on, not
 * shown — `\x1b[41m` paints the screen red, `\x1b]0;…` retitles the window,
 * `\r` overwrites a line. Everything the UI and `ferry ls` print from
 * outside goes through one of these two functions first.
 */

/** C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F). */
export function isControlCharacter(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function replaceControlCharacters(text: string, replace: (code: number) => string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isControlCharacter(code)) continue;
    out += text.slice(start, i) + replace(code);
    start = i + 1;
  }
  return start === 0 ? text : out + text.slice(start);
}

/** Each control character as `?`, one cell like the character it hides (as mc and `ls -q` show them). */
export function maskControlCharacters(text: string): string {
  return replaceControlCharacters(text, () => '?');
}

/** Each control character as `\xHH`: a line stays one line and still says what was there (`ferry ls`, error lines). */
export function escapeControlCharacters(text: string): string {
  return replaceControlCharacters(text, (code) => `\\x${code.toString(16).padStart(2, '0')}`);
}
