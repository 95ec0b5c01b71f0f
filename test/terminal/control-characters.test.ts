import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeControlCharacters, escapeUnsafeCharacters, escapeUnsafeInJson, hasUnsafeCharacter, isControlCharacter, isFormatCharacter, maskControlCharacters,
} from '../../src/terminal/control-characters.js';

void test('C0, DEL and C1 are control characters; printable text is not', () => {
  for (const code of [0x00, 0x07, 0x0a, 0x1b, 0x1f, 0x7f, 0x80, 0x9b, 0x9f]) assert.equal(isControlCharacter(code), true, code.toString(16));
  for (const code of [0x20, 0x41, 0x7e, 0xa0, 0xe9, 0x65e5]) assert.equal(isControlCharacter(code), false, code.toString(16));
});

void test('masking shows each control character as one ?', () => {
  assert.equal(maskControlCharacters('red\u001b[41mEVIL'), 'red?[41mEVIL');
  assert.equal(maskControlCharacters('a\u009b2Jb\u007fc\r\n'), 'a?2Jb?c??');
  assert.equal(maskControlCharacters('café 日本 🚢'), 'café 日本 🚢');
});

void test('escaping writes each control character as \\xHH', () => {
  assert.equal(escapeControlCharacters('red\u001b[41mEVIL'), 'red\\x1b[41mEVIL');
  assert.equal(escapeControlCharacters('\u0000\u009b\u007f'), '\\x00\\x9b\\x7f');
  assert.equal(escapeControlCharacters('plain name.txt'), 'plain name.txt');
});

void test('bidi, zero-width and line-separator characters are format characters', () => {
  for (const code of [0x061c, 0x200b, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2060, 0x2066, 0x2069, 0xfeff]) {
    assert.equal(isFormatCharacter(code), true, code.toString(16));
  }
  for (const code of [0x20, 0x41, 0x2010, 0x2030, 0x206a, 0x65e5]) assert.equal(isFormatCharacter(code), false, code.toString(16));
});

void test('escaping for logs covers control and format characters; JSON escapes keep the value', () => {
  assert.equal(hasUnsafeCharacter('plain café'), false);
  assert.equal(hasUnsafeCharacter('a\u202eb'), true);
  assert.equal(escapeUnsafeCharacters('a\u001b[2J\u009bb\u202ec\u200b'), 'a\\x1b[2J\\x9bb\\u202ec\\u200b');
  const value = 'x\u0085\u2066y\u007f';
  const json = escapeUnsafeInJson(JSON.stringify(value));
  assert.equal(json, '"x\\u0085\\u2066y\\u007f"');
  assert.equal(JSON.parse(json), value);
});
