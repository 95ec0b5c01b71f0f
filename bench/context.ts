/** What every suite gets: sizes for the chosen mode, a work folder, logging, shared measurements. */
import type { BenchRow } from './report.js';
import { GiB, KiB, MiB } from './util.js';

export type BenchMode = 'full' | 'quick' | 'tiny';

export interface BenchSizes {
  /** Repetitions of each timed transfer; the median is reported. */
  runs: number;
  bigFile: number;
  smallFiles: number;
  smallFileSize: number;
  clients: number;
  clientFile: number;
  /** Files the lone client downloads one after another for its throughput. */
  soloFiles: number;
  listEntries: number;
  rssSmallFile: number;
  rssLargeFile: number;
  tuiEntries: number;
  /** Whether to look for and run OpenSSH and vsftpd rows. */
  externalTools: boolean;
}

export const SIZES: Record<BenchMode, BenchSizes> = {
  full: {
    runs: 5, bigFile: GiB, smallFiles: 2000, smallFileSize: 4 * KiB, clients: 100, clientFile: 10 * MiB,
    soloFiles: 10, listEntries: 100_000, rssSmallFile: 64 * MiB, rssLargeFile: 4 * GiB, tuiEntries: 100_000,
    externalTools: true,
  },
  quick: {
    runs: 3, bigFile: 128 * MiB, smallFiles: 2000, smallFileSize: 4 * KiB, clients: 100, clientFile: MiB,
    soloFiles: 10, listEntries: 20_000, rssSmallFile: 16 * MiB, rssLargeFile: 512 * MiB, tuiEntries: 20_000,
    externalTools: true,
  },
  tiny: {
    runs: 1, bigFile: 8 * MiB, smallFiles: 50, smallFileSize: 4 * KiB, clients: 10, clientFile: MiB,
    soloFiles: 3, listEntries: 2000, rssSmallFile: 4 * MiB, rssLargeFile: 32 * MiB, tuiEntries: 2000,
    externalTools: false,
  },
};

export interface BenchContext {
  mode: BenchMode;
  sizes: BenchSizes;
  /** This bench run's temporary folder (removed at the end); suites make sub-folders. */
  workDir: string;
  log(message: string): void;
  /** Measurements shared between suites of one run (e.g. the raw pipe's times). */
  shared: Map<string, unknown>;
}

export interface Suite {
  name: string;
  run(context: BenchContext): Promise<BenchRow[]>;
}

/** Human size for labels: "1 GiB", "10 MiB", "4 KiB". */
export function sizeLabel(bytes: number): string {
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} B`;
}
