/**
 * The terminal UI's responsiveness with a huge remote folder. The measuring
 * itself lives in bench/tui-bench.ts (next to the UI's code owners); this
 * suite calls it and judges the figures. Expected export:
 *
 *   runTuiBench({ entries, workDir, log }) → {
 *     firstFrameMs: number,                   // start → first frame with the listing
 *     keyToFrameMs: number[] | number,        // key press → updated frame, samples or median
 *   }
 */
import { existsSync } from 'node:fs';
import type { BenchContext, Suite } from '../context.js';
import { distPath } from '../processes.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import { errorMessage, median } from '../util.js';

interface TuiBenchResult {
  firstFrameMs: number;
  keyToFrameMs: number[] | number;
  keyToFrameMedianMs?: number;
}

type TuiBench = (options: { entries: number; workDir: string; log: (message: string) => void }) => Promise<TuiBenchResult>;

export const tuiSuite: Suite = {
  name: 'tui',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const entries = context.sizes.tuiEntries;
    const label = `TUI, ${entries.toLocaleString('en-US')} entries`;
    const keyRow = {
      id: 'tui-key-to-frame', suite: this.name, figure: `${label}: key → frame, median`, unit: 'ms',
      baselineLabel: '', target: { kind: 'abs-max', value: 50 } as const,
    };
    const firstRow = {
      id: 'tui-first-frame', suite: this.name, figure: `${label}: first frame`, unit: 'ms',
      baselineLabel: '', target: { kind: 'abs-max', value: 500 } as const,
    };
    const modulePath = distPath('./tui-bench.js');
    if (!existsSync(modulePath)) {
      const reason = 'bench/tui-bench.ts is not there yet';
      return [skippedRow(keyRow, reason), skippedRow(firstRow, reason)];
    }
    let runTuiBench: TuiBench | undefined;
    try {
      const loaded = await import(modulePath) as { runTuiBench?: TuiBench; default?: TuiBench };
      runTuiBench = loaded.runTuiBench ?? loaded.default;
    } catch (error) {
      const reason = `bench/tui-bench.ts does not load: ${errorMessage(error)}`;
      return [skippedRow(keyRow, reason, 'error'), skippedRow(firstRow, reason, 'error')];
    }
    if (typeof runTuiBench !== 'function') {
      const reason = 'bench/tui-bench.ts exports no runTuiBench()';
      return [skippedRow(keyRow, reason), skippedRow(firstRow, reason)];
    }
    try {
      const result = await runTuiBench({ entries, workDir: context.workDir, log: context.log });
      const samples = Array.isArray(result.keyToFrameMs) ? result.keyToFrameMs : [result.keyToFrameMs];
      const keyMedian = result.keyToFrameMedianMs ?? median(samples);
      return [
        makeRow({ ...keyRow, ferry: keyMedian, baseline: null, samples: { ferry: samples } }),
        makeRow({ ...firstRow, ferry: result.firstFrameMs, baseline: null }),
      ];
    } catch (error) {
      const reason = `TUI bench failed: ${errorMessage(error)}`;
      return [skippedRow(keyRow, reason, 'error'), skippedRow(firstRow, reason, 'error')];
    }
  },
};
