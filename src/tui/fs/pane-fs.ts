/**
 * What a pane needs from a filesystem. The local pane reads the disk directly
 * (local-fs.ts); the remote pane goes through the Ferry client (remote-fs.ts).
 * Both answer with protocol `Entry` values and fail with FerryError, so one
 * pane model and one set of operations serve both sides.
 */
import type { Entry } from '../../protocol/messages.js';

export type PaneSide = 'local' | 'remote';

/** How messages name a side: `local` is the left pane, `remote` the right (either may be on a server). */
export function paneName(side: PaneSide): string {
  return side === 'local' ? 'left pane' : 'right pane';
}

export interface PaneFs {
  readonly side: PaneSide;
  /**
   * The folder's entries. `onNamesLeftOut` hears when the side had to leave
   * names out (a ferryd cannot send names with control characters or that
   * are not UTF-8), so the pane can say so instead of hiding it.
   */
  list(path: string, options?: { onNamesLeftOut?: () => void }): Promise<Entry[]>;
  /** The entry at `path`, or undefined when nothing is there. */
  stat(path: string): Promise<Entry | undefined>;
  mkdir(path: string): Promise<void>;
  /**
   * Deletes a file, or a folder with everything below it. `onProgress` gets
   * the number of entries removed so far; a promise it returns is waited for
   * before the delete goes on (so a count can be drawn however fast it goes).
   */
  remove(path: string, entry: Entry, onProgress?: (removed: number) => void | Promise<void>): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Changes permission bits (CHMD); only where the side can (the remote pane). */
  chmod?(path: string, change: { clear: number; set: number }, recursive: boolean): Promise<void>;
  /** The entry `name` of `folder`; throws INVALID_PATH unless `name` is a single component (child-path.ts). */
  child(folder: string, name: string): string;
  /** A path the user typed (rename/move), relative to `folder` or absolute. */
  resolve(folder: string, typed: string): string;
  parent(path: string): string;
  /** Last path component. */
  basename(path: string): string;
  /** The header text for a path: the local path, or `host:port:/path`. */
  label(path: string): string;
}
