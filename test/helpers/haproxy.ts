/**
 * A real HAProxy for integration tests (Debian package `haproxy`): the config
 * is written into a temporary folder, `haproxy -db -f CONFIG` runs in the
 * foreground, and the returned handle resolves once every listening port
 * accepts connections. `stop()` ends the process and removes the folder.
 *
 *   const proxy = await startHaproxy(`...bind 127.0.0.1:${port}...`, [port]);
 *   try { ... } finally { await proxy.stop(); }
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const HAPROXY = process.env.HAPROXY ?? 'haproxy';

export interface RunningHaproxy {
  /** What HAProxy wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Ends HAProxy and waits for it to exit; removes the config folder. */
  stop(): Promise<void>;
}

/** Whether an `haproxy` binary runs here (tests skip, saying why, when it does not). */
export function haproxyAvailable(): boolean {
  const probe = spawnSync(HAPROXY, ['-v'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** A free TCP port on `host`, for a `bind` line (HAProxy cannot report the port it picked). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts HAProxy with `config` (a whole haproxy.cfg) and waits until each of
 * `ports` (on 127.0.0.1) accepts a connection, at most `timeoutMs`.
 */
export async function startHaproxy(config: string, ports: readonly number[], timeoutMs = 15_000): Promise<RunningHaproxy> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-haproxy-'));
  const configFile = path.join(folder, 'haproxy.cfg');
  await fs.writeFile(configFile, config);
  const child = spawn(HAPROXY, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killTimer);
    await fs.rm(folder, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  try {
    for (const port of ports) {
      for (;;) {
        if (spawnError) throw new Error(`cannot run ${HAPROXY}: ${spawnError.message}`);
        if (child.exitCode !== null) throw new Error(`haproxy exited with status ${child.exitCode}:\n${output}`);
        if (await accepts(port)) break;
        if (Date.now() > deadline) throw new Error(`haproxy does not listen on ${port} after ${timeoutMs} ms:\n${output}`);
        await sleep(50);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { output: () => output, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
