/**
 * The hex test vectors of docs/PROTOCOL.md, read from the document itself,
 * checked against the codec in both directions: the spec and the code cannot
 * drift apart without this test failing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CLIENT_OPCODES, ErrorCode, FrameDecoder, HANDSHAKE_MAX_FRAME, MAX_MAX_FRAME, SERVER_OPCODES, decodeMessage,
  encodeMessageToBuffer, errorCodeName, isFerryError,
} from '../../src/protocol/index.js';
import type { Direction, Message } from '../../src/protocol/index.js';
import { messageFromJson, messageToJson } from './protocol-json.js';

const specPath = new URL('../../../docs/PROTOCOL.md', import.meta.url);
const spec = readFileSync(specPath, 'utf8');

interface Block {
  kind: 'vector' | 'invalid';
  name: string;
  attributes: Map<string, string>;
  lines: string[];
}

function fencedBlocks(): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(vector|invalid) (\S+)((?: \S+=\S+)*)\n([\s\S]*?)^```$/gm;
  for (const match of spec.matchAll(fence)) {
    const attributes = new Map<string, string>();
    for (const pair of match[3]!.trim().split(' ').filter(Boolean)) {
      const [key, value] = pair.split('=') as [string, string];
      attributes.set(key, value);
    }
    blocks.push({
      kind: match[1] as Block['kind'],
      name: match[2]!,
      attributes,
      lines: match[4]!.split('\n').filter((line) => line.trim() !== ''),
    });
  }
  return blocks;
}

function hexBytes(lines: string[]): Buffer {
  const hex = lines.join('').replace(/\s+/g, '');
  assert.match(hex, /^([0-9a-f]{2})*$/, 'hex lines hold lowercase hex pairs only');
  return Buffer.from(hex, 'hex');
}

function directionOf(block: Block): Direction {
  const direction = block.attributes.get('direction');
  assert.ok(direction === 'toServer' || direction === 'toClient', `${block.name}: direction=${direction}`);
  return direction;
}

/** Cuts `bytes` into frames with a real decoder, as a receiver would. */
function oneFrame(bytes: Buffer, limit: number) {
  const decoder = new FrameDecoder(limit);
  const frames = decoder.push(bytes);
  assert.equal(frames.length, 1, 'exactly one frame');
  assert.equal(decoder.pendingBytes, 0, 'no bytes left over');
  return frames[0]!;
}

const blocks = fencedBlocks();
const vectors = blocks.filter((b) => b.kind === 'vector');
const invalids = blocks.filter((b) => b.kind === 'invalid');

void test('the spec holds vectors and invalid-frame vectors with unique names', () => {
  assert.ok(vectors.length >= 25, `found ${vectors.length} vectors`);
  assert.ok(invalids.length >= 10, `found ${invalids.length} invalid vectors`);
  const names = blocks.map((b) => b.name);
  assert.equal(new Set(names).size, names.length, 'names are unique');
});

for (const block of vectors) {
  void test(`vector ${block.name}`, () => {
    const direction = directionOf(block);
    const [jsonLine, ...hexLines] = block.lines;
    const json = JSON.parse(jsonLine!) as Record<string, unknown>;
    const expected = hexBytes(hexLines);
    const message = messageFromJson(json);

    assert.equal(encodeMessageToBuffer(message).toString('hex'), expected.toString('hex'), 'encode(message) == hex');
    const decoded = decodeMessage(oneFrame(expected, MAX_MAX_FRAME), direction);
    assert.deepEqual(messageToJson(decoded), json, 'decode(hex) == message');
  });
}

for (const block of invalids) {
  void test(`invalid ${block.name}`, () => {
    const direction = directionOf(block);
    const codeName = block.attributes.get('code')!;
    const code = ErrorCode[codeName as keyof typeof ErrorCode];
    assert.ok(code !== undefined, `code=${codeName} is an ErrorCode`);
    const limit = Number(block.attributes.get('limit') ?? HANDSHAKE_MAX_FRAME);
    const bytes = hexBytes(block.lines);
    assert.throws(
      () => decodeMessage(oneFrame(bytes, limit), direction),
      (error: unknown) => isFerryError(error, code),
      `refused with ${codeName}`,
    );
  });
}

void test('every opcode in each direction has at least one vector', () => {
  const covered = new Set(vectors.map((b) => `${directionOf(b)} ${JSON.parse(b.lines[0]!).op as string}`));
  for (const op of CLIENT_OPCODES) assert.ok(covered.has(`toServer ${op}`), `toServer ${op}`);
  for (const op of SERVER_OPCODES) assert.ok(covered.has(`toClient ${op}`), `toClient ${op}`);
});

void test('the vectors cover the variants a second implementation most often gets wrong', () => {
  const messages = vectors.map((b) => messageFromJson(JSON.parse(b.lines[0]!) as Record<string, unknown>));
  const has = (predicate: (m: Message) => boolean, what: string) => assert.ok(messages.some(predicate), what);
  has((m) => m.op === 'DWLD' && m.prefixHash.length === 0, 'DWLD without prefix hash');
  has((m) => m.op === 'DWLD' && m.prefixHash.length === 32, 'DWLD with prefix hash');
  has((m) => m.op === 'ENTS' && m.entries.length === 2, 'ENTS with 2 entries');
  has((m) => m.op === 'ENTS' && (m.flags & 1) === 1, 'ENTS with LAST');
  has((m) => m.op === 'ENTS' && m.entries.some((e) => Buffer.byteLength(e.name) !== e.name.length), 'a multi-byte UTF-8 name');
  has((m) => m.op === 'OPEN' && m.prefixHash.length === 32, 'OPEN with prefix hash');
  has((m) => m.op === 'DATA' && m.offset === Number.MAX_SAFE_INTEGER, 'the largest u64 a JavaScript peer accepts');
});

void test('every frame of the example session decodes in its direction', () => {
  const session = /## 12\. Example session[\s\S]*?```\n([\s\S]*?)```/.exec(spec);
  assert.ok(session, 'the example session block exists');
  const lines = session[1]!.split('\n');
  let frames = 0;
  for (let i = 0; i < lines.length; i++) {
    const summary = /^(C→S|S→C) {2}(\S+)/.exec(lines[i]!);
    if (!summary) continue;
    const bytes = hexBytes([lines[i + 1]!]);
    const message = decodeMessage(oneFrame(bytes, MAX_MAX_FRAME), summary[1] === 'C→S' ? 'toServer' : 'toClient');
    assert.equal(message.op, summary[2], `line ${i}: the summary names the opcode`);
    assert.equal(encodeMessageToBuffer(message).toString('hex'), bytes.toString('hex'));
    frames++;
  }
  assert.ok(frames >= 10, `${frames} frames in the session`);
});

void test("the spec's error code table matches ErrorCode", () => {
  const rows = [...spec.matchAll(/^\| (\d+) \| ([A-Z_]+) \|/gm)].map((m) => [Number(m[1]), m[2]!] as const);
  assert.deepEqual(
    rows.map(([code, name]) => `${code} ${name}`),
    Object.entries(ErrorCode).map(([name, code]) => `${code} ${name}`),
  );
  for (const [code, name] of rows) assert.equal(errorCodeName(code), name);
});
