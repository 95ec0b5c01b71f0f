/** A file system entry as the protocol describes it (docs/PROTOCOL.md, `entry`). */
import type { Stats } from 'node:fs';
import { EntryKind, type Entry } from '../../protocol/messages.js';

export function entryFromStats(name: string, stats: Stats): Entry {
  const kind: EntryKind = stats.isFile() ? EntryKind.FILE
    : stats.isDirectory() ? EntryKind.DIRECTORY
      : stats.isSymbolicLink() ? EntryKind.SYMLINK : EntryKind.OTHER;
  return {
    name,
    kind,
    size: kind === EntryKind.DIRECTORY ? 0 : Math.min(stats.size, Number.MAX_SAFE_INTEGER),
    mtimeMs: Math.max(0, Math.floor(stats.mtimeMs)),
    mode: stats.mode & 0o7777,
  };
}
