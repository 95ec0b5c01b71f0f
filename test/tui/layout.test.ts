import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeLayout } from '../../src/tui/layout.js';
import { fit, formatRow, formatSize, progressBar, formatEta } from '../../src/tui/format.js';
import { EntryKind } from '../../src/protocol/messages.js';

function totalHeight(layout: ReturnType<typeof computeLayout>): number {
  return layout.paneHeight + 1 + layout.transferRows + 2;
}

void test('80×24 fits with one spare line and two equal panes', () => {
  const layout = computeLayout({ columns: 80, rows: 24 });
  assert.deepEqual(layout.paneWidths, [40, 40]);
  assert.equal(totalHeight(layout), 23);
  assert.equal(layout.listRows, layout.paneHeight - 4);
  assert.ok(layout.listRows >= 10);
  assert.equal(layout.longTime, false);
});

void test('bigger terminals get more rows and the long time column', () => {
  const small = computeLayout({ columns: 80, rows: 24 });
  const big = computeLayout({ columns: 200, rows: 60 });
  assert.ok(big.listRows > small.listRows);
  assert.equal(big.paneWidths[0] + big.paneWidths[1], 200);
  assert.equal(big.longTime, true);
  assert.equal(totalHeight(big), 59);
});

void test('odd widths are shared without losing a column', () => {
  const layout = computeLayout({ columns: 81, rows: 30 });
  assert.equal(layout.paneWidths[0] + layout.paneWidths[1], 81);
});

void test('the transfer panel grows with the queue up to a quarter of the screen', () => {
  const none = computeLayout({ columns: 80, rows: 24 }, 0);
  const two = computeLayout({ columns: 80, rows: 24 }, 2);
  const many = computeLayout({ columns: 80, rows: 24 }, 50);
  assert.equal(none.transferRows, 1);
  assert.equal(two.transferRows, 2);
  assert.equal(many.transferRows, 5);
  for (const layout of [none, two, many]) assert.equal(totalHeight(layout), 23);
});

void test('tiny terminals are treated as the minimum size, never negative', () => {
  const layout = computeLayout({ columns: 10, rows: 3 });
  assert.ok(layout.listRows >= 1);
  assert.ok(layout.paneWidths[0] > 0);
});

void test('rows are exactly the width asked for', () => {
  const entry = { name: 'a-rather-long-file-name-that-will-not-fit.tar.gz', kind: EntryKind.FILE, size: 123456, mtimeMs: 0, mode: 0 };
  for (const width of [20, 38, 60, 98]) {
    assert.equal([...formatRow(entry, width, width > 56, false)].length, width);
  }
  assert.equal(fit('abcdef', 4), 'ab~f');
  assert.equal(formatSize(1536), '1.5K');
  assert.equal(formatSize(999), '999');
  assert.equal(progressBar(0.5, 12), '[#####-----]');
  assert.equal(formatEta(75), '01:15');
});

void test('a narrow hint bar keeps the operations and quit', async () => {
  const { fittingHints } = await import('../../src/tui/components/HintBar.js');
  const labels = fittingHints(80).map((hint) => hint.label);
  for (const label of ['Help', 'Copy', 'Move', 'Mkdir', 'Del', 'Quit']) assert.ok(labels.includes(label), label);
  const used = fittingHints(80).reduce((sum, hint) => sum + hint.key.length + hint.label.length + 1, 0);
  assert.ok(used <= 80);
  assert.equal(fittingHints(200).length, fittingHints(1000).length);
});
