/**
 * Every status-line message of the session, kept so the user can read them
 * later and whole (the status line shows one at a time, cut to its width).
 * Bounded: the oldest entries go first, and one very long message is cut.
 */

export interface LogEntry {
  /** Date.now() when the message was shown. */
  at: number;
  text: string;
  kind: 'info' | 'error';
}

/** Entries kept: a long session keeps its latest messages. */
export const MESSAGE_LOG_LIMIT = 1000;
/** Characters kept of one message (a server's error text could be anything). */
export const MESSAGE_TEXT_LIMIT = 2000;

/** `log` with `entry` added at the end, the oldest dropped beyond `limit`. */
export function appendLogEntry(log: readonly LogEntry[], entry: LogEntry, limit = MESSAGE_LOG_LIMIT): readonly LogEntry[] {
  const text = entry.text.length > MESSAGE_TEXT_LIMIT ? `${entry.text.slice(0, MESSAGE_TEXT_LIMIT)}…` : entry.text;
  const next = [...log.slice(Math.max(0, log.length - limit + 1)), { ...entry, text }];
  return next;
}

const pad2 = (value: number): string => String(value).padStart(2, '0');

/** `14:03:59`, local time: when a message of this session was shown. */
export function logTime(at: number): string {
  const date = new Date(at);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}
