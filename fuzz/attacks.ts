/**
 * What the live fuzzer's bad connections do. Each scenario is one connection:
 * random noise, frames before the handshake, a session full of mutated and
 * hostile frames (path escapes, credit abuse, unknown ids), cut and oversized
 * frames, a client that never reads, a byte-at-a-time drip, an in-flight flood,
 * and races of cancel, QUIT and close against back-pressure: downloads never
 * read then cancelled or dropped, requests pipelined without reading any
 * reply, large frames left unfinished on many connections at once.
 * Every scenario ends its connection within a few seconds.
 */
import fc from 'fast-check';
import {
  DEFAULT_MAX_FRAME, ErrorCode, HANDSHAKE_MAX_FRAME, encodeMessageToBuffer,
} from '../src/protocol/index.js';
import type { ClientMessage, ServerMessage } from '../src/protocol/index.js';
import { mutatedFrameArb } from './arbitraries.js';
import { Probe } from './probe.js';

/** A small seeded generator (mulberry32): the same seed replays the same attack choices. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** An integer in min..max inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

/** Mutated frames from fast-check, drawn in batches. */
export class FramePool {
  private frames: Buffer[] = [];
  private batch = 0;

  constructor(private readonly seed: number) {}

  next(): Buffer {
    if (this.frames.length === 0) {
      this.frames = fc.sample(mutatedFrameArb, { numRuns: 500, seed: this.seed + this.batch++ });
    }
    return this.frames.pop()!;
  }
}

/** Names in the attack playground the fuzzer prepared (see live-fuzz.ts). */
export interface Playground {
  /** A file of several MiB, for clients that never read. */
  bigFile: string;
  /** A folder of a few hundred long names: a small LIST with a large reply. */
  manyFolder: string;
  /** Symlinks inside the playground pointing outside it. */
  escapeLinks: string[];
}

export interface AttackStats {
  connections: number;
  framesSent: number;
  bytesSent: number;
  /** Connections the server should have closed (oversized frame) but kept open 20 s, or closed without FAIL FRAME_TOO_LARGE. */
  notClosedAfterFatalError: number;
  /** Those closed after more than 3 s, but with the expected FAIL (ms from the frame to the close): a slow server, not a deaf one. */
  lateCloses: number[];
  byScenario: Map<string, number>;
}

export function newAttackStats(): AttackStats {
  return { connections: 0, framesSent: 0, bytesSent: 0, notClosedAfterFatalError: 0, lateCloses: [], byScenario: new Map() };
}

interface AttackContext {
  probe: Probe;
  /** Another connection from the same address (for scenarios that need many at once). */
  connect: () => Promise<Probe | undefined>;
  random: Random;
  pool: FramePool;
  stats: AttackStats;
  playground: Playground;
}

const PATH_ATTACKS = [
  '..', '../', '../..', '../../../../../../etc/passwd', '/..', '/../x', 'a/../..', 'a/../../b', './a', 'a/./b', 'a//b',
  'a/', '//', '\\..\\..', 'a\\b', '..\\x', 'a\u0000b', '\u0000', 'a\nb', 'a\u007fb', '\u001b[2J', '/etc/passwd',
  'C:\\Windows\\win.ini', '%2e%2e/%2e%2e', '\u2215..\u2215..', '\uff0e\uff0e/x', '.', '/', '', 'x'.repeat(256),
  `${'a/'.repeat(2100)}a`, 'é'.repeat(128), '\uFEFF..', ' ../x', '.. ', '...', '....//....//etc',
];

function pathAttack(random: Random, playground: Playground): string {
  if (random.next() < 0.35) {
    const link = random.pick(playground.escapeLinks);
    return random.pick([link, `${link}/`, `${link}/x`, `/${link}`, `${link}/..`, `${link}/sub/../x`, `${link}/secret`]);
  }
  return random.pick(PATH_ATTACKS);
}

/** A well-formed frame that asks for something hostile. */
function hostileMessage(random: Random, playground: Playground, id: number): ClientMessage {
  const path = pathAttack(random, playground);
  const flags = random.pick([0, 1, 2, 3, 0xff]);
  switch (random.int(0, 8)) {
    case 0: return { op: 'LIST', id, path, flags };
    case 1: return { op: 'STAT', id, path };
    case 2: return { op: 'DWLD', id, path, offset: random.pick([0, 1, 2 ** 40]), prefixHash: Buffer.alloc(random.pick([0, 32])), window: 0xffff_ffff };
    case 3: return { op: 'UPLD', id, path, size: random.pick([0, 5, 2 ** 50]), mtimeMs: 0, mode: random.pick([0, 0o4777, 0o7777]), flags };
    case 4: return { op: 'DELF', id, path };
    case 5: return { op: 'RMDR', id, path, flags: 1 };
    case 6: return { op: 'MKDR', id, path, flags: 1 };
    case 7: return { op: 'MOVE', id, from: path, to: pathAttack(random, playground), flags: 1 };
    default: return { op: 'MOVE', id, from: random.pick(playground.escapeLinks), to: `moved-${id}`, flags: 1 };
  }
}

async function send(ctx: AttackContext, bytes: Uint8Array, frames = 1): Promise<void> {
  ctx.stats.framesSent += frames;
  ctx.stats.bytesSent += bytes.length;
  await ctx.probe.send(bytes);
}

async function sendMessage(ctx: AttackContext, message: ClientMessage): Promise<void> {
  await send(ctx, encodeMessageToBuffer(message));
}

async function handshake(ctx: AttackContext): Promise<boolean> {
  await sendMessage(ctx, {
    op: 'CONN', id: 1, minVersion: 1, maxVersion: 1, maxFrame: DEFAULT_MAX_FRAME, capabilities: ['sha256'],
    authMethod: 'none', user: '', secret: '', clientName: 'fuzz',
  });
  const reply = await ctx.probe.waitFor((m) => m.id === 1 && (m.op === 'CONN' || m.op === 'FAIL'), 3000);
  return reply?.op === 'CONN';
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A hostile upload: wrong offsets, more DATA than credit or size, a wrong hash, DATA after CANC. */
async function abuseUpload(ctx: AttackContext, id: number): Promise<void> {
  const { random } = ctx;
  const size = random.pick([0, 10, 1000, 100_000]);
  await sendMessage(ctx, { op: 'UPLD', id, path: `abuse-${id}.bin`, size, mtimeMs: 1, mode: 0o644, flags: 1 });
  const open = await ctx.probe.waitFor((m) => m.id === id && (m.op === 'OPEN' || m.op === 'FAIL'), 1000);
  const window = open?.op === 'OPEN' ? open.window : 0;
  const step = random.int(0, 4);
  if (step === 0) await sendMessage(ctx, { op: 'DATA', id, offset: random.pick([1, 2 ** 40]), data: random.bytes(10) });
  if (step === 1) await sendMessage(ctx, { op: 'DATA', id, offset: 0, data: random.bytes(Math.min(window + 1000, 300_000)) });
  if (step === 2) await sendMessage(ctx, { op: 'DATA', id, offset: 0, data: random.bytes(size + 5) });
  if (step === 3) {
    await sendMessage(ctx, { op: 'DATA', id, offset: 0, data: random.bytes(Math.min(size, window)) });
    await sendMessage(ctx, { op: 'HASH', id, hash: random.bytes(32) });
  }
  if (step === 4) {
    await sendMessage(ctx, { op: 'CANC', id });
    await sendMessage(ctx, { op: 'DATA', id, offset: 0, data: random.bytes(100) });
    await sendMessage(ctx, { op: 'HASH', id, hash: random.bytes(32) });
  }
}

/** A session: handshake, then a mix of mutated, hostile and abusive frames. */
async function session(ctx: AttackContext): Promise<void> {
  if (!(await handshake(ctx))) return;
  const { random, probe } = ctx;
  const count = random.int(1, 60);
  for (let i = 0; i < count && probe.isOpen; i++) {
    const id = random.int(2, 1000);
    const roll = random.next();
    if (roll < 0.55) await send(ctx, ctx.pool.next());
    else if (roll < 0.85) await sendMessage(ctx, hostileMessage(random, ctx.playground, id));
    else if (roll < 0.93) await abuseUpload(ctx, id);
    else {
      // Frames for ids that are not in flight, and cancels of nothing.
      const stray = random.pick<ClientMessage>([
        { op: 'DATA', id, offset: 0, data: random.bytes(random.int(0, 2000)) },
        { op: 'WIND', id, increment: 0xffff_ffff },
        { op: 'HASH', id, hash: random.bytes(32) },
        { op: 'CANC', id },
        { op: 'CONN', id, minVersion: 1, maxVersion: 1, maxFrame: 1, capabilities: [], authMethod: 'none', user: '', secret: '', clientName: '' },
      ]);
      await sendMessage(ctx, stray);
    }
    if (random.next() < 0.2) await probe.waitFor((m: ServerMessage) => m.id === id, 200);
  }
  if (random.next() < 0.5) {
    await sendMessage(ctx, { op: 'QUIT', id: 0xffff_fff0 });
    await probe.waitClosed(1000);
  }
}

/** Frames (valid or mutated) before any handshake: the server must answer FAIL and close. */
async function beforeHandshake(ctx: AttackContext): Promise<void> {
  const count = ctx.random.int(1, 5);
  for (let i = 0; i < count && ctx.probe.isOpen; i++) await send(ctx, ctx.pool.next());
  await ctx.probe.waitClosed(1500);
}

async function noise(ctx: AttackContext): Promise<void> {
  const { random } = ctx;
  const bytes = random.bytes(random.int(1, 4096));
  if (random.next() < 0.2) bytes[0] = 0x16; // looks like a TLS record to a sniffing server
  await send(ctx, bytes, 0);
  await ctx.probe.waitClosed(random.int(50, 1000));
}

/** A frame header announcing more bytes than ever arrive, then the connection ends. */
async function truncated(ctx: AttackContext): Promise<void> {
  const { random } = ctx;
  const beforeHandshake = random.next() < 0.3;
  if (!beforeHandshake && !(await handshake(ctx))) return;
  const limit = beforeHandshake ? HANDSHAKE_MAX_FRAME : DEFAULT_MAX_FRAME;
  const length = random.int(8, limit);
  const header = Buffer.alloc(12);
  header.writeUInt32BE(length, 0);
  header.write(random.pick(['DATA', 'LIST', 'CONN', 'UPLD']), 4, 'latin1');
  header.writeUInt32BE(random.int(0, 100), 8);
  await send(ctx, Buffer.concat([header, random.bytes(Math.min(length - 8, random.int(0, 100_000)))]));
  await ctx.probe.waitClosed(random.int(0, 300));
}

/**
 * A length above the limit: the server must answer FAIL FRAME_TOO_LARGE with
 * id 0 and close. A connection still open after 3 s is watched on: a server
 * that never saw the frame (a session not reading) keeps it until some
 * timeout and closes it with another FAIL or none, while a server that was
 * only slow (a loaded machine) closes it a little later with FRAME_TOO_LARGE.
 */
async function oversized(ctx: AttackContext): Promise<void> {
  const { random, probe } = ctx;
  const tried = random.next() < 0.6;
  const handshaken = tried && (await handshake(ctx));
  // A handshake still unanswered may be accepted later and raise the limit, so it gets a length above either limit.
  const limit = tried ? DEFAULT_MAX_FRAME : HANDSHAKE_MAX_FRAME;
  const header = Buffer.alloc(12);
  header.writeUInt32BE(random.pick([limit + 1, 0xffff_ffff, 0x8000_0000, MAX_NEGOTIABLE + 1]), 0);
  header.write('DATA', 4, 'latin1');
  const sentAt = Date.now();
  const fatalFail = probe.waitFor((m) => m.op === 'FAIL' && m.id === 0, PROMPT_CLOSE_MS + LATE_CLOSE_MS);
  await send(ctx, header);
  if (await probe.waitClosed(PROMPT_CLOSE_MS)) return;
  const closed = await probe.waitClosed(LATE_CLOSE_MS);
  if (probe.destroyedLocally) return; // cut off at the end of the run: no verdict
  const elapsedMs = Date.now() - sentAt;
  const fail = await fatalFail;
  const code = fail?.op === 'FAIL' ? fail.code : undefined;
  // Before the handshake the handshake deadline may pass first on a slow server: TIMEOUT is a prompt close too.
  const expected = code === ErrorCode.FRAME_TOO_LARGE || (!handshaken && code === ErrorCode.TIMEOUT);
  if (closed && expected) {
    ctx.stats.lateCloses.push(elapsedMs);
  } else {
    ctx.stats.notClosedAfterFatalError++;
    probe.destroy();
  }
}

/** How soon the server should close after a fatal frame error, and how long a late close is waited for. */
const PROMPT_CLOSE_MS = 3000;
const LATE_CLOSE_MS = 20_000;

const MAX_NEGOTIABLE = 16 * 1024 * 1024;

/** Downloads requested with unlimited credit by a client that never reads: the server must not buffer them. */
async function neverReads(ctx: AttackContext): Promise<void> {
  if (!(await handshake(ctx))) return;
  ctx.probe.pauseReading();
  const requests = ctx.random.int(4, 40);
  for (let id = 2; id < 2 + requests; id++) {
    await sendMessage(ctx, { op: 'DWLD', id, path: ctx.playground.bigFile, offset: 0, prefixHash: Buffer.alloc(0), window: 0xffff_ffff });
  }
  await ctx.probe.waitClosed(ctx.random.int(500, 2000));
}

/** A valid handshake and LIST sent one byte at a time. */
async function drip(ctx: AttackContext): Promise<void> {
  const conn = encodeMessageToBuffer({
    op: 'CONN', id: 1, minVersion: 1, maxVersion: 1, maxFrame: DEFAULT_MAX_FRAME, capabilities: [],
    authMethod: 'none', user: '', secret: '', clientName: 'drip',
  });
  const list = encodeMessageToBuffer({ op: 'LIST', id: 2, path: '', flags: 0 });
  const bytes = Buffer.concat([conn, list]);
  for (let i = 0; i < bytes.length && ctx.probe.isOpen; i++) {
    await send(ctx, bytes.subarray(i, i + 1), 0);
    await pause(2);
  }
  ctx.stats.framesSent += 2;
  await ctx.probe.waitFor((m) => m.id === 2, 2000);
}

/** Far more requests than maxInFlight without waiting: the extra ones must get BUSY, none may crash. */
async function flood(ctx: AttackContext): Promise<void> {
  if (!(await handshake(ctx))) return;
  const frames: Buffer[] = [];
  for (let id = 2; id < 300; id++) frames.push(encodeMessageToBuffer({ op: 'LIST', id, path: '', flags: ctx.random.pick([0, 1]) }));
  await send(ctx, Buffer.concat(frames), frames.length);
  await ctx.probe.waitFor((m) => m.id === 299, 2000);
}

/**
 * Transfers the client never reads, ended by a race: CANC then close, QUIT,
 * or a bare close, at a random moment while the server waits on the socket.
 */
async function cancelUnread(ctx: AttackContext): Promise<void> {
  if (!(await handshake(ctx))) return;
  const { random, probe } = ctx;
  probe.pauseReading();
  const transfers = random.int(1, 6);
  // A small window makes the server wait for credit, so a WIND and a CANC in one segment race it.
  const window = random.pick([0xffff_ffff, 64 * 1024, 1024 * 1024]);
  for (let id = 2; id < 2 + transfers; id++) {
    await sendMessage(ctx, random.next() < 0.6
      ? { op: 'DWLD', id, path: ctx.playground.bigFile, offset: 0, prefixHash: Buffer.alloc(0), window }
      : { op: 'TGET', id, path: random.pick(['', ctx.playground.manyFolder]), window });
  }
  for (let round = random.int(1, 4); round > 0 && probe.isOpen; round--) {
    await pause(random.int(0, 40));
    const frames: Buffer[] = [];
    for (let id = 2; id < 2 + transfers; id++) frames.push(encodeMessageToBuffer({ op: 'WIND', id, increment: window }));
    await send(ctx, Buffer.concat(frames), frames.length);
  }
  const ending = random.int(0, 3);
  const last: Buffer[] = [];
  for (let id = 2; id < 2 + transfers; id++) last.push(encodeMessageToBuffer({ op: 'WIND', id, increment: window }));
  if (ending <= 1) for (let id = 2; id < 2 + transfers; id++) last.push(encodeMessageToBuffer({ op: 'CANC', id }));
  if (ending === 2) last.push(encodeMessageToBuffer({ op: 'QUIT', id: 0xffff_fff0 }));
  // ending 3: credit, and then the connection just drops.
  await send(ctx, Buffer.concat(last), last.length);
  if (ending === 1) await pause(random.int(0, 20));
}

/** Requests pipelined as fast as the server takes them, no reply ever read: the server must stop reading, not buffer. */
async function pipelineUnread(ctx: AttackContext): Promise<void> {
  if (!(await handshake(ctx))) return;
  const { random, probe } = ctx;
  probe.pauseReading();
  const until = Date.now() + random.int(4000, 10_000);
  let id = 2;
  while (Date.now() < until && probe.isOpen) {
    const batch: Buffer[] = [];
    for (let i = 0; i < 2000; i++, id++) {
      batch.push(encodeMessageToBuffer(random.pick<ClientMessage>([
        { op: 'LIST', id, path: ctx.playground.manyFolder, flags: 0 },
        { op: 'LIST', id, path: ctx.playground.manyFolder, flags: 0 },
        { op: 'LIST', id, path: ctx.playground.manyFolder, flags: 0 },
        { op: 'DWLD', id, path: 'small.txt', offset: 0, prefixHash: Buffer.alloc(0), window: 1 << 20 },
      ])));
    }
    // A server that stops reading holds this send until the time is up.
    await Promise.race([send(ctx, Buffer.concat(batch), batch.length), pause(Math.max(0, until - Date.now()))]);
  }
}

/** Many connections that each send most of a maximal frame and then nothing: the server must bound what they pin. */
async function partialFrames(ctx: AttackContext): Promise<void> {
  const { random } = ctx;
  const probes = [ctx.probe];
  const extra = random.int(4, 16);
  for (let i = 0; i < extra; i++) {
    const probe = await ctx.connect();
    if (probe) probes.push(probe);
  }
  try {
    await Promise.all(probes.map(async (probe) => {
      const own = { ...ctx, probe };
      if (!(await handshake(own))) return;
      const header = Buffer.alloc(12);
      header.writeUInt32BE(DEFAULT_MAX_FRAME, 0);
      header.write('DATA', 4, 'latin1');
      header.writeUInt32BE(random.int(2, 100), 8);
      const body = Buffer.alloc(DEFAULT_MAX_FRAME - 8 - random.int(1, 1000));
      await Promise.race([send(own, Buffer.concat([header, body])), pause(3000)]);
    }));
    await pause(random.int(1000, 3000));
  } finally {
    for (const probe of probes.slice(1)) probe.destroy();
  }
}

export const SCENARIOS: Array<{ name: string; weight: number; run: (ctx: AttackContext) => Promise<void> }> = [
  { name: 'session', weight: 50, run: session },
  { name: 'before-handshake', weight: 12, run: beforeHandshake },
  { name: 'noise', weight: 10, run: noise },
  { name: 'truncated', weight: 8, run: truncated },
  { name: 'oversized', weight: 6, run: oversized },
  { name: 'never-reads', weight: 4, run: neverReads },
  { name: 'drip', weight: 4, run: drip },
  { name: 'flood', weight: 6, run: flood },
  { name: 'cancel-unread', weight: 8, run: cancelUnread },
  { name: 'pipeline-unread', weight: 6, run: pipelineUnread },
  { name: 'partial-frames', weight: 2, run: partialFrames },
];

function pickScenario(random: Random): (typeof SCENARIOS)[number] {
  const total = SCENARIOS.reduce((sum, s) => sum + s.weight, 0);
  let roll = random.next() * total;
  for (const scenario of SCENARIOS) {
    roll -= scenario.weight;
    if (roll < 0) return scenario;
  }
  return SCENARIOS[0]!;
}

/** One attacker: opens a connection, runs a random scenario, ends it; repeats until the deadline. */
export async function attackUntil(options: {
  deadline: number;
  /** True once the run is over early (the server crashed). */
  stopped: () => boolean;
  port: number;
  localAddress: string;
  random: Random;
  pool: FramePool;
  stats: AttackStats;
  probeStats: import('./probe.js').ProbeStats;
  playground: Playground;
  onData?: (probe: Probe) => void;
}): Promise<void> {
  while (Date.now() < options.deadline && !options.stopped()) {
    const probe = await Probe.open(options.port, options.localAddress, options.probeStats);
    if (!probe) {
      await pause(50);
      continue;
    }
    options.stats.connections++;
    const scenario = pickScenario(options.random);
    options.stats.byScenario.set(scenario.name, (options.stats.byScenario.get(scenario.name) ?? 0) + 1);
    // A scenario still running shortly after the deadline is cut off, so a run ends on time.
    const cutOff = setTimeout(() => probe.destroy(), Math.max(0, options.deadline + 500 - Date.now()));
    try {
      const connect = async (): Promise<Probe | undefined> => {
        const extra = await Probe.open(options.port, options.localAddress, options.probeStats);
        if (extra) options.stats.connections++;
        return extra;
      };
      await scenario.run({
        probe, connect, random: options.random, pool: options.pool, stats: options.stats, playground: options.playground,
      });
    } finally {
      clearTimeout(cutOff);
      probe.destroy();
      await probe.closed;
      options.onData?.(probe);
    }
  }
}
