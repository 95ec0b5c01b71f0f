/**
 * A protocol mtime (whole milliseconds since the epoch) as the seconds that
 * utimes and futimes take, so that it reads back as the same milliseconds.
 *
 * Node hands the seconds to libuv as a double, which makes nanoseconds of
 * the fraction and cuts them to whole microseconds: 1700000000.123 is
 * 1700000000.12299990654 as a double and was stored as …122.999 ms, read
 * back as …122. Aiming at the middle of the millisecond's first microsecond
 * (+0.5 µs) leaves room for the double's rounding (under 0.25 µs for dates
 * before 2038, under 0.5 µs before 2106), so the stored value is the exact
 * millisecond. test/server/mtime.test.ts checks it on the file system.
 */
export function utimesSeconds(mtimeMs: number): number {
  return (mtimeMs + 0.0005) / 1000;
}

/** A file's time and, where a kind knows it only coarsely, how coarsely (Entry.mtimeResolutionMs). */
export interface TimeOfFile {
  mtimeMs: number;
  /** Absent: to the millisecond. 1000 for SFTP and FTP's MDTM, a minute or a day for an FTP LIST line. */
  mtimeResolutionMs?: number;
}

/** The coarser of the two times' resolutions, in milliseconds. */
export function coarserResolution(a: TimeOfFile, b: TimeOfFile): number {
  return Math.max(a.mtimeResolutionMs ?? 1, b.mtimeResolutionMs ?? 1);
}

/**
 * -1 when `a` is older than `b`, 1 when newer, 0 when they agree as far as
 * the coarser of the two tells: a local file written at 12:00:00.537 and its
 * SFTP copy, which keeps 12:00:00, are as new as each other.
 */
export function compareFileTimes(a: TimeOfFile, b: TimeOfFile): -1 | 0 | 1 {
  const resolution = coarserResolution(a, b);
  const ours = Math.floor(a.mtimeMs / resolution);
  const theirs = Math.floor(b.mtimeMs / resolution);
  return ours < theirs ? -1 : ours > theirs ? 1 : 0;
}

/** Times known to the second at least are taken as they are: no kind keeps anything finer than what it states. */
export const EXACT_ENOUGH_MS = 1000;

/**
 * Whether `a` and `b` are the same time for certain: equal to the coarser
 * resolution, and that resolution a second or finer. Two times that agree
 * only to the minute (an FTP LIST line) may still differ in the second.
 */
export function sameFileTime(a: TimeOfFile, b: TimeOfFile): boolean {
  return compareFileTimes(a, b) === 0 && coarserResolution(a, b) <= EXACT_ENOUGH_MS;
}

export type TimeMatch = 'same' | 'different' | 'coarse';

/**
 * Two times compared to the coarser one's resolution; `coarse` when they
 * agree, but only to more than a second, so a finer time could still tell
 * them apart (what a sync or a resumed tree then asks the server for).
 */
export function matchFileTimes(a: TimeOfFile, b: TimeOfFile): TimeMatch {
  if (compareFileTimes(a, b) !== 0) return 'different';
  return sameFileTime(a, b) ? 'same' : 'coarse';
}
