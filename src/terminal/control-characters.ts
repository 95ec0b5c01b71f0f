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

/**
 * Characters that show nothing yet change how the text around them reads:
 * the bidi controls (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069)
 * reorder a line so `txt.exe` can show as `exe.txt`; the zero-width ones
 * (U+200B–U+200D, U+2060, U+FEFF) hide inside a name; U+2028/U+2029 break a
 * line for some viewers.
 */
export function isFormatCharacter(code: number): boolean {
  return code === 0x061c || (code >= 0x200b && code <= 0x200f) || (code >= 0x2028 && code <= 0x202e)
    || (code >= 0x2060 && code <= 0x2069) || code === 0xfeff;
}

/** Control and format characters, for a single test before any escaping. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
/** What JSON.stringify leaves raw: DEL, C1 and the format characters (it escapes C0 itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Whether `text` holds a control or format character (a peer's bytes headed for a log line, say). */
export function hasUnsafeCharacter(text: string): boolean {
  return UNSAFE.test(text);
}

/**
 * Each control and format character as `\xHH` (up to U+00FF) or `\uHHHH`:
 * for ferryd's readable log, where a peer's user name or path must not retitle
 * the operator's window or reorder the line.
 */
export function escapeUnsafeCharacters(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_ALL, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A JSON text with every control and format character inside its strings
 * written as a `\uHHHH` escape. Parsing gives back the same values, so log
 * collectors see no difference; a person running `tail -f` on the file sees
 * the escape instead of an acted-on sequence.
 */
export function escapeUnsafeInJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
