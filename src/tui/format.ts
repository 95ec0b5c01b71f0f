/**
 * Text formatting of rows, sizes, times and progress: pure functions, so the
 * components stay small and the widths can be tested.
 */
import { EntryKind, type Entry } from '../protocol/messages.js';
import { fitMiddle } from './cells.js';
import { MARK_WIDTH, planColumns } from './layout.js';

const units = ['B', 'K', 'M', 'G', 'T', 'P'];

/** Compact size for a listing column: `999`, `1.5K`, `12M`, `3.2G`. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return String(bytes);
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}${units[unit]}`;
}

/** Human rate or amount: `1.2 MB`, `950 B`. Decimal-free above 100. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const text = formatSize(bytes);
  return `${text.slice(0, -1)} ${text.slice(-1)}iB`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** About six months, mc's and `ls -l`'s limit for showing the time of day instead of the year. */
const RECENT_MS = 182 * 24 * 3600 * 1000;
/** A time this far ahead of the clock is shown with its year, as a date in the future is suspicious. */
const FUTURE_SLACK_MS = 3600 * 1000;

/**
 * Modified time in 12 cells as mc shows it: `Dec  2 03:41` within the last
 * six months, `Dec  2  2025` for anything older or in the future, so the
 * year is never lost and the column keeps one width.
 */
export function formatTime(mtimeMs: number, nowMs: number = Date.now()): string {
  const date = new Date(mtimeMs);
  const day = `${months[date.getMonth()] ?? '???'} ${String(date.getDate()).padStart(2, ' ')}`;
  const recent = mtimeMs > nowMs - RECENT_MS && mtimeMs <= nowMs + FUTURE_SLACK_MS;
  if (recent) return `${day} ${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  return `${day} ${String(date.getFullYear()).padStart(5, ' ')}`;
}

/** Exactly `width` terminal cells, cut in the middle with `~` like mc; control characters show as `?` (cells.ts). */
export function fit(text: string, width: number): string {
  return fitMiddle(text, width);
}

function kindMark(entry: Entry): string {
  if (entry.kind === EntryKind.DIRECTORY) return '/';
  if (entry.kind === EntryKind.SYMLINK) return '@';
  return ' ';
}

/**
 * One listing row of exactly `width` cells: marks, name, and the Size (or
 * `<DIR>`) and Modified columns planColumns leaves room for.
 */
export function formatRow(entry: Entry, width: number, selected: boolean, nowMs: number = Date.now(), showMode = false): string {
  const plan = planColumns(width, showMode);
  let line = (selected ? '*' : ' ') + kindMark(entry) + fit(entry.name, plan.name);
  if (plan.size > 0) line += ' ' + (entry.kind === EntryKind.DIRECTORY ? '<DIR>' : formatSize(entry.size)).padStart(plan.size);
  if (plan.time > 0) line += ' ' + fit(formatTime(entry.mtimeMs, nowMs), plan.time);
  if (plan.mode) line += ' ' + formatMode(entry.mode);
  return fit(line, width);
}

/** The `..` row above a folder's entries, as wide as a listing row: `/..` and, where the Size column is, `<UP>` (mc's UP--DIR). */
export function formatParentRow(width: number): string {
  const plan = planColumns(width, false);
  let line = ' /' + fit('..', plan.name);
  if (plan.size > 0) line += ' ' + '<UP>'.padStart(plan.size);
  return fit(line, width);
}

/** Permission bits as ls writes them after the type letter (`rwxr-sr-t`). */
export function formatMode(mode: number): string {
  const triplet = (bits: number, special: boolean, specialLetter: string): string =>
    (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-')
    + (special ? (bits & 1 ? specialLetter : specialLetter.toUpperCase()) : bits & 1 ? 'x' : '-');
  return triplet((mode >> 6) & 7, (mode & 0o4000) !== 0, 's')
    + triplet((mode >> 3) & 7, (mode & 0o2000) !== 0, 's')
    + triplet(mode & 7, (mode & 0o1000) !== 0, 't');
}

/** Column titles matching formatRow. */
export function formatTitles(width: number, sortLabel: string, showMode = false): string {
  const plan = planColumns(width, showMode);
  let line = ' '.repeat(MARK_WIDTH) + fit(`Name ${sortLabel}`, plan.name);
  if (plan.size > 0) line += ' ' + 'Size'.padStart(plan.size);
  if (plan.time > 0) line += ' ' + fit('Modified', plan.time);
  if (plan.mode) line += ' ' + fit('Mode', plan.mode);
  return fit(line, width);
}

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${pad2(m)}:${pad2(s)}`;
}

/** `[#####-----]` of `width` columns including the brackets. */
export function progressBar(fraction: number, width: number): string {
  const inner = Math.max(1, width - 2);
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.round(clamped * inner);
  return `[${'#'.repeat(filled)}${'-'.repeat(inner - filled)}]`;
}

/** `2 uploads`, `1 download`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
