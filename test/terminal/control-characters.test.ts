import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControlCharacters, isControlCharacter, maskControlCharacters } from '../../src/terminal/control-characters.js';

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
