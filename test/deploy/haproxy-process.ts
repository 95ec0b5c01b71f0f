/**
 * HAProxy as a child process for the multi-instance tests: the configuration
 * of docs/DEPLOY.md with the test's loopback ports, run in the foreground
 * (`haproxy -db -f`), an admin socket to read what its health checks decided,
 * and a stop that waits for it to exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const HAPROXY = '/usr/sbin/haproxy';

/**
 * Why the tests that need HAProxy cannot run on this machine, or false. Under
 * CI (CI=true) a missing HAProxy is not a reason: the tests run and fail.
 */
export const haproxyMissing: string | false = existsSync(HAPROXY) || process.env.CI === 'true'
  ? false : `${HAPROXY} is not installed (apt-get install haproxy; .ci/run installs it)`;
const DEPLOY_GUIDE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/DEPLOY.md');

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

/** A port no one listens on now (HAProxy needs one it is told, not 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startHaproxy(dir: string, backendPorts: readonly number[]): Promise<HaproxyProcess> {
  const port = await freePort();
  const socketPath = path.join(dir, 'haproxy.sock');
  const configPath = path.join(dir, 'haproxy.cfg');
  await fs.writeFile(configPath, await testConfig(port, backendPorts, socketPath));
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));

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
      if (Date.now() > deadline) throw new Error(`HAProxy: ${name} is ${JSON.stringify(state)}, not ${status}, after ${timeoutMs} ms\n${output}`);
      await sleep(100);
    }
  };

  const stop = async (): Promise<void> => {
    if (!gone) child.kill('SIGTERM');
    await exited;
  };
  // Ready once every server has passed its first health check.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error(`haproxy exited at start:\n${output}`);
    const states = await serverStates().catch(() => new Map<string, ServerState>());
    if (states.size === backendPorts.length && [...states.values()].every((state) => isSettled(state, 'UP'))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy: the servers did not pass their health checks: ${JSON.stringify([...states])}\n${output}`);
    }
    await sleep(100);
  }
  return {
    port,
    serverStates,
    waitForState,
    output: () => output,
    stop,
  };
}
