/**
 * Making written files durable for a tree upload's batches (TPUT, see
 * Storage.flushStaged).
 *
 * A few files are flushed one by one (fsync each, in parallel on the thread
 * pool): that touches only their data. Many are flushed with one syncfs(2) of
 * their file system instead, which costs about one flush whatever the count,
 * where an fsync per small file costs a disk flush each. Node has no binding
 * for syncfs, so it runs coreutils' `sync -f` (Linux), through a helper shell
 * started once (SyncHelper, below); where that is missing the files are
 * flushed one by one.
 *
 * syncfs flushes everything dirty on the file system, not only ours, so it is
 * shared (group commit): at most one runs at a time in the process, and a
 * request made while one runs waits for the next, which starts when the
 * running one ends and covers every request made meanwhile. However many
 * sessions upload trees, the disk sees one whole-file-system flush at a time,
 * and no client can multiply them.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, constants as fsConstants, fsync, openSync } from 'node:fs';
import { errnoCode, toFerryError } from './errors.js';

const { O_RDONLY, O_NOFOLLOW } = fsConstants;

/** Below this many paths, fsync each; from it on, one shared syncfs. */
export const SYNCFS_FROM_PATHS = 32;

let syncfsWorks: boolean | undefined = process.platform === 'linux' ? undefined : false;

/** Flushes the data (or, for folders, the entries) of `paths`, real paths on the file system holding `anyFolder`. */
export async function flushPaths(paths: readonly string[], anyFolder: string): Promise<void> {
  if (paths.length === 0) return;
  if (paths.length >= SYNCFS_FROM_PATHS && syncfsWorks !== false && await sharedSyncfs(anyFolder)) return;
  await Promise.all(paths.map((real) => fsyncPath(real)));
}

interface Waiter {
  resolve(ok: boolean): void;
}

const requested = new Set<string>();
let waiting: Waiter[] = [];
let running = false;
let runs = 0;

/** How many syncfs runs this process has made (for tests of the sharing). */
export function syncfsRuns(): number {
  return runs;
}

/** A syncfs that starts after this call, shared with every request made while the previous one ran. */
function sharedSyncfs(folder: string): Promise<boolean> {
  requested.add(folder);
  const done = new Promise<boolean>((resolve) => waiting.push({ resolve }));
  if (!running) void runSyncfs();
  return done;
}

async function runSyncfs(): Promise<void> {
  running = true;
  while (requested.size > 0) {
    const folders = [...requested];
    const batch = waiting;
    requested.clear();
    waiting = [];
    runs++;
    const ok = await syncFileSystems(folders);
    if (syncfsWorks === undefined || !ok) syncfsWorks = ok;
    for (const waiter of batch) waiter.resolve(ok);
  }
  running = false;
}

/** `sync -f` of the file systems holding `folders`; false where it is not available or failed. */
async function syncFileSystems(folders: readonly string[]): Promise<boolean> {
  const results = await Promise.all(folders.map((folder) => syncHelper.syncfs(folder)));
  return results.every(Boolean);
}

/** `sync -f` as a child of its own, for what the helper cannot take. */
function syncfsByChild(folder: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sync', ['-f', '--', folder], { timeout: SYNC_TIMEOUT_MS }, (error) => resolve(!error));
  });
}

/**
 * A shell started once that runs `sync -f` for each folder it reads on a
 * line and answers with the exit status. Starting a child straight from
 * ferryd blocks its event loop for milliseconds every time (the fork copies
 * the page tables of the whole server, ~4–15 ms at 100–230 MB): once per
 * flush, that stalled every session several times per tree. The shell is
 * small, so its own fork per `sync` costs little and blocks nobody.
 * A name with a line break, or a helper that cannot start or has died, falls
 * back to a child of ferryd's own; the helper never keeps ferryd running.
 */
class SyncHelper {
  private child: ChildProcessWithoutNullStreams | undefined;
  /** Answers awaited, in the order the folders were written. */
  private waiting: ((ok: boolean | undefined) => void)[] = [];
  private output = '';
  private timer: NodeJS.Timeout | undefined;

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async syncfs(folder: string): Promise<boolean> {
    if (folder.includes('\n')) return syncfsByChild(folder);
    const answer = await this.ask(folder);
    return answer ?? syncfsByChild(folder);
  }

  /** true/false: the helper's `sync -f` exit status; undefined: the helper was not there to answer. */
  private ask(folder: string): Promise<boolean | undefined> {
    const child = this.start();
    if (!child) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length === 1) this.hold(child, true);
      child.stdin.write(`${folder}\n`);
    });
  }

  private start(): ChildProcessWithoutNullStreams | undefined {
    if (this.child) return this.child;
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn('sh', ['-c', SYNC_LOOP], { stdio: 'pipe' });
    } catch {
      return undefined;
    }
    const ended = (): void => {
      if (this.child !== child) return;
      this.child = undefined;
      this.output = '';
      clearTimeout(this.timer);
      for (const resolve of this.waiting.splice(0)) resolve(undefined);
    };
    child.on('error', ended);
    child.on('exit', ended);
    child.stdin.on('error', ended);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => this.answered(child, text));
    this.hold(child, false);
    this.child = child;
    return child;
  }

  private answered(child: ChildProcessWithoutNullStreams, text: string): void {
    this.output += text;
    let end: number;
    while ((end = this.output.indexOf('\n')) >= 0) {
      const status = this.output.slice(0, end);
      this.output = this.output.slice(end + 1);
      this.waiting.shift()?.(status === '0');
    }
    // Each answer shows the helper is alive: the time limit starts again while more are awaited.
    this.hold(child, this.waiting.length > 0);
  }

  /**
   * Keeps the process alive for the helper only while an answer is awaited,
   * and ends a helper that has not answered for SYNC_TIMEOUT_MS (its callers
   * then fall back to a child of their own, which has the same limit).
   */
  private hold(child: ChildProcessWithoutNullStreams, busy: boolean): void {
    clearTimeout(this.timer);
    if (busy) this.timer = setTimeout(() => child.kill('SIGKILL'), SYNC_TIMEOUT_MS);
    // The pipes are sockets, which can be unreferenced like the process.
    const pipes = [child.stdin, child.stdout, child.stderr] as unknown as { ref(): void; unref(): void }[];
    for (const handle of [child, ...pipes]) {
      if (busy) handle.ref();
      else handle.unref();
    }
  }
}

/** How long one `sync -f` may take before it counts as failed. */
const SYNC_TIMEOUT_MS = 120_000;

/** The helper's loop: one folder per line in, one exit status per line out; it ends when ferryd closes its input. */
const SYNC_LOOP = 'while IFS= read -r folder; do sync -f -- "$folder" >/dev/null 2>&1; echo $?; done';

const syncHelper = new SyncHelper();

/** The helper shell's process id while it runs (for tests). */
export function syncHelperPid(): number | undefined {
  return syncHelper.pid;
}

/** fsync of one file or folder by its real path (read-only descriptors can be flushed too). */
async function fsyncPath(real: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(real, O_RDONLY | O_NOFOLLOW);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw toFerryError(error);
  }
  try {
    await new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
  } catch (error) {
    throw toFerryError(error);
  } finally {
    closeSync(fd);
  }
}
