/**
 * The bench's output: one row per figure, a plain-text table for people and
 * a JSON document for tools (bench-results/).
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/** What a row is checked against. */
export type Target =
  /** ferry / baseline must be at most `value`. */
  | { kind: 'ratio-max'; value: number }
  /** ferry / baseline must be at least `value`. */
  | { kind: 'ratio-min'; value: number }
  /** ferry itself (in the row's unit) must be at most `value`. */
  | { kind: 'abs-max'; value: number }
  /** ferry − baseline (growth, in the row's unit) must stay below `value`. */
  | { kind: 'growth-max'; value: number }
  /** Only reported: no target. */
  | { kind: 'none'; note?: string };

export type RowStatus = 'pass' | 'fail' | 'info' | 'skipped' | 'error';

export interface BenchRow {
  /** Stable identifier, e.g. `download-1g`. */
  id: string;
  /** The suite that produced it (what `--only` selects). */
  suite: string;
  /** Human label for the table. */
  figure: string;
  unit: string;
  ferry: number | null;
  baseline: number | null;
  /** What the baseline was, e.g. "raw TCP pipe". */
  baselineLabel: string;
  ratio: number | null;
  target: Target;
  status: RowStatus;
  /** Why a row was skipped or failed outside its figures. */
  reason?: string;
  /**
   * For rows with Ferry transfers: whether every transfer's content hash
   * (checked independently by the bench, not only by Ferry) matched.
   */
  hashesMatched?: boolean;
  samples?: { ferry?: number[]; baseline?: number[] };
  details?: Record<string, unknown>;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  mode: string;
  /** The temporary folder the run worked in (removed when it ended). */
  workDir: string;
  machine: { cpus: number; cpuModel: string; totalMemMb: number; node: string; platform: string };
  rows: BenchRow[];
}

export function targetLabel(target: Target): string {
  switch (target.kind) {
    case 'ratio-max': return `≤ ${target.value} ×`;
    case 'ratio-min': return `≥ ${target.value} ×`;
    case 'abs-max': return `≤ ${target.value}`;
    case 'growth-max': return `+ < ${target.value}`;
    case 'none': return target.note ?? '—';
  }
}

/**
 * Builds a finished row: computes the ratio and decides pass/fail. A row
 * whose hashes did not match fails whatever its timings.
 */
export function makeRow(row: Omit<BenchRow, 'ratio' | 'status'> & { status?: RowStatus }): BenchRow {
  const ratio = row.ferry !== null && row.baseline !== null && row.baseline > 0 ? row.ferry / row.baseline : null;
  let status: RowStatus = row.status ?? judge(row.target, row.ferry, row.baseline, ratio);
  if (row.hashesMatched === false) status = 'fail';
  return { ...row, ratio, status };
}

function judge(target: Target, ferry: number | null, baseline: number | null, ratio: number | null): RowStatus {
  switch (target.kind) {
    case 'none': return 'info';
    case 'abs-max': return ferry === null ? 'error' : ferry <= target.value ? 'pass' : 'fail';
    case 'growth-max': return ferry === null || baseline === null ? 'error'
      : ferry - baseline < target.value ? 'pass' : 'fail';
    case 'ratio-max': return ratio === null ? 'error' : ratio <= target.value ? 'pass' : 'fail';
    case 'ratio-min': return ratio === null ? 'error' : ratio >= target.value ? 'pass' : 'fail';
  }
}

export function skippedRow(base: Pick<BenchRow, 'id' | 'suite' | 'figure' | 'unit' | 'baselineLabel' | 'target'>,
  reason: string, status: 'skipped' | 'error' = 'skipped'): BenchRow {
  return { ...base, ferry: null, baseline: null, ratio: null, status, reason };
}

function formatNumber(value: number | null): string {
  if (value === null) return '—';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** A reason fit for one table cell: whitespace collapsed, long text cut. */
function oneLine(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The one table `npm run bench` prints. */
export function formatTable(rows: BenchRow[]): string {
  const header = ['figure', 'unit', 'Ferry', 'baseline', 'ratio', 'target', 'result'];
  const body = rows.map((row) => [
    row.figure,
    row.unit,
    formatNumber(row.ferry),
    row.baseline === null ? '—' : `${formatNumber(row.baseline)} (${row.baselineLabel})`,
    row.ratio === null ? '—' : `${row.ratio.toFixed(2)} ×`,
    targetLabel(row.target),
    row.status === 'skipped' || row.status === 'error' ? `${row.status}: ${oneLine(row.reason ?? '')}`
      : row.status + (row.hashesMatched === false ? ' (hash mismatch)' : ''),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (column === 6 ? 0 : cells[column]!.length))));
  const line = (cells: string[]): string => cells
    .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
    .join(' | ');
  const rule = widths.map((width, column) => '-'.repeat(column === 6 ? 6 : width)).join('-+-');
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** Writes bench-<timestamp>.json and latest.json into `dir`; returns the first path. */
export async function writeReport(report: BenchReport, dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const file = path.join(dir, `bench-${stamp}.json`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  await fs.writeFile(file, text);
  await fs.writeFile(path.join(dir, 'latest.json'), text);
  return file;
}
