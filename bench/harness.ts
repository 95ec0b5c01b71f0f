/**
 * Runs the bench suites in one process and one temporary folder, and always
 * cleans up (children ended, folder removed), whatever fails.
 */
import { rmSync, statfsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SIZES, type BenchContext, type BenchMode, type Suite } from './context.js';
import { killAllChildren, killAllChildrenNow } from './processes.js';
import type { BenchReport, BenchRow } from './report.js';
import { bigFileSuite } from './suites/big-file.js';
import { clusterSuite } from './suites/cluster.js';
import { commandsSuite } from './suites/commands.js';
import { listingSuite } from './suites/listing.js';
import { manyClientsSuite } from './suites/many-clients.js';
import { rssFlatSuite } from './suites/rss-flat.js';
import { smallFilesSuite } from './suites/small-files.js';
import { tlsSuite } from './suites/tls.js';
import { toolsSuite } from './suites/tools.js';
import { tuiSuite } from './suites/tui.js';
import { syncSuite } from './suites/sync.js';
import { ftpSuite } from './suites/ftp.js';
import { sftpSuite } from './suites/sftp.js';
import { errorMessage } from './util.js';

const TMPFS_DIR = '/dev/shm';
/** statfs f_type of tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;

export const SUITES: Suite[] = [
  bigFileSuite, tlsSuite, toolsSuite, smallFilesSuite, commandsSuite, manyClientsSuite, clusterSuite, listingSuite, rssFlatSuite, tuiSuite,
  syncSuite, sftpSuite, ftpSuite,
];

export interface RunOptions {
  mode: BenchMode;
  /** Suite names to run; all when empty. */
  only?: string[];
  log?: (message: string) => void;
  /**
   * Where the run's temporary folder goes. By default tmpfs (/dev/shm) when
   * there is one: on a disk, the disk's own cost hides most of the protocol's.
   */
  dir?: string;
}

/** The default parent of the run's folder: tmpfs when this machine has it, else the system's temporary folder. */
export function defaultBenchDir(): string {
  try {
    if (statfsSync(TMPFS_DIR).type === TMPFS_MAGIC) return TMPFS_DIR;
  } catch {
    // No /dev/shm here.
  }
  return os.tmpdir();
}

/**
 * Removes `folder` before returning. Writes the suite queued on the thread
 * pool may still create files in it meanwhile (ENOTEMPTY): it tries again,
 * waiting without returning to the event loop, for up to five seconds.
 */
function removeNow(folder: string): void {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      rmSync(folder, { recursive: true, force: true });
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        process.stderr.write(`bench: could not remove ${folder}: ${errorMessage(error)}\n`);
        return;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

/**
 * Ended by SIGTERM (`timeout`, a cancelled job), the bench would leave its
 * folder behind: gigabytes on /dev/shm, which is memory, until the next boot.
 * The children and the folder go first, then the process, with the status a
 * SIGTERM gives. Returns the way to stop listening once the run is over.
 */
function cleanUpOnTerm(workDir: string): () => void {
  const onTerm = (): void => {
    killAllChildrenNow();
    removeNow(workDir);
    process.exit(143);
  };
  process.once('SIGTERM', onTerm);
  return () => process.removeListener('SIGTERM', onTerm);
}

export async function runBench(options: RunOptions): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const only = options.only ?? [];
  const unknown = only.filter((name) => !SUITES.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown suite ${unknown.join(', ')}; known: ${SUITES.map((suite) => suite.name).join(', ')}`);
  }
  const selected = only.length === 0 ? SUITES : SUITES.filter((suite) => only.includes(suite.name));
  const workDir = await fs.mkdtemp(path.join(options.dir ?? defaultBenchDir(), 'ferry-bench-'));
  const context: BenchContext = {
    mode: options.mode,
    sizes: SIZES[options.mode],
    workDir,
    log: options.log ?? (() => undefined),
    shared: new Map(),
  };
  const rows: BenchRow[] = [];
  const stopCleaningUpOnTerm = cleanUpOnTerm(workDir);
  try {
    for (const suite of selected) {
      context.log(`suite ${suite.name}`);
      try {
        rows.push(...await suite.run(context));
      } catch (error) {
        context.log(`suite ${suite.name} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        rows.push({
          id: `${suite.name}-error`, suite: suite.name, figure: suite.name, unit: '', ferry: null, baseline: null,
          baselineLabel: '', ratio: null, target: { kind: 'none' }, status: 'error', reason: errorMessage(error),
        });
        // A failed suite may leave its server or peers behind.
        await killAllChildren();
      }
    }
  } finally {
    stopCleaningUpOnTerm();
    await killAllChildren();
    await fs.rm(workDir, { recursive: true, force: true, maxRetries: 3 });
  }
  const cpus = os.cpus();
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: options.mode,
    workDir,
    machine: {
      cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', totalMemMb: Math.round(os.totalmem() / 1e6),
      node: process.version, platform: `${process.platform} ${os.release()}`,
    },
    rows,
  };
}
