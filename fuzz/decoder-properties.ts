/**
 * Properties of the Ferry decoder, for fast-check. The same properties run a
 * few hundred times in npm test (test/protocol/decoder-property.test.ts) and
 * hundreds of thousands of times in npm run fuzz.
 *
 * 1. Any bytes, cut into chunks in any way, give frames or a FerryError with
 *    code BAD_FRAME / FRAME_TOO_LARGE, never another exception; the frames are
 *    what a one-piece reference parser finds, none longer than the limit.
 * 2. Any frame's payload decodes to a message or a FerryError BAD_FRAME /
 *    UNSUPPORTED; a payload that decodes re-encodes to the very same bytes.
 * 3. decode(encode(m)) equals m for every valid message, whatever the chunking.
 */
import fc from 'fast-check';
import {
  CLIENT_OPCODES, ErrorCode, FerryError, FrameDecoder, MAX_FAIL_MESSAGE_BYTES, MAX_MAX_FRAME, SERVER_OPCODES,
  decodeMessage, encodeMessageToBuffer,
} from '../src/protocol/index.js';
import type { Direction, Message, RawFrame } from '../src/protocol/index.js';
import { chunk, cutsArb, directedMessageArb, trafficArb } from './arbitraries.js';

/** Thrown when a property is broken; fast-check reports it with the failing input. */
class PropertyBroken extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new PropertyBroken(message);
}

function expectFerryError(error: unknown, allowed: number[], where: string): FerryError {
  if (!(error instanceof FerryError)) throw new PropertyBroken(`${where}: not a FerryError: ${String(error)}`);
  check(allowed.includes(error.code), `${where}: unexpected code ${error.codeName}: ${error.message}`);
  return error;
}

/** Byte fields compared as hex, everything else as is. */
export function normalize(message: Message): string {
  return JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
    if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') {
      return Buffer.from((value as { data: number[] }).data).toString('hex');
    }
    return value;
  });
}

function frameBytes(frame: RawFrame): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt32BE(8 + frame.payload.length, 0);
  header.write(frame.op, 4, 4, 'latin1');
  header.writeUInt32BE(frame.id, 8);
  return Buffer.concat([header, frame.payload]);
}

/** The frames a whole buffer holds, found without the decoder under test: a reference to compare against. */
function referenceParse(bytes: Buffer, limit: number): { frames: string[]; errorCode?: number; leftover: number } {
  const frames: string[] = [];
  let at = 0;
  while (bytes.length - at >= 4) {
    const length = bytes.readUInt32BE(at);
    if (length < 8) return { frames, errorCode: ErrorCode.BAD_FRAME, leftover: 0 };
    if (length > limit) return { frames, errorCode: ErrorCode.FRAME_TOO_LARGE, leftover: 0 };
    if (bytes.length - at - 4 < length) break;
    frames.push(bytes.subarray(at, at + 4 + length).toString('hex'));
    at += 4 + length;
  }
  return { frames, leftover: bytes.length - at };
}

/** Decodes one frame both ways; a frame that decodes must re-encode to the same bytes. */
export function checkPayload(frame: RawFrame, direction: Direction): Message | undefined {
  let message: Message;
  try {
    message = decodeMessage(frame, direction);
  } catch (error) {
    expectFerryError(error, [ErrorCode.BAD_FRAME, ErrorCode.UNSUPPORTED], `decode ${direction} ${JSON.stringify(frame.op)}`);
    return undefined;
  }
  // The encoder cuts FAIL messages longer than the limit, the one deliberate non-canonical case.
  const cutByEncoder = message.op === 'FAIL' && Buffer.byteLength(message.message) > MAX_FAIL_MESSAGE_BYTES;
  if (!cutByEncoder) {
    const again = encodeMessageToBuffer(message).toString('hex');
    check(again === frameBytes(frame).toString('hex'), `${message.op}: re-encoding differs from the decoded bytes`);
  }
  return message;
}

/**
 * The decoder's limit: fixed values, or the first frame's own length field
 * plus -1, 0 or +1, so the boundary itself is tested often.
 */
const limitArb = fc.oneof(
  fc.constantFrom(8, 12, 64, 65_536).map((limit) => () => limit),
  fc.integer({ min: 8, max: 70_000 }).map((limit) => () => limit),
  fc.integer({ min: -1, max: 1 }).map((delta) => (bytes: Buffer) => {
    const first = bytes.length >= 4 ? bytes.readUInt32BE(0) : 8;
    return Math.min(0xffff_ffff, Math.max(8, first + delta));
  }),
);

/** Property 1: stream cutting never throws anything but a coded error, and agrees with the reference. */
export const anyBytesAnyChunking = fc.property(trafficArb, cutsArb, limitArb, (traffic, cuts, limitFor) => {
  const bytes = Buffer.from(traffic);
  const limit = limitFor(bytes);
  const reference = referenceParse(bytes, limit);
  const decoder = new FrameDecoder(limit);
  const frames: RawFrame[] = [];
  let failure: FerryError | undefined;
  for (const piece of chunk(bytes, cuts)) {
    try {
      frames.push(...decoder.push(piece));
    } catch (error) {
      failure = expectFerryError(error, [ErrorCode.BAD_FRAME, ErrorCode.FRAME_TOO_LARGE], 'push');
      break;
    }
  }
  for (const frame of frames) {
    check(frame.payload.length + 8 <= limit, `a frame of ${frame.payload.length + 8} passed the limit ${limit}`);
    checkPayload(frame, 'toServer');
    checkPayload(frame, 'toClient');
  }
  const got = frames.map((f) => frameBytes(f).toString('hex'));
  if (reference.errorCode !== undefined) {
    check(failure?.code === reference.errorCode, `expected code ${reference.errorCode}, got ${failure?.codeName}`);
    check(got.every((hex, i) => hex === reference.frames[i]), 'frames before the error are a prefix of the reference');
    let sticky = false;
    try {
      decoder.push(new Uint8Array(0));
    } catch (error) {
      sticky = error === failure;
    }
    check(sticky, 'a failed decoder keeps failing with the same error');
  } else {
    check(failure === undefined, `unexpected failure ${failure?.message}`);
    check(got.length === reference.frames.length && got.every((hex, i) => hex === reference.frames[i]), 'same frames as the reference');
    check(decoder.pendingBytes === reference.leftover, `pendingBytes ${decoder.pendingBytes} != ${reference.leftover}`);
  }
});

const opcodeArb = fc.oneof(
  fc.constantFrom(...new Set<string>([...CLIENT_OPCODES, ...SERVER_OPCODES])),
  fc.string({ unit: 'binary-ascii', minLength: 4, maxLength: 4 }),
);

/** Property 2: any payload under any opcode decodes or gives a coded error, canonically. */
export const anyPayload = fc.property(
  opcodeArb, fc.integer({ min: 0, max: 0xffff_ffff }), fc.uint8Array({ maxLength: 400 }), fc.constantFrom<Direction>('toServer', 'toClient'),
  (op, id, payload, direction) => {
    checkPayload({ op, id, payload: Buffer.from(payload) }, direction);
  },
);

/** Property 3: every valid message survives encode → chunked stream → decode unchanged. */
export const roundTrip = fc.property(directedMessageArb, cutsArb, ({ direction, message }, cuts) => {
  const wire = encodeMessageToBuffer(message);
  const decoder = new FrameDecoder(MAX_MAX_FRAME);
  const frames = chunk(wire, cuts).flatMap((piece) => decoder.push(piece));
  check(frames.length === 1 && decoder.pendingBytes === 0, 'one frame, nothing left');
  const decoded = checkPayload(frames[0]!, direction);
  check(decoded !== undefined, `${message.op} did not decode`);
  check(normalize(decoded) === normalize(message), `${normalize(decoded)} != ${normalize(message)}`);
});

export interface PropertyRun {
  numRuns: number;
  /** Replays a failure reported by an earlier run. */
  seed?: number;
}

/** The properties, each runnable with its own number of runs (fc.assert throws with the shrunk counterexample). */
export const decoderProperties: Array<{ name: string; run: (options: PropertyRun) => void }> = [
  {
    name: 'any bytes in any chunking: frames or BAD_FRAME / FRAME_TOO_LARGE, agreeing with a reference parser',
    run: (options) => fc.assert(anyBytesAnyChunking, options),
  },
  {
    name: 'any payload under any opcode: a message (re-encoding to the same bytes) or BAD_FRAME / UNSUPPORTED',
    run: (options) => fc.assert(anyPayload, options),
  },
  {
    name: 'decode(encode(m)) equals m for valid messages in any chunking',
    run: (options) => fc.assert(roundTrip, options),
  },
];
