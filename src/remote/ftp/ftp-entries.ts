/**
 * basic-ftp's FileInfo (from MLSD facts or a parsed LIST line) as Ferry's
 * Entry. MLSD gives times to the second; a Unix LIST line gives `Dec 02 07:46`
 * (within the last half year, no year) or `Dec 02  2025`, read here as UTC
 * (vsftpd's default) to the minute or the day, and the entry says which
 * (`mtimeResolutionMs`), so a comparison knows how far it can trust the
 * time (src/sync/plan.ts asks MDTM where that is not far enough). The
 * times FTP commands carry (MDTM, MFMT) are read and written here too.
 * Names that are not one safe path component (`.`, `..`, slashes, control
 * characters) are left out: they cannot be joined to a local folder safely
 * (src/client/listed-names.ts).
 */
import { FileType, type FileInfo } from 'basic-ftp';
import { isSafeComponent } from '../../client/listed-names.js';
import type { TimeOfFile } from '../../protocol/file-times.js';
import { EntryKind, type Entry } from '../../protocol/messages.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const HALF_YEAR_MS = 183 * 24 * 3600 * 1000;
export const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;


export function entryOf(info: FileInfo, options: { linkTargets?: boolean; now?: number } = {}): Entry | undefined {
  if (!isSafeComponent(info.name)) return undefined;
  const kind = info.type === FileType.Directory ? EntryKind.DIRECTORY
    : info.type === FileType.File ? EntryKind.FILE
      : info.type === FileType.SymbolicLink ? EntryKind.SYMLINK : EntryKind.OTHER;
  const time: TimeOfFile | undefined = info.modifiedAt
    ? { mtimeMs: info.modifiedAt.getTime(), mtimeResolutionMs: SECOND_MS }
    : listTime(info.rawModifiedAt, options.now ?? Date.now());
  const entry: Entry = {
    name: info.name,
    kind,
    size: kind === EntryKind.DIRECTORY ? 0 : Math.max(0, info.size || 0),
    mtimeMs: time?.mtimeMs ?? 0,
    mode: info.permissions ? (info.permissions.user << 6) | (info.permissions.group << 3) | info.permissions.world : 0,
  };
  if (time) entry.mtimeResolutionMs = time.mtimeResolutionMs;
  if (options.linkTargets && kind === EntryKind.SYMLINK && info.link) entry.linkTarget = info.link;
  return entry;
}

/**
 * The time of a Unix LIST line: `Dec 02 07:46` to the minute, `Dec  2  2025`
 * to the day (the start of it, in ms); undefined when it is not one.
 */
export function listTime(raw: string, now: number): TimeOfFile | undefined {
  const match = /^([A-Za-z]{3})\s+(\d{1,2})\s+(?:(\d{1,2}):(\d{2})|(\d{4}))$/.exec(raw.trim());
  if (!match) return undefined;
  const month = MONTHS.indexOf(match[1]!.toLowerCase());
  if (month < 0) return undefined;
  const day = Number(match[2]);
  if (match[5] !== undefined) return { mtimeMs: Date.UTC(Number(match[5]), month, day), mtimeResolutionMs: DAY_MS };
  const hours = Number(match[3]);
  const minutes = Number(match[4]);
  // No year means within the last six months: this year, or last year if that would lie in the future.
  const year = new Date(now).getUTCFullYear();
  const thisYear = Date.UTC(year, month, day, hours, minutes);
  const mtimeMs = thisYear - now > HALF_YEAR_MS / 6 ? Date.UTC(year - 1, month, day, hours, minutes) : thisYear;
  return { mtimeMs, mtimeResolutionMs: MINUTE_MS };
}

/** `213 20261202074613` (MDTM, UTC, optional fraction) → ms since the epoch. */
export function mdtmTime(reply: string): number | undefined {
  const match = /(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?\s*$/.exec(reply);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), frac ? Number(frac.padEnd(3, '0')) : 0);
}

/**
 * `YYYYMMDDHHMMSS` in UTC, as MFMT and vsftpd's `MDTM time path` take a
 * time: to the second (the fraction is dropped, so the time set reads back
 * as the start of the source's second).
 */
export function ftpTimeArgument(mtimeMs: number): string {
  return new Date(startOfSecond(mtimeMs)).toISOString().replace(/\.\d+Z$/, '').replace(/[-T:]/g, '');
}

export function startOfSecond(mtimeMs: number): number {
  return Math.floor(mtimeMs / SECOND_MS) * SECOND_MS;
}
