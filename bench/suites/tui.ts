/**
 * The terminal UI's responsiveness with a huge remote folder. The measuring
 * itself lives in bench/tui-bench.ts (`runTuiBench`, written with the UI):
 * the real `ferry` binary in a pseudo-terminal against a ferryd serving the
 * folder. This suite calls it and judges the figures.
 */
import { existsSync } from 'node:fs';
import type { BenchContext, Suite } from '../context.js';
import { distPath } from '../processes.js';
import { makeRow, skippedRow, type BenchRow, type Target } from '../report.js';
import { errorMessage } from '../util.js';

interface Latency {
  samples: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

interface TuiBenchResult {
  firstFrameMs: number;
  listingShownMs?: number;
  cursorDown?: Latency;
  pageDown?: Latency;
  filterKey?: Latency;
}

type TuiBench = (options: { entries: number }) => Promise<TuiBenchResult>;

interface SelectionBenchResult {
  files: number;
  folderMs: number;
  selectionMs: number;
  ratio: number;
}

type SelectionBench = (options: { files: number }) => Promise<SelectionBenchResult>;

type LocalOpenBench = (options: { entries: number }) => Promise<{ entries: number; openMs: number; openTimes: number[] }>;

/** Files of the selection row: the 2000 (the quick sizes use fewer). */
const SELECTION_FILES: Record<BenchContext['mode'], number> = { full: 2000, quick: 2000, tiny: 200 };

export const tuiSuite: Suite = {
  name: 'tui',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const entries = context.sizes.tuiEntries;
    const label = `TUI, ${entries.toLocaleString('en-US')} entries`;
    const keyTarget: Target = { kind: 'abs-max', value: 50 };
    const rowBases = [
      { id: 'tui-first-frame', figure: `${label}: first frame`, target: { kind: 'abs-max', value: 500 } as Target },
      { id: 'tui-key-down', figure: `${label}: ↓ → frame, median`, target: keyTarget },
      { id: 'tui-key-pgdn', figure: `${label}: PgDn → frame, median`, target: keyTarget },
      { id: 'tui-key-filter', figure: `${label}: filter key → frame, median`, target: keyTarget },
      { id: 'tui-listing-shown', figure: `${label}: listing on screen`, target: { kind: 'none' } as Target },
    ].map((base) => ({ ...base, suite: this.name, unit: 'ms', baselineLabel: '' }));
    const skipAll = (reason: string, status: 'skipped' | 'error' = 'skipped'): BenchRow[] =>
      rowBases.map((base) => skippedRow(base, reason, status));

    const modulePath = distPath('./tui-bench.js');
    if (!existsSync(modulePath)) return skipAll('bench/tui-bench.ts is not there');
    let runTuiBench: TuiBench | undefined;
    try {
      runTuiBench = (await import(modulePath) as { runTuiBench?: TuiBench }).runTuiBench;
    } catch (error) {
      return skipAll(`bench/tui-bench.ts does not load: ${errorMessage(error)}`, 'error');
    }
    if (typeof runTuiBench !== 'function') return skipAll('bench/tui-bench.ts exports no runTuiBench()');
    let result: TuiBenchResult;
    try {
      context.log(`TUI with ${entries} entries`);
      result = await runTuiBench({ entries });
    } catch (error) {
      return skipAll(`TUI bench failed: ${errorMessage(error)}`, 'error');
    }
    return [
      ...figureRows(rowBases, result),
      await selectionRow(context, modulePath, this.name),
      await localOpenRow(context, modulePath, this.name),
    ];
  },
};

type RowBase = Pick<BenchRow, 'id' | 'suite' | 'figure' | 'unit' | 'baselineLabel' | 'target'>;

function figureRows(rowBases: RowBase[], result: TuiBenchResult): BenchRow[] {
  const figures: (number | Latency | undefined)[] = [
    result.firstFrameMs, result.cursorDown, result.pageDown, result.filterKey, result.listingShownMs,
  ];
  return rowBases.map((base, index) => {
    const figure = figures[index];
    if (figure === undefined) return skippedRow(base, 'not measured by runTuiBench');
    const value = typeof figure === 'number' ? figure : figure.medianMs;
    return makeRow({
      ...base, ferry: value, baseline: null,
      ...(typeof figure === 'number' ? {} : { details: { p95Ms: figure.p95Ms, maxMs: figure.maxMs, samples: figure.samples } }),
    });
  });
}

/**
 * The same small files copied by the UI as a selection (`a`, F5) and as
 * their folder (F5): the target is a selection within 2 × its folder.
 */
async function selectionRow(context: BenchContext, modulePath: string, suite: string): Promise<BenchRow> {
  const files = SELECTION_FILES[context.mode];
  const base: RowBase = {
    id: 'tui-selection-copy', suite, figure: `TUI, ${files.toLocaleString('en-US')} × 4 KiB selected files → local`, unit: 'ms',
    baselineLabel: 'the same files as one folder', target: { kind: 'ratio-max', value: 2 },
  };
  try {
    const run = (await import(modulePath) as { runSelectionBench?: SelectionBench }).runSelectionBench;
    if (typeof run !== 'function') return skippedRow(base, 'bench/tui-bench.ts exports no runSelectionBench()');
    context.log(`TUI: ${files} selected files against their folder`);
    const result = await run({ files });
    return makeRow({ ...base, ferry: result.selectionMs, baseline: result.folderMs });
  } catch (error) {
    return skippedRow(base, `selection bench failed: ${errorMessage(error)}`, 'error');
  }
}

/** Entries of the local folder row: the 100 000 (tiny runs use fewer). */
const LOCAL_OPEN_ENTRIES: Record<BenchContext['mode'], number> = { full: 100_000, quick: 100_000, tiny: 10_000 };

/** A local folder of 100 000 files opened in the local pane (Enter → its rows on screen): the target is ≤ 0.5 s. */
async function localOpenRow(context: BenchContext, modulePath: string, suite: string): Promise<BenchRow> {
  const entries = LOCAL_OPEN_ENTRIES[context.mode];
  const base = {
    id: 'tui-local-open', suite, figure: `TUI, ${entries.toLocaleString('en-US')}-entry local folder opened (Enter → rows)`, unit: 'ms',
    baselineLabel: '', target: { kind: 'abs-max', value: 500 } as Target,
  };
  try {
    const run = (await import(modulePath) as { runLocalOpenBench?: LocalOpenBench }).runLocalOpenBench;
    if (typeof run !== 'function') return skippedRow(base, 'bench/tui-bench.ts exports no runLocalOpenBench()');
    context.log(`TUI opening a local folder of ${entries} entries`);
    const result = await run({ entries });
    return makeRow({ ...base, ferry: result.openMs, baseline: null, details: { samples: result.openTimes } });
  } catch (error) {
    return skippedRow(base, `local folder bench failed: ${errorMessage(error)}`, 'error');
  }
}
