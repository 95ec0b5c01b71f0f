/**
 * Several real `ferryd` processes on one shared root and one shared config
 * folder (users file, TLS certificate), each on its own loopback port: the
 * multi-instance deployment of docs/DEPLOY.md, minus the machines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FERRYD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferryd.js');

export interface FerrydInstance {
  child: ChildProcess;
  port: number;
  /** Resolves with the exit status once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface InstanceOptions {
  root: string;
  configDir: string;
  /** More ferryd flags. */
  extra?: readonly string[];
}

export async function startFerryd(options: InstanceOptions): Promise<FerrydInstance> {
  const child = spawn(process.execPath, [
    FERRYD, '--root', options.root, '--config-dir', options.configDir, '--port', '0',
    ...(options.extra?.includes('--log-level') ? [] : ['--log-level', 'warn']), ...(options.extra ?? []),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
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

/** `count` instances started together (they race for the shared config folder, as a real cluster's first start does). */
export function startInstances(count: number, options: InstanceOptions): Promise<FerrydInstance[]> {
  return Promise.all(Array.from({ length: count }, () => startFerryd(options)));
}
