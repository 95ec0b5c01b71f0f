import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { cellWidth, fitEnd, fitMiddle } from '../../src/tui/cells.js';
import { formatRow } from '../../src/tui/format.js';
import { EntryKind } from '../../src/protocol/messages.js';

void test('wide characters count two cells, combining marks none', () => {
  assert.equal(cellWidth('abc'), 3);
  assert.equal(cellWidth('日本語'), 6);
  assert.equal(cellWidth('🚢x'), 3);
  assert.equal(cellWidth('e\u0301'), 1);
});

void test('fitMiddle and fitEnd give exactly the width asked, whatever the characters', () => {
  const names = ['short', '日本語のファイル名.txt', '🚢🚢🚢🚢🚢🚢🚢🚢.bin', 'mixed 漢字 and ascii', 'e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301', 'red\u001b[41mEVIL'];
  for (const name of names) {
    for (let width = 1; width <= 24; width++) {
      assert.equal(stringWidth(fitMiddle(name, width)), width, `fitMiddle ${JSON.stringify(name)} ${width}`);
      assert.equal(stringWidth(fitEnd(name, width)), width, `fitEnd ${JSON.stringify(name)} ${width}`);
    }
  }
  assert.equal(fitMiddle('日本語のファイル名.txt', 11), '日本~名.txt');
  assert.equal(fitEnd('日本語のファイル名', 8), '日本語 ~');
});

void test('a listing row with a CJK name is as wide as one with an ASCII name', () => {
  const row = (name: string): string => formatRow({ name, kind: EntryKind.FILE, size: 1, mtimeMs: 0, mode: 0o644 }, 40, false);
  assert.equal(stringWidth(row('日本語のとても長いファイル名です.txt')), 40);
  assert.equal(stringWidth(row('🚢 ship.txt')), 40);
  assert.equal(stringWidth(row('plain.txt')), 40);
});
