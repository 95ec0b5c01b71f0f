/**
 * Child processes of the bench: ferryd, the raw-pipe peer, external tools.
 * Every child is tracked so the bench can end them all on the way out, even
 * after a failure.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const children = new Set<ChildProcess>();

export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** How many children of the bench are still running. */
export function runningChildren(): number {
  return children.size;
}

/** Ends every child still running at once (SIGKILL), for a bench that must stop now. */
export function killAllChildrenNow(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** Ends every child still running: SIGTERM, then SIGKILL after `graceMs`. */
export async function killAllChildren(graceMs = 2000): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, graceMs)));
}

export async function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Resolves with the first match of `pattern` in the child's stdout or stderr;
 * rejects if the child exits first or nothing matches within `timeoutMs`.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = seen.match(pattern);
      if (match) {
        finish();
        resolve(match);
      } else if (seen.length > 65_536) {
        seen = seen.slice(-4096);
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      finish();
      reject(new Error(`process exited (${code ?? signal}) before printing ${pattern}: ${seen.slice(-500).trim()}`));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${seen.slice(-500).trim()}`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Keeps reading a child's output so it never blocks on a full pipe. */
export function drainOutput(child: ChildProcess): void {
  child.stdout?.resume();
  child.stderr?.resume();
}

export interface MemoryReading {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size since the process started, bytes. */
  hwm: number;
}

/** VmRSS and VmHWM of a process, from /proc (Linux only). */
export function readMemory(pid: number): MemoryReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => {
      const match = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
      return match ? Number(match[1]) * 1024 : Number.NaN;
    };
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `intervalMs` and keeps the largest value. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peak = 0;
  samples = 0;

  constructor(private readonly pid: number, private readonly intervalMs = 20) {}

  start(): this {
    this.peak = 0;
    this.samples = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.peak;
  }

  private sample(): void {
    const reading = readMemory(this.pid);
    if (reading && Number.isFinite(reading.rss)) {
      this.peak = Math.max(this.peak, reading.rss);
      this.samples += 1;
    }
  }
}

/** Path of a file in the compiled tree, relative to dist/bench/. */
export function distPath(relative: string): string {
  return fileURLToPath(new URL(relative, new URL('./', import.meta.url)));
}

export interface FerrydProcess {
  child: ChildProcess;
  pid: number;
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the real ferryd binary (dist/src/bin/ferryd.js) on an ephemeral
 * loopback port and waits for its "ferryd listening on HOST:PORT" line. Its
 * config folder is a sibling of `root` inside the bench's temporary folder,
 * so the user's own ferry configuration is never read or written. Plain TCP
 * only unless `extraArgs` names a certificate.
 */
export async function startFerryd(root: string, extraArgs: string[] = []): Promise<FerrydProcess> {
  const binary = distPath('../src/bin/ferryd.js');
  const tls = extraArgs.includes('--tls-cert') ? [] : ['--no-tls'];
  const child = spawnTracked(process.execPath, [
    binary, '--root', root, '--host', '127.0.0.1', '--port', '0', '--config-dir', `${root}.config`, ...tls, ...extraArgs,
  ]);
  return attachListening(child);
}

/** Waits for a server process's listening line and wraps it. */
export async function attachListening(child: ChildProcess): Promise<FerrydProcess> {
  const match = await waitForOutput(child, /listening on (\S+):(\d+)/);
  drainOutput(child);
  const host = match[1]!.replace(/^\[|\]$/g, '');
  return {
    child,
    pid: child.pid!,
    host,
    port: Number(match[2]),
    stop: () => stopChild(child),
  };
}
