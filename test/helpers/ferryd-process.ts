/**
 * The real `ferryd` binary as a child process on a loopback port, chosen by the
 * kernel (port 0) unless given, read back from the address line it prints at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FERRYD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferryd.js');

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface FerrydProcess {
  child: ChildProcess;
  port: number;
  /** Resolves with the exit status once the process has exited. */
  exited: Promise<ExitStatus>;
  /** Everything it wrote to stderr so far (its log). */
  stderr(): string;
  /** SIGTERM (unless it has exited already), then waits for the exit. */
  stop(): Promise<ExitStatus>;
}

export interface FerrydProcessOptions {
  root: string;
  /** Its config folder (users file, TLS certificate). */
  configDir: string;
  /** The port to listen on (another ferryd's, to stand in for it after it died); 0 or absent: one the kernel picks. */
  port?: number;
  /** More ferryd flags; `--log-level warn` unless they name a level. */
  extra?: readonly string[];
}

/** Starts ferryd and resolves once it listens; rejects with its log if it exits first. */
export async function spawnFerryd(options: FerrydProcessOptions): Promise<FerrydProcess> {
  const extra = options.extra ?? [];
  const child = spawn(process.execPath, [
    FERRYD, '--root', options.root, '--config-dir', options.configDir, '--port', String(options.port ?? 0),
    ...(extra.includes('--log-level') ? [] : ['--log-level', 'warn']), ...extra,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^ferryd listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`ferryd exited at start: ${stderr}`)));
  });
  return {
    child,
    port,
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
