/**
 * Saved connections: bookmarks (a name for a URL, with a key file, and a
 * password only when the user asks for it to be kept) and the most recent
 * connections, in one file, `bookmarks.json` of Ferry's config folder, always
 * written 0600 and atomically (src/security/config-dir.ts). `@NAME` stands
 * for a bookmark's URL wherever a URL is accepted; `@NAME/sub/path` goes
 * below the bookmark's folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { defaultConfigDir, writeFileAtomic } from '../security/config-dir.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { formatOrigin, isRemoteUrl, parseRemoteUrl } from './remote-url.js';

export interface Bookmark {
  name: string;
  /** A remote URL, kept without its password. */
  url: string;
  /** SFTP private key file. */
  identityFile?: string;
  /** Kept only when the user asked (`ferry bookmark add --save-password`). */
  password?: string;
}

export interface RecentConnection {
  /** The origin and folder, never a password. */
  url: string;
  lastUsedMs: number;
}

export interface SavedConnections {
  bookmarks: Bookmark[];
  recent: RecentConnection[];
}

/** How many recent connections are kept. */
export const RECENT_LIMIT = 20;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function defaultBookmarksFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(defaultConfigDir(env), 'bookmarks.json');
}

export async function readSavedConnections(file: string = defaultBookmarksFile()): Promise<SavedConnections> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { bookmarks: [], recent: [] };
    throw error;
  }
  const bad = (why: string): FerryError => new FerryError(ErrorCode.INVALID_PATH, `${file}: ${why}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad('not valid JSON');
  }
  if (typeof data !== 'object' || data === null) throw bad('expected an object with "bookmarks" and "recent"');
  const { bookmarks = [], recent = [] } = data as { bookmarks?: unknown; recent?: unknown };
  if (!Array.isArray(bookmarks) || !Array.isArray(recent)) throw bad('"bookmarks" and "recent" must be lists');
  return {
    bookmarks: bookmarks.map((entry, index) => checkedBookmark(entry, (why) => bad(`bookmark ${index + 1}: ${why}`))),
    recent: recent
      .filter((entry): entry is RecentConnection =>
        typeof entry === 'object' && entry !== null && typeof entry.url === 'string' && isRemoteUrl(entry.url) &&
        typeof entry.lastUsedMs === 'number')
      .slice(0, RECENT_LIMIT),
  };
}

export async function writeSavedConnections(saved: SavedConnections, file: string = defaultBookmarksFile()): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(saved, null, 2)}\n`, 0o600);
}

/** Adds (or, with `replace`, replaces) a bookmark; EXISTS when the name is taken. */
export function withBookmark(saved: SavedConnections, bookmark: Bookmark, options: { replace?: boolean } = {}): SavedConnections {
  const checked = checkedBookmark(bookmark, (why) => new FerryError(ErrorCode.INVALID_PATH, `bookmark ${bookmark.name}: ${why}`));
  const exists = saved.bookmarks.some((entry) => entry.name === checked.name);
  if (exists && options.replace !== true) throw new FerryError(ErrorCode.EXISTS, `a bookmark named ${checked.name} already exists`);
  return { ...saved, bookmarks: [...saved.bookmarks.filter((entry) => entry.name !== checked.name), checked] };
}

/** NOT_FOUND when there is no such bookmark. */
export function withoutBookmark(saved: SavedConnections, name: string): SavedConnections {
  if (!saved.bookmarks.some((entry) => entry.name === name)) throw new FerryError(ErrorCode.NOT_FOUND, `no bookmark named ${name}`);
  return { ...saved, bookmarks: saved.bookmarks.filter((entry) => entry.name !== name) };
}

/** Puts a connection first in the recent list (its password dropped), keeping RECENT_LIMIT. */
export function withRecent(saved: SavedConnections, url: string, nowMs: number = Date.now()): SavedConnections {
  const kept = withoutPassword(url);
  return {
    ...saved,
    recent: [{ url: kept, lastUsedMs: nowMs }, ...saved.recent.filter((entry) => entry.url !== kept)].slice(0, RECENT_LIMIT),
  };
}

/** Whether `text` names a bookmark (`@NAME` or `@NAME/path`). */
export function isBookmarkReference(text: string): boolean {
  return /^@[A-Za-z0-9]/.test(text);
}

/**
 * The URL `@NAME[/path]` stands for: the bookmark's URL with `path` below its
 * folder, and the bookmark (for its key file and kept password). NOT_FOUND
 * names the bookmarks there are.
 */
export function resolveBookmarkReference(saved: SavedConnections, reference: string): { url: string; bookmark: Bookmark } {
  const slash = reference.indexOf('/');
  const name = reference.slice(1, slash < 0 ? undefined : slash);
  const below = slash < 0 ? '' : reference.slice(slash + 1);
  const bookmark = saved.bookmarks.find((entry) => entry.name === name);
  if (!bookmark) {
    const known = saved.bookmarks.map((entry) => `@${entry.name}`).join(', ');
    throw new FerryError(ErrorCode.NOT_FOUND, `no bookmark named ${name}${known === '' ? ' (there are none: ferry bookmark add NAME URL)' : ` (bookmarks: ${known})`}`);
  }
  if (below === '') return { url: bookmark.url, bookmark };
  const base = bookmark.url.endsWith('/') ? bookmark.url : `${bookmark.url}/`;
  const encoded = below.split('/').filter((part) => part !== '').map(encodeURIComponent).join('/');
  return { url: `${base}${encoded}`, bookmark };
}

function withoutPassword(url: string): string {
  const parsed = parseRemoteUrl(url);
  const encodedPath = parsed.path.split('/').map(encodeURIComponent).join('/');
  return `${formatOrigin(parsed)}${encodedPath}`;
}

function checkedBookmark(entry: unknown, bad: (why: string) => FerryError): Bookmark {
  if (typeof entry !== 'object' || entry === null) throw bad('expected an object');
  const { name, url, identityFile, password } = entry as Record<string, unknown>;
  if (typeof name !== 'string' || !NAME.test(name)) throw bad('a name is letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit');
  if (typeof url !== 'string' || !isRemoteUrl(url)) throw bad('the URL must start with ferry://, ferrys://, sftp://, ftp:// or ftps://');
  const parsed = parseRemoteUrl(url);
  const bookmark: Bookmark = { name, url: parsed.password !== undefined ? withoutPassword(url) : url };
  if (identityFile !== undefined) {
    if (typeof identityFile !== 'string' || identityFile === '') throw bad('the key file must be a path');
    bookmark.identityFile = identityFile;
  }
  const kept = typeof password === 'string' ? password : parsed.password;
  if (password !== undefined && typeof password !== 'string') throw bad('the password must be text');
  if (kept !== undefined) bookmark.password = kept;
  return bookmark;
}
