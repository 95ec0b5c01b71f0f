/**
 * The frame codec: round trips, stream cutting (every split point, many frames
 * per chunk, large frames from socket-sized chunks), and every error path with
 * its code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DATA_HEADER_BYTES, ErrorCode, FerryError, FrameDecoder, HANDSHAKE_MAX_FRAME, MAX_FAIL_MESSAGE_BYTES, MAX_MAX_FRAME,
  MIN_MAX_FRAME, decodeClientMessage, decodeMessage, decodeServerMessage, encodeDataHeader, encodeMessage,
  encodeMessageToBuffer, encodedEntryLength, errorCodeName, isFerryError, isKnownErrorCode, negotiateMaxFrame,
  negotiateVersion,
} from '../../src/protocol/index.js';
import type { ClientMessage, Direction, Entry, Message, RawFrame, ServerMessage } from '../../src/protocol/index.js';

const hash = Buffer.alloc(32, 0xab);
const noHash = Buffer.alloc(0);
const entry = { name: 'a.txt', kind: 0, size: 6, mtimeMs: 1_700_000_000_000, mode: 0o644 } as const;

const toServer: ClientMessage[] = [
  {
    op: 'CONN', id: 1, minVersion: 1, maxVersion: 3, maxFrame: 4 << 20, capabilities: ['sha256', 'x@example.org'],
    authMethod: 'password', user: 'ada', secret: 'pässwörd', clientName: 'ferry',
  },
  { op: 'LIST', id: 2, path: 'docs/ünïcode 😀', flags: 1 },
  { op: 'STAT', id: 3, path: '' },
  { op: 'MKDR', id: 4, path: 'a/b/c', flags: 1 },
  { op: 'RMDR', id: 5, path: 'a', flags: 0 },
  { op: 'DELF', id: 6, path: 'a/b.txt' },
  { op: 'MOVE', id: 7, from: 'a', to: 'b', flags: 1 },
  { op: 'UPLD', id: 8, path: 'big.bin', size: Number.MAX_SAFE_INTEGER, mtimeMs: 0, mode: 0o7777, flags: 3 },
  { op: 'DWLD', id: 9, path: 'x', offset: 0, prefixHash: noHash, window: 0xffff_ffff },
  { op: 'DWLD', id: 10, path: 'x', offset: 2 ** 40, prefixHash: hash, window: 1 },
  { op: 'TGET', id: 11, path: 'photos/2024', window: 16 << 20 },
  { op: 'TGET', id: 11, path: 'photos', window: 1, names: ['2024', 'cat.jpg'] },
  { op: 'TPUT', id: 12, path: '', flags: 1 },
  { op: 'FILE', id: 12, entry: { name: 'a/b/c.txt', kind: 0, size: 2 ** 40, mtimeMs: 7, mode: 0o644 } },
  { op: 'DONE', id: 12 },
  { op: 'CANC', id: 9 },
  { op: 'QUIT', id: 0xffff_ffff },
  { op: 'DATA', id: 8, offset: 2 ** 33 + 5, data: Buffer.from('content') },
  { op: 'DATA', id: 8, offset: 0, data: Buffer.alloc(0) },
  { op: 'WIND', id: 9, increment: 65536 },
  { op: 'HASH', id: 8, hash },
];

const toClient: ServerMessage[] = [
  {
    op: 'CONN', id: 1, version: 1, maxFrame: 1 << 20, maxInFlight: 64, capabilities: [], flags: 1,
    serverName: 'ferryd', user: '',
  },
  { op: 'ENTS', id: 2, flags: 0, entries: [entry, { name: 'sub', kind: 1, size: 0, mtimeMs: 1, mode: 0o755 }] },
  { op: 'ENTS', id: 2, flags: 1, entries: [] },
  { op: 'STAT', id: 3, entry: { name: '', kind: 3, size: 0, mtimeMs: Number.MAX_SAFE_INTEGER, mode: 0 } },
  { op: 'OPEN', id: 8, offset: 3, size: 6, mtimeMs: 5, mode: 0o600, prefixHash: hash, window: 8 << 20 },
  { op: 'OPEN', id: 9, offset: 0, size: 0, mtimeMs: 5, mode: 0o600, prefixHash: noHash, window: 0 },
  { op: 'DATA', id: 9, offset: 0, data: Buffer.from([0, 1, 2, 255]) },
  { op: 'WIND', id: 8, increment: 1 },
  { op: 'HASH', id: 9, hash },
  { op: 'FILE', id: 11, entry: { name: 'sub', kind: 1, size: 0, mtimeMs: 1, mode: 0o755 } },
  { op: 'DONE', id: 10 },
  { op: 'FAIL', id: 6, code: ErrorCode.NOT_FOUND, message: 'no such file: a/b.txt' },
  { op: 'FAIL', id: 0, code: 999, message: '' },
];

const samples: Array<[Direction, Message]> = [
  ...toServer.map((m): [Direction, Message] => ['toServer', m]),
  ...toClient.map((m): [Direction, Message] => ['toClient', m]),
];

/** Byte fields decode as Buffer views; compare them as plain bytes. */
function plain(message: Message): unknown {
  return JSON.parse(JSON.stringify(message, (_key, value: unknown) =>
    value instanceof Uint8Array || (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer')
      ? Buffer.from(value as Uint8Array).toString('hex') : value));
}

function frameOf(bytes: Buffer, limit = MAX_MAX_FRAME): RawFrame {
  const frames = new FrameDecoder(limit).push(bytes);
  assert.equal(frames.length, 1);
  return frames[0]!;
}

/** A frame with the given opcode, id and payload, built by hand (not by the encoder under test). */
function rawFrame(op: string, id: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload.replace(/\s+/g, ''), 'hex') : payload;
  const header = Buffer.alloc(12);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(op, 4, 'latin1');
  header.writeUInt32BE(id, 8);
  return Buffer.concat([header, body]);
}

function assertCode(action: () => unknown, code: number, message?: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof FerryError, `a FerryError, got ${String(error)}`);
    assert.equal(error.codeName, errorCodeName(code));
    if (message) assert.match(error.message, message);
    return true;
  });
}

// ------------------------------------------------------------------ round trips

void test('every message type survives encode → decode in its direction', () => {
  const ops = new Set<string>();
  for (const [direction, message] of samples) {
    const decoded = decodeMessage(frameOf(encodeMessageToBuffer(message)), direction);
    assert.deepEqual(plain(decoded), plain(message), `${direction} ${message.op}`);
    ops.add(`${direction} ${message.op}`);
  }
  assert.equal(ops.size, 18 + 10, 'all 18 client and 10 server layouts');
});

void test('decodeClientMessage and decodeServerMessage pick the right CONN and STAT layouts', () => {
  const request = toServer[0]!;
  const reply = toClient[0]!;
  assert.equal((decodeClientMessage(frameOf(encodeMessageToBuffer(request))) as { clientName?: string }).clientName, 'ferry');
  assert.equal((decodeServerMessage(frameOf(encodeMessageToBuffer(reply))) as { serverName?: string }).serverName, 'ferryd');
  const statReply = decodeServerMessage(frameOf(encodeMessageToBuffer(toClient[3]!)));
  assert.ok(statReply.op === 'STAT' && statReply.entry.kind === 3);
});

void test('a leading U+FEFF and astral characters survive a round trip', () => {
  const message: Message = { op: 'DELF', id: 1, path: '\uFEFFbom-𝄞.txt' };
  assert.deepEqual(decodeMessage(frameOf(encodeMessageToBuffer(message)), 'toServer'), message);
});

void test('DATA is encoded without copying its content and decoded as a view', () => {
  const content = Buffer.alloc(1 << 20, 7);
  const parts = encodeMessage({ op: 'DATA', id: 4, offset: 10, data: content });
  assert.equal(parts.length, 2);
  assert.equal(parts[0]!.length, DATA_HEADER_BYTES);
  assert.equal(parts[1], content, 'the content buffer itself');
  assert.deepEqual(parts[0], encodeDataHeader(4, 10, content.length));

  const view = new Uint8Array(content.buffer, 100, 50);
  const viewParts = encodeMessage({ op: 'DATA', id: 4, offset: 0, data: view });
  assert.equal(viewParts[1]!.buffer, content.buffer, 'a Uint8Array view is wrapped, not copied');
  assert.equal(viewParts[1]!.byteOffset, 100);

  const wire = Buffer.concat(parts);
  const frame = frameOf(wire, MAX_MAX_FRAME);
  const decoded = decodeMessage(frame, 'toClient');
  assert.ok(decoded.op === 'DATA');
  assert.equal(decoded.data.buffer, wire.buffer, 'decoded content is a view of the received chunk');
  assert.equal(decoded.data.length, content.length);
});

void test('encodeMessage yields a single buffer for every other message', () => {
  for (const [, message] of samples) {
    if (message.op !== 'DATA') assert.equal(encodeMessage(message).length, 1, message.op);
  }
});

void test('encodedEntryLength is the bytes an entry adds to ENTS', () => {
  const entries = [entry, { ...entry, name: 'ünïcode-名前' }];
  const withTwo = encodeMessageToBuffer({ op: 'ENTS', id: 1, flags: 0, entries });
  const withNone = encodeMessageToBuffer({ op: 'ENTS', id: 1, flags: 0, entries: [] });
  assert.equal(withTwo.length - withNone.length, encodedEntryLength(entries[0]!) + encodedEntryLength(entries[1]!));
  assert.equal(encodedEntryLength({ ...entry, name: '' }), 23);
});

// ------------------------------------------------------------------ stream cutting

const stream = Buffer.concat(samples.map(([, m]) => encodeMessageToBuffer(m)));
const expectedFrames = samples.map(([, m]) => `${m.op}#${m.id}`);

function summarize(frames: RawFrame[]): string[] {
  return frames.map((f) => `${f.op}#${f.id}`);
}

void test('a stream split at every byte boundary yields the same frames', () => {
  const whole = new FrameDecoder(MAX_MAX_FRAME).push(stream);
  assert.deepEqual(summarize(whole), expectedFrames);
  for (let split = 0; split <= stream.length; split++) {
    const decoder = new FrameDecoder(MAX_MAX_FRAME);
    const frames = [...decoder.push(stream.subarray(0, split)), ...decoder.push(stream.subarray(split))];
    assert.deepEqual(summarize(frames), expectedFrames, `split at ${split}`);
    assert.deepEqual(frames.map((f) => f.payload.toString('hex')), whole.map((f) => f.payload.toString('hex')));
    assert.equal(decoder.pendingBytes, 0);
  }
});

void test('a stream fed one byte at a time yields the same frames, and pendingBytes counts what waits', () => {
  const decoder = new FrameDecoder(MAX_MAX_FRAME);
  const frames: RawFrame[] = [];
  let consumed = 0;
  for (let i = 0; i < stream.length; i++) {
    const got = decoder.push(stream.subarray(i, i + 1));
    frames.push(...got);
    for (const f of got) consumed += 12 + f.payload.length;
    assert.equal(decoder.pendingBytes, i + 1 - consumed);
  }
  assert.deepEqual(summarize(frames), expectedFrames);
  for (let i = 0; i < frames.length; i++) {
    assert.deepEqual(plain(decodeMessage(frames[i]!, samples[i]![0])), plain(samples[i]![1]));
  }
});

void test('thousands of frames in one chunk come out in order', () => {
  const count = 5000;
  const chunk = Buffer.concat(Array.from({ length: count }, (_, i) =>
    encodeMessageToBuffer(i % 2 ? { op: 'WIND', id: i, increment: i } : { op: 'DATA', id: i, offset: i, data: Buffer.from([i & 255]) })));
  const frames = new FrameDecoder(MIN_MAX_FRAME).push(chunk);
  assert.equal(frames.length, count);
  frames.forEach((frame, i) => {
    const message = decodeMessage(frame, 'toServer');
    assert.equal(message.id, i);
    if (message.op === 'WIND') assert.equal(message.increment, i);
    else assert.ok(message.op === 'DATA' && message.data[0] === (i & 255) && message.offset === i);
  });
});

void test('a 1 MiB DATA frame from 64 KiB chunks arrives whole; frames inside one chunk are not copied', () => {
  const content = Buffer.alloc(1 << 20);
  for (let i = 0; i < content.length; i++) content[i] = (i * 31) & 255;
  const small = encodeMessageToBuffer({ op: 'WIND', id: 2, increment: 9 });
  const wire = Buffer.concat([...encodeMessage({ op: 'DATA', id: 1, offset: 0, data: content }), small]);
  const decoder = new FrameDecoder(4 << 20);
  const frames: RawFrame[] = [];
  const chunks: Buffer[] = [];
  for (let at = 0; at < wire.length; at += 65536) chunks.push(Buffer.from(wire.subarray(at, at + 65536)));
  for (const chunk of chunks) {
    frames.push(...decoder.push(chunk));
    if (frames.length === 0) assert.ok(decoder.pendingBytes > 0);
  }
  assert.deepEqual(summarize(frames), ['DATA#1', 'WIND#2']);
  const data = decodeMessage(frames[0]!, 'toServer');
  assert.ok(data.op === 'DATA' && content.equals(data.data));
  assert.equal(frames[1]!.payload.buffer, chunks.at(-1)!.buffer, 'the small frame is a view of its chunk');
});

void test('setMaxFrame raises the limit for the next frames', () => {
  const big = encodeMessageToBuffer({ op: 'DATA', id: 1, offset: 0, data: Buffer.alloc(HANDSHAKE_MAX_FRAME) });
  const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME);
  decoder.setMaxFrame(HANDSHAKE_MAX_FRAME * 2);
  assert.equal(decoder.push(big).length, 1);
  assert.throws(() => decoder.setMaxFrame(7), RangeError);
  assert.throws(() => new FrameDecoder(2 ** 32), RangeError);
  assert.throws(() => new FrameDecoder(1.5 * MIN_MAX_FRAME + 0.5), RangeError);
});

void test('the largest accepted frame is exactly the limit', () => {
  const limit = MIN_MAX_FRAME;
  const fits = encodeMessageToBuffer({ op: 'DATA', id: 1, offset: 0, data: Buffer.alloc(limit - 16) });
  assert.equal(fits.readUInt32BE(0), limit);
  assert.equal(new FrameDecoder(limit).push(fits).length, 1);
  const over = encodeMessageToBuffer({ op: 'DATA', id: 1, offset: 0, data: Buffer.alloc(limit - 15) });
  assertCode(() => new FrameDecoder(limit).push(over), ErrorCode.FRAME_TOO_LARGE);
});

// ------------------------------------------------------------------ decoder errors

void test('a length field below 8 is BAD_FRAME', () => {
  for (let length = 0; length < 8; length++) {
    const bytes = Buffer.alloc(12);
    bytes.writeUInt32BE(length, 0);
    assertCode(() => new FrameDecoder(MIN_MAX_FRAME).push(bytes), ErrorCode.BAD_FRAME, new RegExp(`length ${length}`));
  }
});

void test('a length above the limit is FRAME_TOO_LARGE from its four bytes alone, before any payload', () => {
  const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(0xffff_ffff, 0);
  assert.deepEqual(decoder.push(header.subarray(0, 3)), []);
  assertCode(() => decoder.push(header.subarray(3)), ErrorCode.FRAME_TOO_LARGE, /4294967295 exceeds the limit of 65536/);
  assert.ok(decoder.pendingBytes <= 4, 'nothing was allocated or buffered for the payload');
});

void test('after a stream error the decoder stays failed', () => {
  const decoder = new FrameDecoder(MIN_MAX_FRAME);
  assertCode(() => decoder.push(Buffer.from('00000003', 'hex')), ErrorCode.BAD_FRAME);
  assertCode(() => decoder.push(encodeMessageToBuffer({ op: 'QUIT', id: 1 })), ErrorCode.BAD_FRAME);
  assertCode(() => decoder.push(Buffer.alloc(0)), ErrorCode.BAD_FRAME);
});

const badPayloads: Array<[string, Direction, Buffer, number, RegExp]> = [
  ['invalid UTF-8', 'toServer', rawFrame('STAT', 1, '0002 c328'), ErrorCode.BAD_FRAME, /not valid UTF-8/],
  ['UTF-8 surrogate', 'toServer', rawFrame('DELF', 1, '0003 eda080'), ErrorCode.BAD_FRAME, /not valid UTF-8/],
  ['overlong UTF-8', 'toServer', rawFrame('DELF', 1, '0002 c0af'), ErrorCode.BAD_FRAME, /not valid UTF-8/],
  ['invalid UTF-8 in a capability', 'toClient', rawFrame('CONN', 1, '0001 00000000 00010000 0001 0001 ff 00 0000 0000'), ErrorCode.BAD_FRAME, /capabilities is not valid UTF-8/],
  ['trailing bytes', 'toClient', rawFrame('DONE', 1, '00'), ErrorCode.BAD_FRAME, /1 unexpected bytes/],
  ['trailing bytes after LIST', 'toServer', rawFrame('LIST', 1, '0000 00 0000'), ErrorCode.BAD_FRAME, /2 unexpected bytes/],
  ['unknown opcode', 'toServer', rawFrame('NOPE', 1, ''), ErrorCode.UNSUPPORTED, /unknown opcode "NOPE"/],
  ['non-ASCII opcode', 'toClient', rawFrame('\u00ff\u0000AB', 1, ''), ErrorCode.UNSUPPORTED, /unknown opcode/],
  ['lower-case opcode', 'toServer', rawFrame('list', 1, '0000 00'), ErrorCode.UNSUPPORTED, /unknown opcode/],
  ['bad magic', 'toServer', rawFrame('CONN', 1, '46545020 0001 0001 00010000 0000 0000 0000 0000 0000'), ErrorCode.BAD_FRAME, /bad magic 0x46545020/],
  ['u64 of 2^53', 'toServer', rawFrame('DATA', 1, '0020000000000000'), ErrorCode.BAD_FRAME, /exceeds 2\^53-1/],
  ['u64 of 2^64-1', 'toServer', rawFrame('UPLD', 1, '0000 ffffffffffffffff 0000000000000000 00000000 00'), ErrorCode.BAD_FRAME, /size .* exceeds 2\^53-1/],
  ['HASH of 31 bytes', 'toServer', rawFrame('HASH', 1, Buffer.alloc(31)), ErrorCode.BAD_FRAME, /32 bytes, not 31/],
  ['HASH of 33 bytes', 'toClient', rawFrame('HASH', 1, Buffer.alloc(33)), ErrorCode.BAD_FRAME, /32 bytes, not 33/],
  ['prefix hash of 16 bytes', 'toServer', rawFrame('DWLD', 1, Buffer.concat([Buffer.from('0000 0000000000000000 10'.replace(/ /g, ''), 'hex'), Buffer.alloc(20)])), ErrorCode.BAD_FRAME, /prefix hash length 16/],
  ['prefix hash of 31 bytes in OPEN', 'toClient', rawFrame('OPEN', 1, Buffer.concat([Buffer.alloc(28), Buffer.from([31]), Buffer.alloc(35)])), ErrorCode.BAD_FRAME, /prefix hash length 31/],
  ['unknown entry kind', 'toClient', rawFrame('STAT', 1, '0000 04 0000000000000000 0000000000000000 00000000'), ErrorCode.BAD_FRAME, /entry kind 4/],
  ['ENTS count that cannot fit', 'toClient', rawFrame('ENTS', 1, '00 ffffffff 0000 00 0000000000000000 0000000000000000 00000000'), ErrorCode.BAD_FRAME, /4294967295 entries cannot fit/],
  ['ENTS count one too many', 'toClient', rawFrame('ENTS', 1, '00 00000002 0000 00 0000000000000000 0000000000000000 00000000'), ErrorCode.BAD_FRAME, /2 entries cannot fit/],
  ['string past the end', 'toServer', rawFrame('STAT', 1, '0010 61'), ErrorCode.BAD_FRAME, /payload ends inside path/],
  ['capability count past the end', 'toServer', rawFrame('CONN', 1, '46455259 0001 0001 00010000 ffff'), ErrorCode.BAD_FRAME, /payload ends inside capabilities/],
];

for (const [what, direction, bytes, code, message] of badPayloads) {
  void test(`decode error: ${what} → ${errorCodeName(code)}`, () => {
    assertCode(() => decodeMessage(frameOf(bytes), direction), code, message);
  });
}

void test('opcodes of the other direction are UNSUPPORTED', () => {
  for (const [direction, message] of samples) {
    const other: Direction = direction === 'toServer' ? 'toClient' : 'toServer';
    const bothWays = ['CONN', 'STAT', 'DATA', 'WIND', 'HASH', 'FILE', 'DONE'].includes(message.op);
    if (bothWays) continue;
    assertCode(() => decodeMessage(frameOf(encodeMessageToBuffer(message)), other), ErrorCode.UNSUPPORTED, /not valid in this direction/);
  }
});

void test('every truncation of every fixed-layout payload is BAD_FRAME', () => {
  let checked = 0;
  for (const [direction, message] of samples) {
    const full = encodeMessageToBuffer(message);
    const payloadLength = full.length - 12;
    // DATA's content may be any length, so only its offset can be cut short.
    const shortest = message.op === 'DATA' ? 8 : payloadLength;
    // A TGET cut right after its window is a TGET without names, which is valid.
    const optionalFrom = message.op === 'TGET' && message.names ? encodeMessageToBuffer({ ...message, names: [] }).length - 12 : -1;
    for (let cut = 0; cut < Math.min(shortest, payloadLength); cut++) {
      if (cut === optionalFrom) continue;
      const truncated = rawFrame(message.op, message.id, full.subarray(12, 12 + cut));
      assertCode(() => decodeMessage(frameOf(truncated), direction), ErrorCode.BAD_FRAME);
      checked++;
    }
  }
  assert.ok(checked > 500, `${checked} truncations`);
});

// ------------------------------------------------------------------ encoder refusals

void test('the encoder refuses what the wire cannot carry, with RangeError', () => {
  const refusals: Array<[string, () => unknown]> = [
    ['u8 flags 256', () => encodeMessage({ op: 'LIST', id: 1, path: '', flags: 256 })],
    ['negative u32', () => encodeMessage({ op: 'WIND', id: 1, increment: -1 })],
    ['fractional u32', () => encodeMessage({ op: 'WIND', id: 1, increment: 1.5 })],
    ['id above u32', () => encodeMessage({ op: 'QUIT', id: 2 ** 32 })],
    ['u64 above 2^53-1', () => encodeMessage({ op: 'UPLD', id: 1, path: '', size: 2 ** 53, mtimeMs: 0, mode: 0, flags: 0 })],
    ['negative offset', () => encodeDataHeader(1, -1, 0)],
    ['DATA id above u32', () => encodeMessage({ op: 'DATA', id: -1, offset: 0, data: Buffer.alloc(1) })],
    ['string over 65535 bytes', () => encodeMessage({ op: 'DELF', id: 1, path: 'é'.repeat(32768) })],
    ['lone surrogate', () => encodeMessage({ op: 'DELF', id: 1, path: 'a\uD800b' })],
    ['hash of 31 bytes', () => encodeMessage({ op: 'HASH', id: 1, hash: Buffer.alloc(31) })],
    ['prefix hash of 1 byte', () => encodeMessage({ op: 'DWLD', id: 1, path: '', offset: 1, prefixHash: Buffer.alloc(1), window: 0 })],
    ['entry kind 4', () => encodeMessage({ op: 'STAT', id: 1, entry: { ...entry, kind: 4 as 0 } })],
    ['unknown op', () => encodeMessage({ op: 'NOPE', id: 1 } as unknown as Message)],
  ];
  for (const [what, action] of refusals) assert.throws(action, RangeError, what);
});

void test('FAIL messages are cut to the limit at a character boundary and lone surrogates replaced', () => {
  const long = 'é'.repeat(MAX_FAIL_MESSAGE_BYTES); // 2 bytes each: twice the limit
  const decoded = decodeMessage(frameOf(encodeMessageToBuffer({ op: 'FAIL', id: 1, code: 12, message: `x${long}` })), 'toClient');
  assert.ok(decoded.op === 'FAIL');
  assert.equal(Buffer.byteLength(decoded.message), MAX_FAIL_MESSAGE_BYTES - 1, 'the split "é" is dropped whole');
  assert.ok(decoded.message.startsWith('xéé') && !decoded.message.includes('\uFFFD'));
  const broken = decodeMessage(frameOf(encodeMessageToBuffer({ op: 'FAIL', id: 1, code: 12, message: 'a\uDC00b' })), 'toClient');
  assert.ok(broken.op === 'FAIL' && broken.message === 'a\uFFFDb');
  const exact = 'a'.repeat(MAX_FAIL_MESSAGE_BYTES);
  const kept = decodeMessage(frameOf(encodeMessageToBuffer({ op: 'FAIL', id: 1, code: 12, message: exact })), 'toClient');
  assert.ok(kept.op === 'FAIL' && kept.message === exact);
});

// ------------------------------------------------------------------ handshake helpers

void test('negotiateVersion picks the highest common version or none', () => {
  assert.equal(negotiateVersion({ minVersion: 1, maxVersion: 3 }, { minVersion: 1, maxVersion: 1 }), 1);
  assert.equal(negotiateVersion({ minVersion: 1, maxVersion: 3 }, { minVersion: 2, maxVersion: 5 }), 3);
  assert.equal(negotiateVersion({ minVersion: 2, maxVersion: 3 }, { minVersion: 1, maxVersion: 1 }), undefined);
  assert.equal(negotiateVersion({ minVersion: 3, maxVersion: 1 }, { minVersion: 1, maxVersion: 3 }), undefined);
});

void test('negotiateMaxFrame takes the smaller limit within the protocol bounds', () => {
  assert.equal(negotiateMaxFrame(1 << 20, 4 << 20), 1 << 20);
  assert.equal(negotiateMaxFrame(8 << 20, 4 << 20), 4 << 20);
  assert.equal(negotiateMaxFrame(100, 4 << 20), MIN_MAX_FRAME);
  assert.equal(negotiateMaxFrame(0xffff_ffff, 0xffff_ffff), MAX_MAX_FRAME);
});

// ------------------------------------------------------------------ listing entries

// ENTS carries whole listings, and its entries have a fast path in both the
// encoder and the decoder (plain-ASCII names, fields in range) beside the
// general one. These entries sit on both sides of it, and next to each other.
const listingEntries: Entry[] = [
  { name: '', kind: 0, size: 0, mtimeMs: 0, mode: 0 },
  { name: 'plain.txt', kind: 0, size: 2 ** 32, mtimeMs: 2 ** 32 - 1, mode: 0xffff_ffff },
  { name: 'café', kind: 1, size: 0, mtimeMs: 1_700_000_000_000, mode: 0o755 },
  { name: 'del\u007f and ~', kind: 2, size: Number.MAX_SAFE_INTEGER, mtimeMs: Number.MAX_SAFE_INTEGER, mode: 0o7777 },
  { name: '\uFEFFbom', kind: 3, size: 1, mtimeMs: 2, mode: 3 },
  { name: '𝄞 名前', kind: 0, size: 2 ** 53 - 2, mtimeMs: 1, mode: 0o644 },
  { name: 'a'.repeat(255), kind: 0, size: 7, mtimeMs: 8, mode: 9 },
  { name: 'é'.repeat(127) + 'x', kind: 0, size: 7, mtimeMs: 8, mode: 9 },
  { name: 'z'.repeat(0xffff), kind: 1, size: 0, mtimeMs: 0, mode: 0 },
];

void test('ENTS entries round-trip on both sides of the fast path', () => {
  const msg: ServerMessage = { op: 'ENTS', id: 7, flags: 1, entries: listingEntries };
  assert.deepEqual(decodeServerMessage(frameOf(encodeMessageToBuffer(msg))), msg);
  // Every entry alone and every pair, so each sits first, last and after each kind of neighbour.
  for (const first of listingEntries) {
    for (const second of listingEntries) {
      const pair: ServerMessage = { op: 'ENTS', id: 7, flags: 0, entries: [first, second] };
      assert.deepEqual(decodeServerMessage(frameOf(encodeMessageToBuffer(pair))), pair);
    }
  }
});

void test('the ENTS encoder writes each entry exactly as the general entry encoding (STAT) does', () => {
  const ents = encodeMessageToBuffer({ op: 'ENTS', id: 7, flags: 0, entries: listingEntries });
  const each = listingEntries.map((e) => encodeMessageToBuffer({ op: 'STAT', id: 7, entry: e }).subarray(12));
  // After the header: flags (1) and count (4), then the entries one after another.
  assert.deepEqual(ents.subarray(12 + 5), Buffer.concat(each));
  assert.equal(ents.readUInt32BE(13), listingEntries.length);
});

/** An entry's bytes by hand: name bytes, kind, size and mtime as two u32 halves each, mode. */
function entryHex(nameHex: string, kind: string, size: string, mtime: string, mode: string): string {
  const nameLength = (nameHex.replace(/\s+/g, '').length / 2).toString(16).padStart(4, '0');
  return `${nameLength} ${nameHex} ${kind} ${size} ${mtime} ${mode}`;
}
const goodEntry = entryHex('61626364', '00', '0000000000000006', '0000018bcfe56800', '000001a4');

const badEntries: Array<[string, string, RegExp]> = [
  ['kind 4 after a good entry', `00 00000002 ${goodEntry} ${entryHex('62', '04', '0000000000000000', '0000000000000000', '00000000')}`, /entry kind 4 is unknown/],
  ['size 2^53 in an ASCII entry', `00 00000002 ${goodEntry} ${entryHex('62', '00', '0020000000000000', '0000000000000000', '00000000')}`, /entry size 0x20000000000000 exceeds 2\^53-1/],
  ['mtime 2^64-1 in an ASCII entry', `00 00000001 ${entryHex('62', '00', '0000000000000000', 'ffffffffffffffff', '00000000')}`, /entry mtime .* exceeds 2\^53-1/],
  ['a lone continuation byte in a name', `00 00000002 ${goodEntry} ${entryHex('6180', '00', '0000000000000000', '0000000000000000', '00000000')}`, /entry name is not valid UTF-8/],
  ['an overlong "/" in a name', `00 00000001 ${entryHex('c0af', '00', '0000000000000000', '0000000000000000', '00000000')}`, /entry name is not valid UTF-8/],
  ['a name longer than the payload', `00 00000001 00ff 61 00 0000000000000000 0000000000000000 00000000`, /payload ends inside entry name/],
  ['the second entry cut inside its mode', `00 00000002 ${goodEntry} 0001 62 00 0000000000000000 0000000000000000 0000`, /payload ends inside entry mode/],
  ['the second entry cut inside its size', `00 00000002 ${entryHex('6162636465666768696a6b6c6d6e6f', '00', '0000000000000000', '0000000000000000', '00000000')} 0001 62 00 00000000`, /payload ends inside entry size/],
];

for (const [what, payload, message] of badEntries) {
  void test(`ENTS decode error: ${what} → BAD_FRAME`, () => {
    assertCode(() => decodeMessage(frameOf(rawFrame('ENTS', 2, payload)), 'toClient'), ErrorCode.BAD_FRAME, message);
  });
}

void test('the ENTS encoder refuses entries the wire cannot carry, ASCII names or not', () => {
  for (const name of ['ascii', 'ünïcode']) {
    const ok = { name, kind: 0 as const, size: 0, mtimeMs: 0, mode: 0 };
    const refusals: Array<[string, Entry]> = [
      ['kind 4', { ...ok, kind: 4 as 0 }],
      ['size 2^53', { ...ok, size: 2 ** 53 }],
      ['negative size', { ...ok, size: -1 }],
      ['fractional mtime', { ...ok, mtimeMs: 1.5 }],
      ['NaN mtime', { ...ok, mtimeMs: Number.NaN }],
      ['mode 2^32', { ...ok, mode: 2 ** 32 }],
    ];
    for (const [what, bad] of refusals) {
      assert.throws(() => encodeMessage({ op: 'ENTS', id: 1, flags: 0, entries: [ok, bad] }), RangeError, `${name}: ${what}`);
    }
  }
  assert.throws(() => encodeMessage({ op: 'ENTS', id: 1, flags: 0, entries: [{ name: 'a'.repeat(0x10000), kind: 0, size: 0, mtimeMs: 0, mode: 0 }] }), RangeError);
  assert.throws(() => encodeMessage({ op: 'ENTS', id: 1, flags: 0, entries: [{ name: 'a\uDC00', kind: 0, size: 0, mtimeMs: 0, mode: 0 }] }), RangeError);
});

// ------------------------------------------------------------------ errors

void test('errorCodeName names every ErrorCode and marks unknown ones', () => {
  for (const [name, code] of Object.entries(ErrorCode)) {
    assert.equal(errorCodeName(code), name);
    assert.ok(isKnownErrorCode(code));
  }
  assert.equal(errorCodeName(0), 'UNKNOWN_0');
  assert.equal(errorCodeName(999), 'UNKNOWN_999');
  assert.ok(!isKnownErrorCode(999));
  const codes = Object.values(ErrorCode);
  assert.equal(new Set(codes).size, codes.length, 'no two names share a number');
  assert.deepEqual(codes, codes.map((_, i) => i + 1), 'numbered 1, 2, 3, … without gaps');
});

void test('FerryError carries code, name, cause and a one-line toString', () => {
  const cause = new Error('ENOENT');
  const error = new FerryError(ErrorCode.NOT_FOUND, 'no such file: a/b.txt', { cause });
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'FerryError');
  assert.equal(error.code, 1);
  assert.equal(error.codeName, 'NOT_FOUND');
  assert.equal(error.cause, cause);
  assert.equal(error.toString(), 'NOT_FOUND: no such file: a/b.txt');
  assert.equal(`${new FerryError(4242, 'from the future')}`, 'UNKNOWN_4242: from the future');
  assert.ok(isFerryError(error));
  assert.ok(isFerryError(error, ErrorCode.NOT_FOUND));
  assert.ok(!isFerryError(error, ErrorCode.EXISTS));
  assert.ok(!isFerryError(new Error('x')));
});
