/**
 * The live fuzzer: a real ferryd in its own process, many connections sending
 * mutated, truncated, oversized and random frames, and well-behaved clients
 * moving files at the same time. At the end: the server must be alive, every
 * good transfer must have matched its hash, no attacker may have read or
 * changed anything outside its root, every server frame must have been valid,
 * and the server's memory must be back near where it started.
 *
 * Layout on disk (one temporary folder):
 *   playground/   the anonymous root the attackers get; holds files to fetch
 *                 and symlinks pointing to outside/ and to good/
 *   good/         the root of the good user (password login)
 *   outside/      a folder no session may reach; checked unchanged at the end
 *   local/        the good clients' local files
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { attackUntil, FramePool, newAttackStats, Random, type AttackStats, type Playground } from './attacks.js';
import { connectGood, goodTrafficUntil, newGoodTrafficStats, type GoodTrafficStats } from './good-traffic.js';
import { newProbeStats, type Probe, type ProbeStats } from './probe.js';
import type { ChildCommand, ChildMemory, ChildReport } from './server-child.js';

export interface LiveFuzzOptions {
  durationMs: number;
  /** Concurrent attacking connections. */
  attackers: number;
  /** Concurrent good clients. */
  goodClients: number;
  seed: number;
  /** Progress lines (one every few seconds); silent when missing. */
  log?: (line: string) => void;
}

export interface LiveFuzzReport {
  durationMs: number;
  seed: number;
  attack: AttackStats;
  probe: ProbeStats;
  good: GoodTrafficStats;
  /** The server process exited on its own (must be 0). */
  crashes: number;
  crashDetails: string[];
  /** Secret bytes or names from outside/ seen by an attacker, or outside/ changed (must be 0). */
  jailBreaches: string[];
  /** A fresh good client could connect and list at the end. */
  aliveAtEnd: boolean;
  memory: { baseline: ChildMemory; peak: ChildMemory; final: ChildMemory };
  /** The fuzzer's own event-loop delay (ms): when it is as long as the server's, the machine, not ferryd, was slow. */
  fuzzerLoopDelay: { maxMs: number; p99Ms: number };
}

export const GOOD_USER = { user: 'good', password: 'fuzz-good-password' };

const childScript = fileURLToPath(new URL('./server-child.js', import.meta.url));

class ServerProcess {
  readonly exited: Promise<string>;
  private readonly child: ChildProcess;
  private stderr = '';
  private expectingExit = false;
  crashed = false;

  constructor(playground: string, goodRoot: string) {
    this.child = fork(childScript, [playground, goodRoot], {
      execArgv: ['--expose-gc', '--enable-source-maps'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, FERRY_FUZZ_GOOD_USER: GOOD_USER.user, FERRY_FUZZ_GOOD_PASSWORD: GOOD_USER.password },
    });
    // A server starved of CPU, as on a loaded machine: FERRY_FUZZ_SERVER_NICE=19 reproduces late closes on an idle one.
    const nice = Number(process.env.FERRY_FUZZ_SERVER_NICE ?? 0);
    if (nice > 0 && this.child.pid !== undefined) os.setPriority(this.child.pid, nice);
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      if (!this.expectingExit) this.crashed = true;
      resolve(`exit code ${code} signal ${signal}; stderr: ${this.stderr.trim() || '(empty)'}`);
    }));
  }

  ready(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onMessage = (report: ChildReport) => {
        if (report.type === 'ready') {
          this.child.off('message', onMessage);
          resolve(report.port);
        }
      };
      this.child.on('message', onMessage);
      void this.exited.then((why) => reject(new Error(`the server did not start: ${why}`)));
    });
  }

  memory(): Promise<ChildMemory | undefined> {
    if (this.crashed || !this.child.connected) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), 5000);
      const onMessage = (report: ChildReport) => {
        if (report.type === 'memory') done(report);
      };
      const done = (memory: ChildMemory | undefined) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(memory && {
          sessions: memory.sessions, rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external,
          arrayBuffers: memory.arrayBuffers, loopDelayMaxMs: memory.loopDelayMaxMs, loopDelayP99Ms: memory.loopDelayP99Ms,
          stalls: memory.stalls, stallWallMs: memory.stallWallMs, stallCpuMs: memory.stallCpuMs,
        });
      };
      this.child.on('message', onMessage);
      this.command({ type: 'memory' });
    });
  }

  async close(): Promise<void> {
    this.expectingExit = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.command({ type: 'close' });
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private command(command: ChildCommand): void {
    if (this.child.connected) this.child.send(command);
  }
}

async function treeFingerprint(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries.sort((a, b) => path.join(a.parentPath, a.name).localeCompare(path.join(b.parentPath, b.name)))) {
    const full = path.join(entry.parentPath, entry.name);
    hash.update(`${path.relative(dir, full)}\0${entry.isFile() ? createHash('sha256').update(await readFile(full)).digest('hex') : 'dir'}\n`);
  }
  return hash.digest('hex');
}

const maxOf = (a: ChildMemory, b: ChildMemory): ChildMemory => ({
  sessions: Math.max(a.sessions, b.sessions),
  rss: Math.max(a.rss, b.rss),
  heapUsed: Math.max(a.heapUsed, b.heapUsed),
  external: Math.max(a.external, b.external),
  arrayBuffers: Math.max(a.arrayBuffers, b.arrayBuffers),
  loopDelayMaxMs: Math.max(a.loopDelayMaxMs, b.loopDelayMaxMs),
  loopDelayP99Ms: Math.max(a.loopDelayP99Ms, b.loopDelayP99Ms),
  stalls: Math.max(a.stalls, b.stalls),
  stallWallMs: Math.max(a.stallWallMs, b.stallWallMs),
  stallCpuMs: Math.max(a.stallCpuMs, b.stallCpuMs),
});

/**
 * The server's memory once it has let go of every session and their buffers
 * (closed attack connections and their pending disk reads take a moment to
 * wind down on a loaded machine), waiting up to 15 s; the last reading if it
 * has not settled by then (reported as a problem).
 */
async function settledMemory(server: ServerProcess, baseline: ChildMemory): Promise<ChildMemory | undefined> {
  const giveUp = Date.now() + Number(process.env.FERRY_FUZZ_SETTLE_MS ?? 15_000);
  const settled = (m: ChildMemory) => m.sessions === 0 && m.arrayBuffers - baseline.arrayBuffers <= MEMORY_LIMITS.bufferGrowth;
  let memory = await server.memory();
  while (memory && !settled(memory) && Date.now() < giveUp) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    memory = await server.memory();
    if (process.env.FERRY_FUZZ_TRACE_SETTLE === '1' && memory) console.log(`settling: sessions ${memory.sessions}, buffers ${memory.arrayBuffers}`);
  }
  return memory;
}

export async function runLiveFuzz(options: LiveFuzzOptions): Promise<LiveFuzzReport> {
  const log = options.log ?? (() => undefined);
  const base = await mkdtemp(path.join(os.tmpdir(), 'ferry-fuzz-'));
  const playgroundDir = path.join(base, 'playground');
  const goodRoot = path.join(base, 'good');
  const outside = path.join(base, 'outside');
  const localDir = path.join(base, 'local');
  for (const dir of [playgroundDir, goodRoot, outside, localDir, path.join(playgroundDir, 'sub')]) await mkdir(dir, { recursive: true });

  // What an escape would reveal: a unique marker in a file and in a file name outside every root.
  const secret = `FERRY-FUZZ-SECRET-${randomBytes(8).toString('hex')}`;
  const secretName = `${secret}.txt`;
  await writeFile(path.join(outside, secretName), secret.repeat(100));
  await mkdir(path.join(outside, 'sub'));
  await writeFile(path.join(outside, 'sub', 'x'), secret);
  await writeFile(path.join(playgroundDir, 'big.bin'), randomBytes(8 << 20));
  await writeFile(path.join(playgroundDir, 'small.txt'), 'hello\n');
  await writeFile(path.join(playgroundDir, 'sub', 'a.txt'), 'a');
  await mkdir(path.join(playgroundDir, 'many'));
  for (let i = 0; i < 250; i++) await writeFile(path.join(playgroundDir, 'many', `${String(i).padStart(3, '0')}-${'n'.repeat(180)}`), '');
  await symlink(outside, path.join(playgroundDir, 'escape-dir'));
  await symlink(path.join(outside, secretName), path.join(playgroundDir, 'escape-file'));
  await symlink(goodRoot, path.join(playgroundDir, 'escape-good'));
  await symlink('../outside', path.join(playgroundDir, 'escape-relative'));
  const playground: Playground = { bigFile: 'big.bin', manyFolder: 'many', escapeLinks: ['escape-dir', 'escape-file', 'escape-good', 'escape-relative'] };
  const outsideBefore = await treeFingerprint(outside);

  const server = new ServerProcess(playgroundDir, goodRoot);
  const port = await server.ready();
  const attack = newAttackStats();
  const probe = newProbeStats();
  const good = newGoodTrafficStats();
  const jailBreaches: string[] = [];
  const checkProbe = (p: Probe) => {
    for (const chunk of p.dataChunks) {
      if (chunk.includes(secret) && jailBreaches.length < 10) jailBreaches.push('an attacker downloaded bytes of outside/');
    }
  };

  const fuzzerLoop = monitorEventLoopDelay({ resolution: 10 });
  fuzzerLoop.enable();
  const started = Date.now();
  const baseline = (await server.memory())!;
  let peak = baseline;
  const deadline = started + options.durationMs;
  const random = new Random(options.seed);
  const attackers = Array.from({ length: options.attackers }, (_, i) => attackUntil({
    deadline, stopped: () => server.crashed, port, localAddress: `127.0.0.${2 + (i % 8)}`, random: new Random(random.int(0, 2 ** 31)),
    pool: new FramePool(options.seed + i * 1000), stats: attack, probeStats: probe, playground, onData: checkProbe,
  }));
  const goods = Array.from({ length: options.goodClients }, (_, worker) => goodTrafficUntil({
    deadline, stopped: () => server.crashed, port, worker, localDir, serverRoot: goodRoot, credentials: GOOD_USER, stats: good,
  }));
  // Sampled every second: a flood that fills the server's memory for a moment must show in the peak.
  let samples = 0;
  const sampler = setInterval(() => {
    void server.memory().then((m) => {
      if (m) peak = maxOf(peak, m);
      if (++samples % 5 !== 0) return;
      log(`${((Date.now() - started) / 1000).toFixed(0)}s: ${attack.connections} connections, ${attack.framesSent} frames, `
        + `${good.verified} good transfers, server rss ${m ? mib(m.rss) : '?'}, buffers ${m ? mib(m.arrayBuffers) : '?'}, `
        + `loop delay max server ${m ? m.loopDelayMaxMs.toFixed(0) : '?'} ms, fuzzer ${(fuzzerLoop.max / 1e6).toFixed(0)} ms`);
    });
  }, 1000);
  const crashWatch = server.exited.then((why) => {
    if (server.crashed) log(`SERVER CRASHED: ${why}`);
  });
  await Promise.all([...attackers, ...goods]);
  clearInterval(sampler);
  fuzzerLoop.disable();

  // Let the server finish closing the attack connections before measuring it at rest.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  let aliveAtEnd = false;
  if (!server.crashed) {
    try {
      const client = await connectGood(port, GOOD_USER);
      await client.list('');
      await client.quit();
      aliveAtEnd = true;
    } catch (error) {
      log(`the server did not answer a fresh client: ${String(error)}`);
    }
  }
  const final = (await settledMemory(server, baseline)) ?? baseline;
  peak = maxOf(peak, final);
  const crashes = server.crashed ? 1 : 0;
  const crashDetails = server.crashed ? [await server.exited] : [];
  await server.close();
  await crashWatch;

  if ((await treeFingerprint(outside)) !== outsideBefore) jailBreaches.push('outside/ was changed');
  for (const name of await readdir(goodRoot)) {
    if (!/^w\d+-\d+\.bin$/.test(name) && !name.startsWith('.')) jailBreaches.push(`an attacker created good/${name}`);
  }
  await rm(base, { recursive: true, force: true });
  return {
    durationMs: Date.now() - started, seed: options.seed, attack, probe, good, crashes, crashDetails, jailBreaches,
    aliveAtEnd, memory: { baseline, peak, final },
    fuzzerLoopDelay: { maxMs: fuzzerLoop.max / 1e6, p99Ms: fuzzerLoop.percentile(99) / 1e6 },
  };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** The report as lines for a terminal. */
export function formatLiveFuzzReport(report: LiveFuzzReport): string[] {
  const failCodes = [...report.probe.failCodes.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code}:${n}`).join(' ');
  return [
    `live fuzz: ${(report.durationMs / 1000).toFixed(1)} s, seed ${report.seed}`,
    `  frames fuzzed          ${report.attack.framesSent} (${mib(report.attack.bytesSent)})`,
    `  attack connections     ${report.attack.connections} (${[...report.attack.byScenario].map(([k, v]) => `${k} ${v}`).join(', ')})`,
    `  server frames received ${report.probe.serverFrames}; FAIL codes ${failCodes || '-'}`,
    `  malformed server frames ${report.probe.malformedServerFrames}${report.probe.malformedSamples.map((s) => `\n    ${s}`).join('')}`,
    `  left open after a fatal frame error ${report.attack.notClosedAfterFatalError}; closed late (3-20 s, with the expected FAIL) `
      + `${report.attack.lateCloses.length}${report.attack.lateCloses.length > 0 ? `, the latest after ${Math.max(...report.attack.lateCloses)} ms` : ''}`,
    `  crashes                ${report.crashes}${report.crashDetails.map((d) => `\n    ${d}`).join('')}`,
    `  jail breaches          ${report.jailBreaches.length}${report.jailBreaches.map((d) => `\n    ${d}`).join('')}`,
    `  good transfers verified ${report.good.verified} (${mib(report.good.bytes)}), failed ${report.good.failures.length}`
      + report.good.failures.slice(0, 5).map((f) => `\n    ${f}`).join(''),
    `  server alive at end    ${report.aliveAtEnd ? 'yes' : 'NO'}; sessions held at the end ${report.memory.final.sessions}`,
    `  server rss  baseline ${mib(report.memory.baseline.rss)}, peak ${mib(report.memory.peak.rss)}, final ${mib(report.memory.final.rss)}`,
    `  server heap baseline ${mib(report.memory.baseline.heapUsed)}, peak ${mib(report.memory.peak.heapUsed)}, final ${mib(report.memory.final.heapUsed)}`,
    `  event-loop delay       server max ${report.memory.peak.loopDelayMaxMs.toFixed(0)} ms, p99 ${report.memory.peak.loopDelayP99Ms.toFixed(0)} ms; `
      + `fuzzer max ${report.fuzzerLoopDelay.maxMs.toFixed(0)} ms, p99 ${report.fuzzerLoopDelay.p99Ms.toFixed(0)} ms`,
    `  server stalls > 0.5 s  ${report.memory.peak.stalls}, ${(report.memory.peak.stallWallMs / 1000).toFixed(1)} s in all, `
      + `of which the server was on a CPU ${(report.memory.peak.stallCpuMs / 1000).toFixed(1)} s`,
    `  server buffers baseline ${mib(report.memory.baseline.arrayBuffers)}, peak ${mib(report.memory.peak.arrayBuffers)}, final ${mib(report.memory.final.arrayBuffers)}`,
  ];
}

/**
 * Growth over the baseline allowed once the server is at rest again, and at
 * its peak under attack. The peak bounds come from the server's own limits
 * (docs/SECURITY.md): partial frames 64 MiB server-wide, 8 MiB of replies per
 * session that does not read, the download buffer pool's 16 MiB, and the
 * good clients' transfers in flight; without those limits one client that
 * never reads passes them within seconds.
 */
export const MEMORY_LIMITS = {
  heapGrowth: 64 * 2 ** 20,
  bufferGrowth: 64 * 2 ** 20,
  rssGrowth: 768 * 2 ** 20,
  peakBufferGrowth: 384 * 2 ** 20,
  peakHeapGrowth: 144 * 2 ** 20,
};

/**
 * Everything that must hold; an empty list means the run passed. Memory is
 * judged after a full GC with every attack connection closed: heap and
 * buffers must be back near the baseline (the download buffer pool keeps up
 * to 16 MiB). RSS only gets a loose bound, because the allocator keeps freed
 * pages for reuse and RSS after a burst says little about a leak.
 */
export function liveFuzzProblems(report: LiveFuzzReport, limits = MEMORY_LIMITS): string[] {
  const problems: string[] = [];
  if (report.crashes > 0) problems.push(`the server crashed: ${report.crashDetails.join('; ')}`);
  if (!report.aliveAtEnd) problems.push('the server did not serve a fresh client at the end');
  if (report.probe.malformedServerFrames > 0) problems.push(`${report.probe.malformedServerFrames} malformed frames from the server`);
  if (report.jailBreaches.length > 0) problems.push(`jail breaches: ${report.jailBreaches.join('; ')}`);
  if (report.good.failures.length > 0) problems.push(`${report.good.failures.length} good transfers failed: ${report.good.failures.slice(0, 3).join('; ')}`);
  if (report.good.verified === 0) problems.push('no good transfer completed');
  if (report.attack.notClosedAfterFatalError > 0) problems.push(`${report.attack.notClosedAfterFatalError} connections left open 20 s after an oversized frame, or closed without FAIL FRAME_TOO_LARGE`);
  if (report.memory.final.sessions > 0) {
    problems.push(`the server still held ${report.memory.final.sessions} sessions 15 s after every client had gone`);
  }
  const heapGrowth = report.memory.final.heapUsed - report.memory.baseline.heapUsed;
  if (heapGrowth > limits.heapGrowth) problems.push(`server heap grew by ${mib(heapGrowth)}`);
  const bufferGrowth = report.memory.final.arrayBuffers - report.memory.baseline.arrayBuffers;
  if (bufferGrowth > limits.bufferGrowth) problems.push(`server buffers grew by ${mib(bufferGrowth)}`);
  const peakBufferGrowth = report.memory.peak.arrayBuffers - report.memory.baseline.arrayBuffers;
  if (peakBufferGrowth > limits.peakBufferGrowth) problems.push(`server buffers peaked ${mib(peakBufferGrowth)} above the baseline under attack`);
  const peakHeapGrowth = report.memory.peak.heapUsed - report.memory.baseline.heapUsed;
  if (peakHeapGrowth > limits.peakHeapGrowth) problems.push(`server heap peaked ${mib(peakHeapGrowth)} above the baseline under attack`);
  const rssGrowth = report.memory.final.rss - report.memory.baseline.rss;
  if (rssGrowth > limits.rssGrowth) problems.push(`server rss grew by ${mib(rssGrowth)}`);
  return problems;
}
