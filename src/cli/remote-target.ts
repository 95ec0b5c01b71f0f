/**
 * What a command-line argument that names a place on a server stands for: a
 * remote URL of any kind (src/remote/remote-url.ts), or `@NAME[/path]`, a
 * saved connection (src/remote/bookmarks.ts) with a folder below it. The
 * bookmarks file is read only for `@NAME`, so a plain URL costs nothing more.
 */
import { defaultBookmarksFile, isBookmarkReference, readSavedConnections, resolveBookmarkReference, type Bookmark } from '../remote/bookmarks.js';
import { isRemoteUrl, parseRemoteUrl, type RemoteUrl } from '../remote/remote-url.js';

export interface RemoteTarget {
  url: RemoteUrl;
  /** The URL the argument stands for (a bookmark's, with the path below it); may hold a password from the command line. */
  text: string;
  /** The bookmark `@NAME` named: its key file and kept password. */
  bookmark?: Bookmark;
}

/** Whether `text` names a server place (a remote URL or `@NAME`) rather than a local path. */
export function isRemoteTarget(text: string): boolean {
  return isRemoteUrl(text) || isBookmarkReference(text);
}

/**
 * Resolves `text`; INVALID_PATH for what is neither a remote URL nor
 * `@NAME`, NOT_FOUND for an unknown bookmark.
 */
export async function resolveRemoteTarget(text: string, env: NodeJS.ProcessEnv): Promise<RemoteTarget> {
  if (!isBookmarkReference(text)) return { url: parseRemoteUrl(text), text };
  const saved = await readSavedConnections(defaultBookmarksFile(env));
  const { url, bookmark } = resolveBookmarkReference(saved, text);
  return { url: parseRemoteUrl(url), text: url, bookmark };
}
