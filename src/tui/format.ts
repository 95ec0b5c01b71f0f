/**
 * Text formatting of rows, sizes, times and progress: pure functions, so the
 * components stay small and the widths can be tested.
 */
import { EntryKind, type Entry } from '../protocol/messages.js';
import { fitMiddle } from './cells.js';

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

export function formatTime(mtimeMs: number, long: boolean): string {
  const date = new Date(mtimeMs);
  const day = `${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  return long ? `${date.getFullYear()}-${day} ${time}` : `${day} ${time}`;
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

/** One listing row of exactly `width` columns: mark, name, size (or <DIR>), time. */
export function formatRow(entry: Entry, width: number, longTime: boolean, selected: boolean): string {
  const timeWidth = longTime ? 16 : 11;
  const sizeWidth = 7;
  const nameWidth = Math.max(1, width - 2 - 1 - sizeWidth - 1 - timeWidth);
  const size = entry.kind === EntryKind.DIRECTORY ? '<DIR>' : formatSize(entry.size);
  const line =
    (selected ? '*' : ' ') +
    kindMark(entry) +
    fit(entry.name, nameWidth) +
    ' ' +
    size.padStart(sizeWidth) +
    ' ' +
    formatTime(entry.mtimeMs, longTime);
  return fit(line, width);
}

/** Column titles matching formatRow. */
export function formatTitles(width: number, longTime: boolean, sortLabel: string): string {
  const timeWidth = longTime ? 16 : 11;
  const nameWidth = Math.max(1, width - 2 - 1 - 7 - 1 - timeWidth);
  return fit(`  ${fit(`Name ${sortLabel}`, nameWidth)} ${'Size'.padStart(7)} ${fit('Modified', timeWidth)}`, width);
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
