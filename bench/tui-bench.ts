/**
 * TUI responsiveness with a big remote folder: the real `ferry` binary (the
 * UI from its bundle, as it ships) in a pseudo-terminal, connected to an
 * in-process ferryd serving a folder of `entries` files. Measures
 *   - time to first frame (spawn → first screen drawn) and to the listing
 *     (spawn → the remote rows are on screen),
 *   - key press → updated frame latency for cursor moves (↓, PgDn) and for
 *     typing into the `/` filter (which has to scan the whole folder).
 * The targets: key → frame ≤ 50 ms at the median, first frame ≤ 500 ms.
 * Also here: a selection copied against its folder (runSelectionBench) and a
 * 100 000-entry local folder opened (runLocalOpenBench, target ≤ 500 ms).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/server/log.js';
import { startServer } from '../src/server/server.js';
import { Keys, spawnInTerminal, type TerminalSession } from '../test/helpers/terminal.js';

export interface TuiBenchOptions {
  /** Files in the remote folder (default 100 000). */
  entries?: number;
  /** Key presses measured per kind (default 50). */
  presses?: number;
  /** Path of the built ferry entry point (default dist/src/bin/ferry.js beside this file). */
  ferryBin?: string;
  /** Terminal size (default 120×40). */
  columns?: number;
  rows?: number;
}

export interface LatencyFigures {
  samples: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

export interface TuiBenchResult {
  entries: number;
  /** Spawn → the first frame on screen. */
  firstFrameMs: number;
  /** Spawn → the remote listing's rows on screen. */
  listingShownMs: number;
  /** ↓ key → frame with the cursor moved. */
  cursorDown: LatencyFigures;
  /** PgDn → frame with the next page. */
  pageDown: LatencyFigures;
  /** One character typed into the filter → frame with the filtered rows. */
  filterKey: LatencyFigures;
}

function figures(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return {
    samples: sorted.length,
    medianMs: round(at(0.5)),
    p95Ms: round(at(0.95)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Presses a key and times until the screen satisfies `expect`. */
async function timeKey(term: TerminalSession, key: string, expect: (screen: string) => boolean): Promise<number> {
  const start = performance.now();
  term.write(key);
  await term.waitForFrame(expect, { timeoutMs: 10_000, what: 'the frame after a key press' });
  return performance.now() - start;
}

/** The "cursor/total" counter at the right of the status line. */
const counter = (position: number, total: number): RegExp => new RegExp(`\\b${position}/${total}\\s*$`, 'm');

export async function runTuiBench(options: TuiBenchOptions = {}): Promise<TuiBenchResult> {
  const entries = options.entries ?? 100_000;
  const presses = options.presses ?? 50;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ferryBin = options.ferryBin ?? path.resolve(here, '../src/bin/ferry.js');
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-bench-'));
  const remoteRoot = path.join(base, 'remote');
  const localRoot = path.join(base, 'local');
  await fs.mkdir(remoteRoot);
  await fs.mkdir(localRoot);
  for (let start = 0; start < entries; start += 1000) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(entries, start + 1000); i++) {
      batch.push(fs.writeFile(path.join(remoteRoot, `file-${String(i).padStart(6, '0')}.dat`), ''));
    }
    await Promise.all(batch);
  }
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  let term: TerminalSession | undefined;
  try {
    const started = performance.now();
    term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${server.port}/`], {
      cwd: localRoot,
      columns: options.columns ?? 120,
      rows: options.rows ?? 40,
    });
    await term.waitForFrame((screen) => screen.includes('F5'), { timeoutMs: 20_000, what: 'the first frame' });
    const firstFrameMs = performance.now() - started;
    await term.waitForFrame((screen) => counter(1, entries).test(screen) && screen.includes('file-000000.dat'), {
      timeoutMs: 60_000,
      what: 'the remote listing',
    });
    const listingShownMs = performance.now() - started;

    const down: number[] = [];
    for (let i = 0; i < presses; i++) {
      down.push(await timeKey(term, Keys.down, (screen) => counter(i + 2, entries).test(screen)));
    }
    const page: number[] = [];
    let previous = '';
    for (let i = 0; i < presses; i++) {
      const before = term.text();
      page.push(await timeKey(term, Keys.pageDown, (screen) => screen !== before && screen !== previous));
      previous = term.text();
    }
    term.write(Keys.home);
    await term.waitForFrame((screen) => counter(1, entries).test(screen));
    // Filter: each digit narrows the view; the counter's total shows the new size.
    const filter: number[] = [];
    for (let i = 0; i < presses; i++) {
      term.write('/');
      await term.waitForText('filter: _');
      filter.push(await timeKey(term, '7', (screen) => /filter: 7_/.test(screen) && !counter(1, entries).test(screen)));
      term.write(Keys.escape);
      await term.waitForFrame((screen) => new RegExp(`/${entries}\\s*$`, 'm').test(screen) && !screen.includes('filter:'));
      term.write(Keys.home);
      await term.waitForFrame((screen) => counter(1, entries).test(screen));
    }
    term.write(Keys.f10);
    await term.exited();
    return {
      entries,
      firstFrameMs: round(firstFrameMs),
      listingShownMs: round(listingShownMs),
      cursorDown: figures(down),
      pageDown: figures(page),
      filterKey: figures(filter),
    };
  } finally {
    term?.close();
    await server.close(0).catch(() => undefined);
    await fs.rm(base, { recursive: true, force: true });
  }
}


export interface SelectionBenchResult {
  files: number;
  /** F5 on a folder of `files` small files → all of them on the local disk (median of the rounds). */
  folderMs: number;
  /** `a`, F5 on the same number of files selected in a folder → all on the local disk (median). */
  selectionMs: number;
  /** selectionMs / folderMs: the target is ≤ 2. */
  ratio: number;
  folderTimes: number[];
  selectionTimes: number[];
}

/** Regular files with their final names in `folder` (a transfer's temporary files left out). */
async function finalFiles(folder: string): Promise<number> {
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  return names.filter((name) => !name.endsWith('.ferry-part')).length;
}

async function untilFiles(term: TerminalSession, folder: string, count: number, what: string): Promise<void> {
  const deadline = performance.now() + 120_000;
  while ((await finalFiles(folder)) < count) {
    if (performance.now() > deadline) throw new Error(`${what}: ${count} files did not arrive in 120 s; the screen:\n${term.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * The same `files` small remote files copied by the UI two ways: as their
 * folder (one row, F5 on the folder) and as a selection of every file in it
 * (`a`, F5). A selection should cost about what its folder does.
 */
export async function runSelectionBench(options: { files?: number; fileBytes?: number; rounds?: number; ferryBin?: string } = {}): Promise<SelectionBenchResult> {
  const files = options.files ?? 2000;
  const rounds = options.rounds ?? 3;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ferryBin = options.ferryBin ?? path.resolve(here, '../src/bin/ferry.js');
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-selection-'));
  const remoteRoot = path.join(base, 'remote');
  const localRoot = path.join(base, 'local');
  const content = Buffer.alloc(options.fileBytes ?? 4096, 7);
  // `a-folder` sorts first: the cursor is on it at start; `b-flat` is entered for the selection.
  for (const folder of ['a-folder', 'b-flat']) {
    await fs.mkdir(path.join(remoteRoot, folder), { recursive: true });
    for (let start = 0; start < files; start += 500) {
      const batch: Promise<void>[] = [];
      for (let i = start; i < Math.min(files, start + 500); i++) {
        batch.push(fs.writeFile(path.join(remoteRoot, folder, `f-${String(i).padStart(5, '0')}.dat`), content));
      }
      await Promise.all(batch);
    }
  }
  await fs.mkdir(localRoot);
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  let term: TerminalSession | undefined;
  try {
    term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${server.port}/`], { cwd: localRoot, columns: 120, rows: 40 });
    await term.waitForFrame((screen) => screen.includes('a-folder') && screen.includes('b-flat'), { timeoutMs: 20_000, what: 'the remote listing' });
    const folderTimes: number[] = [];
    const selectionTimes: number[] = [];
    const copied = path.join(localRoot, 'a-folder');
    for (let round = 0; round < rounds; round++) {
      // The folder: the cursor is on a-folder in the remote pane's top folder.
      await fs.rm(copied, { recursive: true, force: true });
      // F5 asks where to (the local pane's folder offered): the clock starts at the Enter that answers.
      term.write(Keys.f5);
      await term.waitForText('To (local folder)', 10_000);
      let started = performance.now();
      term.write(Keys.enter);
      await untilFiles(term, copied, files, 'the folder copy');
      folderTimes.push(performance.now() - started);
      await term.waitForText('1 transfer finished', 30_000);
      // The selection: every file of b-flat, into the local pane's folder.
      for (const name of await fs.readdir(localRoot)) if (name.startsWith('f-')) await fs.rm(path.join(localRoot, name));
      term.write(Keys.down);
      term.write(Keys.enter);
      await term.waitForText(counter(1, files), 10_000);
      term.write('a');
      await term.waitForText(`${files} selected`, 10_000);
      term.write(Keys.f5);
      await term.waitForText('To (local folder)', 10_000);
      started = performance.now();
      term.write(Keys.enter);
      await untilFiles(term, localRoot, files + 1, 'the selection copy');
      selectionTimes.push(performance.now() - started);
      await term.waitForText(`${files} items`, 30_000);
      await term.waitForText('1 transfer finished', 30_000);
      term.write(Keys.backspace);
      await term.waitForText(counter(2, 2), 10_000);
      term.write(Keys.home);
      await term.waitForText(counter(1, 2), 10_000);
    }
    term.write(Keys.f10);
    await term.exited();
    const folderMs = figures(folderTimes).medianMs;
    const selectionMs = figures(selectionTimes).medianMs;
    return { files, folderMs, selectionMs, ratio: Math.round((selectionMs / folderMs) * 100) / 100, folderTimes: folderTimes.map(round), selectionTimes: selectionTimes.map(round) };
  } finally {
    term?.close();
    await server.close(0).catch(() => undefined);
    await fs.rm(base, { recursive: true, force: true });
  }
}

export interface LocalOpenBenchResult {
  entries: number;
  /** Enter on a local folder of `entries` files → its listing on screen (median of the rounds). */
  openMs: number;
  openTimes: number[];
}

/**
 * A local folder of `entries` empty files opened in the local pane (no
 * server): Enter on it in its parent folder → the frame whose counter shows
 * the first of its entries. Backspace goes back up between rounds.
 */
export async function runLocalOpenBench(options: { entries?: number; rounds?: number; ferryBin?: string } = {}): Promise<LocalOpenBenchResult> {
  const entries = options.entries ?? 100_000;
  const rounds = options.rounds ?? 5;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ferryBin = options.ferryBin ?? path.resolve(here, '../src/bin/ferry.js');
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-local-open-'));
  const big = path.join(base, 'big');
  await fs.mkdir(big);
  for (let start = 0; start < entries; start += 1000) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(entries, start + 1000); i++) {
      batch.push(fs.writeFile(path.join(big, `file-${String(i).padStart(6, '0')}.dat`), ''));
    }
    await Promise.all(batch);
  }
  let term: TerminalSession | undefined;
  try {
    term = spawnInTerminal(process.execPath, [ferryBin], { cwd: base, columns: 120, rows: 40 });
    await term.waitForText('Connect to a Ferry server', 20_000);
    term.write(Keys.escape);
    // The local pane alone, its cursor on `big` (the only entry).
    await term.waitForFrame((screen) => !screen.includes('Connect to a Ferry server') && counter(1, 1).test(screen), { timeoutMs: 10_000, what: 'the local pane' });
    const openTimes: number[] = [];
    for (let round = 0; round < rounds; round++) {
      openTimes.push(await timeKey(term, Keys.enter, (screen) => counter(1, entries).test(screen) && screen.includes('file-000000.dat')));
      term.write(Keys.backspace);
      await term.waitForFrame((screen) => counter(1, 1).test(screen), { timeoutMs: 10_000, what: 'the parent folder again' });
    }
    term.write(Keys.f10);
    await term.exited();
    return { entries, openMs: figures(openTimes).medianMs, openTimes: openTimes.map(round) };
  } finally {
    term?.close();
    await fs.rm(base, { recursive: true, force: true });
  }
}

/**
 * `node dist/bench/tui-bench.js [entries]` prints the figures as JSON; `... selection [files]` the
 * selection's; `... local-open [entries]` the local folder's.
 */
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const count = process.argv[3] ? Number(process.argv[3]) : undefined;
  const result = process.argv[2] === 'selection'
    ? await runSelectionBench({ files: count })
    : process.argv[2] === 'local-open'
      ? await runLocalOpenBench({ entries: count })
      : await runTuiBench({ entries: process.argv[2] ? Number(process.argv[2]) : undefined });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
