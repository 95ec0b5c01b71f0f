/**
 * Names a server lists are untrusted input: the client joins them to local
 * folders (downloads, the UI's panes), so a name like `../x` or `/etc/x`
 * would write outside the folder the user chose. Every LIST reply is checked
 * here before anything sees it (docs/PROTOCOL.md §7: the same characters a
 * request path may not hold).
 *
 * A bad name is INVALID_PATH rather than BAD_FRAME: the frame decoded fine and
 * the session can go on; what is wrong is a path, and INVALID_PATH is the
 * code the protocol gives a path that is malformed or escapes the root. The
 * connection stays open so the user can still browse elsewhere.
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';

/** A name of a plain listing: exactly one path component. */
export function checkedListedName(name: string): string {
  if (!isSafeComponent(name)) throw unsafeName(name);
  return name;
}

/** A name of a recursive listing: a relative path of safe components, never leaving the listed folder. */
export function checkedRelativeName(name: string): string {
  if (!name.split('/').every(isSafeComponent)) throw unsafeName(name);
  return name;
}

/** Not empty, not `.` or `..`, no `/`, backslash or control character (U+0000–U+001F, U+007F). */
export function isSafeComponent(part: string): boolean {
  if (part === '' || part === '.' || part === '..') return false;
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x2f /* / */ || code === 0x5c /* \ */) return false;
  }
  return true;
}

function unsafeName(name: string): FerryError {
  return new FerryError(ErrorCode.INVALID_PATH, `the server listed an unsafe name: ${JSON.stringify(name)}`);
}
