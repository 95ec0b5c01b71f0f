/**
 * A real HAProxy for integration tests and the bench (Debian package
 * `haproxy`), run in the foreground (`haproxy -db -f CONFIG`). Two ways in:
 *
 * - startHaproxy(config, ports): any whole haproxy.cfg, written into a
 *   temporary folder; ready once every listening port accepts connections.
 * - startDeployHaproxy(dir, backendPorts): the configuration of
 *   docs/DEPLOY.md with the test's loopback ports and an admin socket to read
 *   what its health checks decided; ready once every server passed a check
 *   (no probe connection, so the frontend's session counts stay exact).
 *
 * Tests that need it take `skip: skipUnlessInstalled('haproxy')`
 * (test/helpers/system-tool.ts): skipped with a message here, failing under CI=true.
 *
 *   const proxy = await startHaproxy(`...bind 127.0.0.1:${port}...`, [port]);
 *   try { ... } finally { await proxy.stop(); }
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { accepts, freePort } from './listener.js';
import { findSystemTool } from './system-tool.js';

export const HAPROXY = process.env.HAPROXY ?? findSystemTool('haproxy') ?? 'haproxy';
const DEPLOY_GUIDE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/DEPLOY.md');

export interface RunningHaproxy {
  /** What HAProxy wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** Ends HAProxy and waits for it to exit (and removes a folder it was given to). */
  stop(): Promise<void>;
}

interface Spawned extends RunningHaproxy {
  /** Whether the process has exited, and why it could not start if it never did. */
  exitCode(): number | null;
  spawnError(): Error | undefined;
}

function spawnHaproxy(configFile: string, cleanup: () => Promise<void> = async () => undefined): Spawned {
  const child = spawn(HAPROXY, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let spawnError: Error | undefined;
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('close', () => {
    gone = true;
    resolve();
  }));
  child.once('error', (error) => (spawnError = error));
  return {
    output: () => output,
    exitCode: () => (gone ? child.exitCode ?? -1 : null),
    spawnError: () => spawnError,
    stop: async () => {
      if (!gone && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killTimer);
      await cleanup();
    },
  };
}

/**
 * Starts HAProxy with `config` (a whole haproxy.cfg) and waits until each of
 * `ports` (on 127.0.0.1) accepts a connection, at most `timeoutMs`.
 */
export async function startHaproxy(config: string, ports: readonly number[], timeoutMs = 15_000): Promise<RunningHaproxy> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-haproxy-'));
  const configFile = path.join(folder, 'haproxy.cfg');
  await fs.writeFile(configFile, config);
  const haproxy = spawnHaproxy(configFile, () => fs.rm(folder, { recursive: true, force: true }));
  const deadline = Date.now() + timeoutMs;
  try {
    for (const port of ports) {
      for (;;) {
        const spawnError = haproxy.spawnError();
        if (spawnError) throw new Error(`cannot run ${HAPROXY}: ${spawnError.message}`);
        if (haproxy.exitCode() !== null) throw new Error(`haproxy exited with status ${haproxy.exitCode()}:\n${haproxy.output()}`);
        if (await accepts(port)) break;
        if (Date.now() > deadline) throw new Error(`haproxy does not listen on ${port} after ${timeoutMs} ms:\n${haproxy.output()}`);
        await sleep(50);
      }
    }
  } catch (error) {
    await haproxy.stop();
    throw error;
  }
  return { output: haproxy.output, stop: haproxy.stop };
}

export interface ServerState {
  status: string;
  check: string;
  sessions: number;
}

export interface HaproxyProcess {
  /** The frontend's port on 127.0.0.1. */
  port: number;
  /**
   * Each backend server as HAProxy sees it, by server name: its status (`UP`,
   * `DOWN`, `UP 1/2` …), its last check's result (`L7OK`, `L7RSP` …) and
   * the client sessions it was given so far (checks not counted).
   */
  serverStates(): Promise<Map<string, ServerState>>;
  /** Waits until `name`'s status starts with `status` (bounded by `timeoutMs`). */
  waitForState(name: string, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The ```haproxy block of docs/DEPLOY.md, so that the test runs exactly the
 * configuration the guide gives operators (the guide's ports replaced).
 */
export async function deployGuideConfig(): Promise<string> {
  const guide = await fs.readFile(DEPLOY_GUIDE, 'utf8');
  const match = /```haproxy\n([\s\S]*?)```/.exec(guide);
  if (!match) throw new Error('docs/DEPLOY.md has no ```haproxy block');
  return match[1]!;
}

/**
 * The guide's configuration for a frontend on 127.0.0.1:`frontendPort` and the
 * given backend ports (one `server` line each, named as in the guide), plus an
 * admin socket in `dir`.
 */
export async function testConfig(frontendPort: number, backendPorts: readonly number[], socketPath: string): Promise<string> {
  const guide = await deployGuideConfig();
  const serverLine = /^(\s*)server (\S+) \S+:\d+ (.*)$/m.exec(guide);
  if (!serverLine) throw new Error('docs/DEPLOY.md: the haproxy block has no server line');
  const [, indent, , options] = serverLine;
  const servers = backendPorts.map((port, index) => `${indent}server ferryd-${index + 1} 127.0.0.1:${port} ${options}`).join('\n');
  const withoutServers = guide.replace(/^\s*server .*\n/gm, '');
  return withoutServers
    .replace(/^(\s*)bind \S+/m, `$1bind 127.0.0.1:${frontendPort}`)
    .replace(/^(backend \S+\n(?:.*\S.*\n)*)/m, `$1${servers}\n`)
    .replace(/^global\n/m, `global\n    stats socket ${socketPath} mode 600 level admin\n`);
}

/** HAProxy with docs/DEPLOY.md's configuration in front of `backendPorts`; its files go in `dir`. */
export async function startDeployHaproxy(dir: string, backendPorts: readonly number[]): Promise<HaproxyProcess> {
  const port = await freePort();
  const socketPath = path.join(dir, 'haproxy.sock');
  const configPath = path.join(dir, 'haproxy.cfg');
  await fs.writeFile(configPath, await testConfig(port, backendPorts, socketPath));
  const haproxy = spawnHaproxy(configPath);
  const { output, stop } = haproxy;

  const adminCommand = (command: string): Promise<string> => new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.on('error', reject);
    socket.on('end', () => resolve(reply));
    socket.write(`${command}\n`);
  });
  const serverStates = async (): Promise<Map<string, ServerState>> => {
    const csv = (await adminCommand('show stat')).split('\n');
    const columns = (csv[0] ?? '').replace(/^# /, '').split(',');
    const name = columns.indexOf('svname');
    const status = columns.indexOf('status');
    const check = columns.indexOf('check_status');
    const sessions = columns.indexOf('stot');
    const states = new Map<string, ServerState>();
    for (const line of csv.slice(1)) {
      const fields = line.split(',');
      const server = fields[name];
      if (server !== undefined && server.startsWith('ferryd-')) {
        states.set(server, {
          status: fields[status] ?? '', check: (fields[check] ?? '').replace(/^\* ?/, ''), sessions: Number(fields[sessions] ?? 0),
        });
      }
    }
    return states;
  };
  // HAProxy counts a server UP until its checks say otherwise: UP is only believed with a passed check.
  const isSettled = (state: ServerState | undefined, status: 'UP' | 'DOWN'): boolean =>
    state !== undefined && state.status === status && (status === 'DOWN' || state.check === 'L7OK');
  const waitForState = async (name: string, status: 'UP' | 'DOWN', timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = (await serverStates()).get(name);
      // `UP 1/2` is UP going down, `DOWN 1/2` is DOWN coming up: only a settled state counts.
      if (isSettled(state, status)) return;
      if (Date.now() > deadline) throw new Error(`HAProxy: ${name} is ${JSON.stringify(state)}, not ${status}, after ${timeoutMs} ms\n${output()}`);
      await sleep(100);
    }
  };

  // Ready once every server has passed its first health check.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (haproxy.spawnError()) throw new Error(`cannot run ${HAPROXY}: ${haproxy.spawnError()!.message}`);
    if (haproxy.exitCode() !== null) throw new Error(`haproxy exited at start:\n${output()}`);
    const states = await serverStates().catch(() => new Map<string, ServerState>());
    if (states.size === backendPorts.length && [...states.values()].every((state) => isSettled(state, 'UP'))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy: the servers did not pass their health checks: ${JSON.stringify([...states])}\n${output()}`);
    }
    await sleep(100);
  }
  return {
    port,
    serverStates,
    waitForState,
    output,
    stop,
  };
}
