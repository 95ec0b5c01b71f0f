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
