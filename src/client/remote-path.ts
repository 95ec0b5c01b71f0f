/**
 * Remote paths as the client sends them (docs/PROTOCOL.md §7): `/`-separated,
 * relative to the session's root. The client only strips what the spec asks
 * it to (a trailing `/`) and joins names; everything else is the server's to
 * judge, so a bad path earns the server's INVALID_PATH rather than a
 * client-side guess.
 */

import { ErrorCode, FerryError } from '../protocol/errors.js';

/** `/`, `\`, U+0000–U+001F and U+007F: never part of a listed name's component. */
function hasUnsafeCharacter(part: string): boolean {
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code <= 0x1f || code === 0x7f || code === 0x2f || code === 0x5c) return true;
  }
  return false;
}

/**
 * Checks a name a server listed (docs/PROTOCOL.md §7, listing names): one
 * component for a plain LIST, `/`-separated components for a recursive one,
 * none empty, `.` or `..`, none with a backslash or a control character. A
 * hostile server must not make us build a local path outside the target.
 * Throws INVALID_PATH; returns the name.
 */
export function checkListedName(name: string, recursive: boolean): string {
  const parts = recursive ? name.split('/') : [name];
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || hasUnsafeCharacter(part)) {
      throw new FerryError(ErrorCode.INVALID_PATH, `the server listed an unsafe name: ${JSON.stringify(name)}`);
    }
  }
  return name;
}

/** `a/b/` → `a/b`; `/` and `` stay the root. */
export function normalizeRemotePath(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === '/') end--;
  return path.slice(0, end);
}

/** `a` + `b/c` → `a/b/c`; the root joined with `x` is `x`. */
export function joinRemote(folder: string, relative: string): string {
  const base = normalizeRemotePath(folder);
  if (base === '' || base === '/') return base + relative;
  return `${base}/${relative}`;
}

/** The last component of a remote path (`a/b.txt` → `b.txt`). */
export function remoteBasename(path: string): string {
  const clean = normalizeRemotePath(path);
  return clean.slice(clean.lastIndexOf('/') + 1);
}
