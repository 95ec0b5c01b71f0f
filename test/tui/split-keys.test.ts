import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitKeys } from '../../src/tui/keys/split-keys.js';
import { parseKey } from '../../src/tui/keys/parse-key.js';

void test('one read with several keys becomes one sequence per key', () => {
  assert.deepEqual(splitKeys('jjk'), ['j', 'j', 'k']);
  assert.deepEqual(splitKeys('\x1b[B\x1b[B\x1b[A'), ['\x1b[B', '\x1b[B', '\x1b[A']);
  assert.deepEqual(splitKeys('ab\x7f\x7fz\r'), ['a', 'b', '\x7f', '\x7f', 'z', '\r']);
  assert.deepEqual(splitKeys('\x1b[15~x\x1bOP'), ['\x1b[15~', 'x', '\x1bOP']);
  assert.deepEqual(splitKeys('\x1b[1;5A\x1b[[A'), ['\x1b[1;5A', '\x1b[[A']);
});

void test('Escape alone, and Escape glued to the next special key, are keys of their own', () => {
  assert.deepEqual(splitKeys('\x1b'), ['\x1b']);
  assert.deepEqual(splitKeys('\x1b\x1b[15~'), ['\x1b', '\x1b[15~']);
  assert.deepEqual(splitKeys('\x1b\x1b'), ['\x1b', '\x1b']);
  assert.deepEqual(splitKeys('\x1b\x1b').map((sequence) => parseKey(sequence).name), ['escape', 'escape']);
});

void test('Alt with a character stays one key; characters outside the BMP are not cut in half', () => {
  assert.deepEqual(splitKeys('\x1bx'), ['\x1bx']);
  assert.equal(parseKey('\x1bx').meta, true);
  assert.deepEqual(splitKeys('a😀b'), ['a', '😀', 'b']);
  assert.deepEqual(splitKeys('\x1b😀'), ['\x1b😀']);
});

void test('a cut-off escape sequence is kept whole rather than read as separate characters', () => {
  assert.deepEqual(splitKeys('\x1b[1'), ['\x1b[1']);
  assert.deepEqual(splitKeys('\x1bO'), ['\x1bO']);
});
