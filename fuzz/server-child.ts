/**
 * A ferryd in a process of its own, for the live fuzzer: its memory is then
 * the server's alone, and a crash shows as the process exiting. Started by
 * fuzz/live-fuzz.ts with `fork` and `--expose-gc`; talks over the IPC channel.
 *
 *   argv: <anonymous root> <good user's root>; env FERRY_FUZZ_GOOD_USER / FERRY_FUZZ_GOOD_PASSWORD
 *   → { type: 'ready', port }            once listening
 *   ← { type: 'memory' }  → { type: 'memory', sessions, rss, heapUsed, external, arrayBuffers } (after a full GC)
 *   ← { type: 'close' }   → { type: 'closed' } then exit 0
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startServer } from '../src/server/server.js';
import { createLogger } from '../src/server/log.js';
import { ErrorCode, FerryError } from '../src/protocol/errors.js';

export interface ChildMemory {
  /** Sessions the server still holds. */
  sessions: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** The server's event-loop delay since it started (ms): the longest, and the 99th percentile. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
  /**
   * Turns of the loop that took over half a second, and the CPU time the
   * process used during them: near the wall time, the server's own work
   * blocked it; far below, the machine did not schedule it.
   */
  stalls: number;
  stallWallMs: number;
  stallCpuMs: number;
}

export type ChildReport =
  | { type: 'ready'; port: number }
  | ({ type: 'memory' } & ChildMemory)
  | { type: 'closed' };

export type ChildCommand = { type: 'memory' } | { type: 'close' };

/** Limits generous enough that the fuzzer's many connections are served rather than refused. */
export const FUZZ_SERVER_LIMITS = {
  maxConnections: 5000,
  maxConnectionsPerAddress: 2000,
  handshakeTimeoutMs: 3000,
};

/** Counts gaps of over `thresholdMs` between 10 ms ticks, with the CPU time the process spent in them. */
function watchStalls(thresholdMs: number): { stalls: number; stallWallMs: number; stallCpuMs: number } {
  const totals = { stalls: 0, stallWallMs: 0, stallCpuMs: 0 };
  let lastWall = performance.now();
  let lastCpu = process.cpuUsage();
  setInterval(() => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const gap = wall - lastWall;
    if (gap > thresholdMs) {
      totals.stalls++;
      totals.stallWallMs += gap;
      totals.stallCpuMs += (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    }
    lastWall = wall;
    lastCpu = cpu;
  }, 10).unref();
  return totals;
}

function send(report: ChildReport): void {
  process.send?.(report);
}

async function main(): Promise<void> {
  const [root, goodRoot] = process.argv.slice(2);
  if (!root || !goodRoot || !process.send) throw new Error('usage: fork(server-child.js, [root, goodRoot]) with an IPC channel');
  const goodUser = process.env.FERRY_FUZZ_GOOD_USER ?? 'good';
  const goodPassword = process.env.FERRY_FUZZ_GOOD_PASSWORD ?? '';
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const stalls = watchStalls(500);
  const server = await startServer({
    root,
    // Anonymous sessions (the attackers) get the playground; the good user its own root, out of their reach.
    authenticate: async ({ method, user, secret }) => {
      if (method === 'none') return { user: '', root, readOnly: false };
      if (method === 'password' && user === goodUser && secret === goodPassword && goodPassword !== '') {
        return { user, root: goodRoot, readOnly: false };
      }
      throw new FerryError(ErrorCode.AUTH, 'unknown user or wrong password');
    },
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ level: process.env.FERRY_FUZZ_SERVER_LOG === '1' ? 'warn' : 'silent' }),
    limits: FUZZ_SERVER_LIMITS,
  });
  process.on('message', (command: ChildCommand) => {
    if (command.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
      send({
        type: 'memory', sessions: server.sessionCount, rss, heapUsed, external, arrayBuffers,
        loopDelayMaxMs: loopDelay.max / 1e6, loopDelayP99Ms: loopDelay.percentile(99) / 1e6, ...stalls,
      });
    } else if (command.type === 'close') {
      void server.close(1000).then(() => {
        send({ type: 'closed' });
        process.disconnect();
      });
    }
  });
  send({ type: 'ready', port: server.port });
}

// Any exception escaping the server is a crash: let it end the process so the fuzzer counts it.
await main();
