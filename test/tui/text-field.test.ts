import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKey } from '../../src/tui/keys/parse-key.js';
import { editTextField, textField, type TextFieldState } from '../../src/tui/state/text-field.js';
import { visibleWindow } from '../../src/tui/components/TextField.js';

/** Applies each key in turn, as the dispatcher does; keys the field does not take leave it as it was. */
function type(field: TextFieldState, keys: readonly string[]): TextFieldState {
  return keys.reduce((current, key) => editTextField(current, parseKey(key)) ?? current, field);
}

void test('typing inserts at the cursor; Backspace and Delete erase around it', () => {
  assert.deepEqual(type(textField(), ['a', 'b', 'c', '\x7f', '\x7f', 'z']), { value: 'az', cursor: 2 });
  assert.deepEqual(type(textField('hello'), ['\x1b[D', '\x1b[D', 'X']), { value: helloWith('X'), cursor: 4 });
  assert.deepEqual(type(textField('hello'), ['\x1b[H', '\x1b[3~', '\x1b[3~']), { value: 'llo', cursor: 0 });
  assert.deepEqual(type(textField('hello'), ['\x01', '>', '\x05', '<']), { value: '>hello<', cursor: 7 });
  assert.deepEqual(type(textField('hello'), ['\x15']), { value: '', cursor: 0 });
  assert.deepEqual(type(textField(''), ['\x7f', '\x1b[D']), { value: '', cursor: 0 });
  assert.deepEqual(type(textField('日本'), ['\x7f', '語']), { value: '日語', cursor: 2 });
});

function helloWith(inserted: string): string {
  return `hel${inserted}lo`;
}

void test('control characters and keys that are not text never enter the value', () => {
  for (const key of ['\r', '\x1b', '\t', '\x1b[Z', '\x0b', '\x07', '\x00', '\x1b[A', '\x1b[15~', '\x1bx', '\u009b']) {
    assert.equal(editTextField(textField('name'), parseKey(key))?.value ?? 'name', 'name', JSON.stringify(key));
  }
  // Enter, Esc and Tab are the dialog's: the field does not take them.
  assert.equal(editTextField(textField('name'), parseKey('\r')), undefined);
  assert.equal(editTextField(textField('name'), parseKey('\x1b')), undefined);
  assert.equal(editTextField(textField('name'), parseKey('\t')), undefined);
});

void test('a value wider than the field scrolls so the cursor stays in view', () => {
  const ones = (count: number): number[] => Array.from({ length: count }, () => 1);
  assert.deepEqual(visibleWindow(ones(5), 5, 10), [0, 5]);
  assert.deepEqual(visibleWindow(ones(20), 20, 10), [11, 20]);
  assert.deepEqual(visibleWindow(ones(20), 0, 10), [0, 10]);
  assert.deepEqual(visibleWindow([2, 2, 2, 2, 2, 2], 6, 7), [3, 6]);
});

void test('the cursor moves and erases by grapheme clusters: a decomposed é is one character', () => {
  const name = 'cafe\u0301 combining.txt';
  const home = ['\x1b[H'];
  const right = (count: number): string[] => Array.from({ length: count }, () => '\x1b[C');
  // Home, Right ×4: after `é`; what is typed goes after the accent, not between it and its letter.
  assert.deepEqual(type(textField(name), [...home, ...right(4), 'X']), { value: 'cafe\u0301X combining.txt', cursor: 5 });
  // Backspace there erases the letter with its accent; Delete before it erases both too.
  assert.deepEqual(type(textField(name), [...home, ...right(4), '\x7f']), { value: 'caf combining.txt', cursor: 3 });
  assert.deepEqual(type(textField(name), [...home, ...right(3), '\x1b[3~']), { value: 'caf combining.txt', cursor: 3 });
  // End and a field made from a value count clusters.
  assert.equal(textField(name).cursor, 18);
  assert.deepEqual(type(textField('👍🏽ok'), ['\x1b[D', '\x1b[D', '\x7f']), { value: 'ok', cursor: 0 });
  // A combining mark typed after a letter joins it: the cursor stays after that one character.
  assert.deepEqual(type(textField('e'), ['\u0301']), { value: 'e\u0301', cursor: 1 });
});
