/**
 * fast-check generators for Ferry protocol traffic: valid messages of every
 * layout, and byte streams made from them by mutation (bit flips, rewritten
 * length fields, swapped opcodes, huge counts, invalid UTF-8, cut frames).
 * Shared by the property tests in npm test and the long runs of npm run fuzz.
 */
import fc from 'fast-check';
import {
  CLIENT_OPCODES, ENTS_LINK_TARGETS, SERVER_OPCODES, encodeMessageToBuffer,
} from '../src/protocol/index.js';
import type {
  ClientMessage, Direction, Entry, EntryKind, Message, ServerMessage,
} from '../src/protocol/index.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const u64 = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER),
);
const id = u32;
/** Any well-formed Unicode (astral characters included, no lone surrogates); short, as real fields are. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.constantFrom('', '/', 'a/b', '\uFEFFbom', '../../etc/passwd', 'é'.repeat(200)),
);
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
const optionalHash = fc.oneof(fc.constant(new Uint8Array(0)), hash);
const kind = fc.constantFrom<EntryKind>(0, 1, 2, 3);

export const entryArb: fc.Arbitrary<Entry> = fc.record({ name: text, kind, size: u64, mtimeMs: u64, mode: u32 });
/** An entry of an ENTS with flag 4: a non-empty target travels (an empty one is left out of the decoded entry). */
const entryWithTargetArb: fc.Arbitrary<Entry> = fc.record(
  { name: text, kind, size: u64, mtimeMs: u64, mode: u32, linkTarget: text.filter((t) => t !== '') },
  { requiredKeys: ['name', 'kind', 'size', 'mtimeMs', 'mode'] },
);

export const clientMessageArb: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({
    op: fc.constant('CONN' as const), id, minVersion: u16, maxVersion: u16, maxFrame: u32,
    capabilities: fc.array(text, { maxLength: 5 }), authMethod: text, user: text, secret: text, clientName: text,
  }),
  fc.record({ op: fc.constant('LIST' as const), id, path: text, flags: u8 }),
  fc.record({ op: fc.constant('STAT' as const), id, path: text }),
  fc.record({ op: fc.constant('MKDR' as const), id, path: text, flags: u8 }),
  fc.record({ op: fc.constant('RMDR' as const), id, path: text, flags: u8 }),
  fc.record({ op: fc.constant('DELF' as const), id, path: text }),
  fc.record({ op: fc.constant('MOVE' as const), id, from: text, to: text, flags: u8 }),
  fc.record({ op: fc.constant('UPLD' as const), id, path: text, size: u64, mtimeMs: u64, mode: u32, flags: u8 }),
  fc.record({ op: fc.constant('DWLD' as const), id, path: text, offset: u64, prefixHash: optionalHash, window: u32 }),
  // `names` is absent or non-empty: an empty list is sent as no list at all.
  fc.record(
    { op: fc.constant('TGET' as const), id, path: text, window: u32, names: fc.array(text, { minLength: 1, maxLength: 4 }) },
    { requiredKeys: ['op', 'id', 'path', 'window'] },
  ),
  fc.record({ op: fc.constant('TPUT' as const), id, path: text, flags: u8 }),
  fc.record({ op: fc.constant('FILE' as const), id, entry: entryArb }),
  fc.record({ op: fc.constant('DONE' as const), id }),
  fc.record({ op: fc.constant('CANC' as const), id }),
  fc.record({ op: fc.constant('QUIT' as const), id }),
  fc.record({ op: fc.constant('PING' as const), id }),
  fc.record({ op: fc.constant('SUMS' as const), id, path: text, names: fc.array(text, { maxLength: 5 }) }),
  fc.record({ op: fc.constant('CHMD' as const), id, path: text, clear: u32, set: u32, flags: u8 }),
  fc.record({ op: fc.constant('LINK' as const), id, path: text, target: text, flags: u8 }),
  fc.record({
    op: fc.constant('FIND' as const), id, path: text, pattern: text, minSize: u64, maxSize: u64, minMtimeMs: u64,
    maxMtimeMs: u64, flags: u8,
  }),
  fc.record({ op: fc.constant('DATA' as const), id, offset: u64, data: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ op: fc.constant('WIND' as const), id, increment: u32 }),
  fc.record({ op: fc.constant('HASH' as const), id, hash }),
);

export const serverMessageArb: fc.Arbitrary<ServerMessage> = fc.oneof(
  fc.record({
    op: fc.constant('CONN' as const), id, version: u16, maxFrame: u32, maxInFlight: u32,
    capabilities: fc.array(text, { maxLength: 5 }), flags: u8, serverName: text, user: text,
  }),
  fc.record({ op: fc.constant('ENTS' as const), id, flags: u8, entries: fc.array(entryArb, { maxLength: 8 }) }),
  fc.record({
    op: fc.constant('ENTS' as const), id, flags: u8.map((flags) => flags | ENTS_LINK_TARGETS),
    entries: fc.array(entryWithTargetArb, { maxLength: 8 }),
  }),
  fc.record({ op: fc.constant('STAT' as const), id, entry: entryArb }),
  fc.record({
    op: fc.constant('OPEN' as const), id, offset: u64, size: u64, mtimeMs: u64, mode: u32,
    prefixHash: optionalHash, window: u32,
  }),
  fc.record({ op: fc.constant('DATA' as const), id, offset: u64, data: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ op: fc.constant('WIND' as const), id, increment: u32 }),
  fc.record({ op: fc.constant('HASH' as const), id, hash }),
  fc.record({ op: fc.constant('FILE' as const), id, entry: entryArb }),
  fc.record({ op: fc.constant('DONE' as const), id }),
  fc.record({ op: fc.constant('FAIL' as const), id, code: u16, message: text }),
  fc.record({ op: fc.constant('SUMS' as const), id, hashes: fc.array(optionalHash, { maxLength: 5 }) }),
);

/** A valid message together with the direction it travels in. */
export const directedMessageArb: fc.Arbitrary<{ direction: Direction; message: Message }> = fc.oneof(
  clientMessageArb.map((message) => ({ direction: 'toServer' as const, message: message as Message })),
  serverMessageArb.map((message) => ({ direction: 'toClient' as const, message: message as Message })),
);

// ------------------------------------------------------------------ mutations

const ALL_OPCODES = [...new Set<string>([...CLIENT_OPCODES, ...SERVER_OPCODES])];

/** One way of damaging a frame's bytes; positions are taken modulo the frame's length. */
export type Mutation =
  | { kind: 'flipBit'; at: number; bit: number }
  | { kind: 'setByte'; at: number; value: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'setLength'; length: number }
  | { kind: 'setOpcode'; op: string }
  | { kind: 'setCount'; at: number; value: number }
  | { kind: 'invalidUtf8'; at: number; bytes: Uint8Array };

const position = fc.nat({ max: 1 << 16 });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flipBit' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('setByte' as const), at: position, value: u8 }),
  fc.record({ kind: fc.constant('truncate' as const), keep: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({
    kind: fc.constant('setLength' as const),
    length: fc.oneof(u32, fc.integer({ min: 0, max: 16 }), fc.constantFrom(65_535, 65_536, 65_537, 0xffff_ffff)),
  }),
  fc.record({
    kind: fc.constant('setOpcode' as const),
    op: fc.oneof(fc.constantFrom(...ALL_OPCODES), fc.string({ unit: 'binary-ascii', minLength: 4, maxLength: 4 })),
  }),
  fc.record({ kind: fc.constant('setCount' as const), at: position, value: fc.constantFrom(0xffff, 0xffff_ffff, 0x8000_0000, 2) }),
  fc.record({
    kind: fc.constant('invalidUtf8' as const), at: position,
    bytes: fc.constantFrom(
      Uint8Array.of(0xff), Uint8Array.of(0xc3, 0x28), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xc0, 0xaf),
      Uint8Array.of(0xf4, 0x90, 0x80, 0x80), Uint8Array.of(0xe2, 0x82),
    ),
  }),
);

/** Applies a mutation to a copy of `frame`. */
export function mutate(frame: Uint8Array, mutation: Mutation): Buffer {
  const bytes = Buffer.from(frame);
  const at = (n: number) => (bytes.length === 0 ? 0 : n % bytes.length);
  switch (mutation.kind) {
    case 'flipBit':
      if (bytes.length) bytes[at(mutation.at)]! ^= 1 << mutation.bit;
      return bytes;
    case 'setByte':
      if (bytes.length) bytes[at(mutation.at)] = mutation.value;
      return bytes;
    case 'truncate':
      return bytes.subarray(0, at(mutation.keep));
    case 'insert': {
      const i = at(mutation.at);
      return Buffer.concat([bytes.subarray(0, i), mutation.bytes, bytes.subarray(i)]);
    }
    case 'setLength':
      if (bytes.length >= 4) bytes.writeUInt32BE(mutation.length, 0);
      return bytes;
    case 'setOpcode':
      if (bytes.length >= 8) bytes.write(mutation.op.padEnd(4, ' ').slice(0, 4), 4, 4, 'latin1');
      return bytes;
    case 'setCount': {
      // Overwrite a u16 or u32 somewhere in the payload: string lengths, list and entry counts.
      if (bytes.length < 16) return bytes;
      const i = 12 + (mutation.at % (bytes.length - 15));
      if (mutation.value > 0xffff) bytes.writeUInt32BE(mutation.value, Math.min(i, bytes.length - 4));
      else bytes.writeUInt16BE(mutation.value, i);
      return bytes;
    }
    case 'invalidUtf8': {
      if (bytes.length < 12 + mutation.bytes.length) return bytes;
      const i = 12 + (mutation.at % (bytes.length - 12 - mutation.bytes.length + 1));
      bytes.set(mutation.bytes, i);
      return bytes;
    }
  }
}

/** A frame from a valid message, damaged by zero or more mutations. */
export const mutatedFrameArb: fc.Arbitrary<Buffer> = fc
  .tuple(directedMessageArb, fc.array(mutationArb, { maxLength: 3 }))
  .map(([{ message }, mutations]) => mutations.reduce(mutate, encodeMessageToBuffer(message)));

/** Bytes that look like Ferry traffic (valid and damaged frames) or are plain noise. */
export const trafficArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: fc.array(mutatedFrameArb, { minLength: 1, maxLength: 6 }).map((frames) => Buffer.concat(frames)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.uint8Array({ maxLength: 64 }), mutatedFrameArb).map(([noise, frame]) => Buffer.concat([noise, frame])),
  },
);

/** Cut points (as ascending offsets) splitting a buffer into chunks of any size, empty chunks included. */
export function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const offsets = cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const to of offsets) {
    chunks.push(bytes.subarray(from, to));
    from = to;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

export const cutsArb = fc.array(fc.nat({ max: 1 << 16 }), { maxLength: 12 });
