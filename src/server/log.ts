/**
 * ferryd's diagnostics: one line per event. On a terminal the lines are
 * for people (`12:00:01.123 INFO  connection opened remote=127.0.0.1:5512`);
 * anywhere else they are JSON lines for log collectors.
 *
 * Field values often come from a peer (a user name, a client name, a path)
 * before anyone logged in, so no line carries a control or format character
 * raw (src/terminal/control-characters.ts): readable lines quote and escape
 * such a value, JSON lines write it as a `\uHHHH` escape.
 */
import type { Writable } from 'node:stream';
import { escapeUnsafeCharacters, escapeUnsafeInJson, hasUnsafeCharacter } from '../terminal/control-characters.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `silent` logs nothing (tests, embedded servers). */
export type LogThreshold = LogLevel | 'silent';

export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** True when `level` would be written; lets callers skip building costly fields. */
  enabled(level: LogLevel): boolean;
  /** A logger that adds `fields` to every line (e.g. the session number). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogThreshold;
  /** Default: `pretty` when the stream is a TTY, else `json`. */
  format?: 'pretty' | 'json';
  /** Default: process.stderr. */
  stream?: Writable & { isTTY?: boolean };
}

const RANK: Record<LogThreshold, number> = { silent: -1, error: 0, warn: 1, info: 2, debug: 3 };

export function isLogLevel(value: string): value is LogThreshold {
  return value in RANK;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? (stream.isTTY ? 'pretty' : 'json');
  const threshold = RANK[options.level ?? 'info'];
  // Every request is logged at info (an access log), so a line must stay cheap: the level is
  // checked before any fields are merged, and the fields are copied once.
  const write = (level: LogLevel, message: string, bound: LogFields, fields: LogFields | undefined): void => {
    if (RANK[level] > threshold) return;
    const time = new Date();
    stream.write(format === 'json'
      ? `${safeJson({ time: time.toISOString(), level, msg: message, ...bound, ...fields })}\n`
      : prettyLine(time, level, message, { ...bound, ...fields }));
  };
  const make = (bound: LogFields): Logger => ({
    error: (message, fields) => write('error', message, bound, fields),
    warn: (message, fields) => write('warn', message, bound, fields),
    info: (message, fields) => write('info', message, bound, fields),
    debug: (message, fields) => write('debug', message, bound, fields),
    enabled: (level) => RANK[level] <= threshold,
    child: (fields) => make({ ...bound, ...fields }),
  });
  return make({});
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ level: 'silent' });

function prettyLine(time: Date, level: LogLevel, message: string, fields: LogFields): string {
  const clock = time.toISOString().slice(11, 23);
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${escapeUnsafeCharacters(key)}=${formatValue(value)}`);
  return `${clock} ${level.toUpperCase().padEnd(5)} ${escapeUnsafeCharacters(message)}${parts.length ? ` ${parts.join(' ')}` : ''}\n`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' || hasUnsafeCharacter(value) ? quote(value) : value;
  if (value instanceof Error) return quote(value.message);
  return safeJson(value);
}

/** A JSON string (C0 escaped by JSON.stringify) with C1 and format characters escaped too. */
function quote(text: string): string {
  return escapeUnsafeInJson(JSON.stringify(text));
}

/** Errors as their message. Fields are flat, so a replacer (slow: called per key) is used only when one holds an Error. */
function safeJson(value: unknown): string {
  try {
    const replace = typeof value === 'object' && value !== null && Object.values(value).some((v) => v instanceof Error);
    const json = (replace ? JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? v.message : v)) : JSON.stringify(value)) ?? 'undefined';
    return escapeUnsafeInJson(json);
  } catch {
    return '"[unserialisable]"';
  }
}
