/**
 * What the session's listings said a moment ago, by full path. A tree
 * download lists each folder and then fetches its files: with the listing's
 * size and time at hand, a file costs RETR alone instead of SIZE, MDTM and
 * RETR, and the time set on the local copy is the one the listing shows, so
 * a resumed tree recognises the files it already has. Entries are trusted
 * for a few seconds and forgotten when the session itself changes the path;
 * a transfer whose size then disagrees asks the server again before failing
 * (ftp-download.ts).
 */
import type { Entry } from '../../protocol/messages.js';
import { joinPath } from './ftp-paths.js';

const TRUSTED_FOR_MS = 30_000;
const MAX_ENTRIES = 50_000;

export class RecentListings {
  private readonly entries = new Map<string, { entry: Entry; at: number }>();

  remember(folder: string, listed: readonly Entry[]): void {
    const at = performance.now();
    for (const entry of listed) {
      const key = joinPath(folder, entry.name);
      // Re-inserted so the Map's order stays oldest first, which is what is dropped past the bound.
      this.entries.delete(key);
      this.entries.set(key, { entry, at });
    }
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(key);
    }
  }

  lookup(remotePath: string): Entry | undefined {
    const known = this.entries.get(remotePath);
    if (!known) return undefined;
    if (performance.now() - known.at > TRUSTED_FOR_MS) {
      this.entries.delete(remotePath);
      return undefined;
    }
    return known.entry;
  }

  /** The session changed `remotePath` (or, for a folder, what is below it). */
  forget(remotePath: string): void {
    this.entries.delete(remotePath);
    const below = `${remotePath}/`;
    for (const key of this.entries.keys()) if (key.startsWith(below)) this.entries.delete(key);
  }
}
