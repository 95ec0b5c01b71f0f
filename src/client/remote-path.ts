/**
 * Remote paths as the client sends them (docs/PROTOCOL.md §7): `/`-separated,
 * relative to the session's root. The client only strips what the spec asks
 * it to (a trailing `/`) and joins names; everything else is the server's to
 * judge, so a bad path earns the server's INVALID_PATH rather than a
 * client-side guess.
 */

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
