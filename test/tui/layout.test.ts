import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeLayout, planColumns, tooSmallMessage, MARK_WIDTH, MIN_COLUMNS, MIN_ROWS, NAME_MIN, TIME_WIDTH, type ColumnPlan } from '../../src/tui/layout.js';
import { fit, formatRow, formatSize, formatTime, formatTitles, progressBar, formatEta } from '../../src/tui/format.js';
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
  assert.equal(layout.tooSmall, false);
});

void test('bigger terminals get more rows', () => {
  const small = computeLayout({ columns: 80, rows: 24 });
  const big = computeLayout({ columns: 200, rows: 60 });
  assert.ok(big.listRows > small.listRows);
  assert.equal(big.paneWidths[0] + big.paneWidths[1], 200);
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

void test('below the minimum size the layout says the terminal is too small, and by how much', () => {
  const cases: [columns: number, rows: number, tooSmall: boolean][] = [
    [30, 10, true],
    [MIN_COLUMNS - 1, MIN_ROWS, true],
    [MIN_COLUMNS, MIN_ROWS - 1, true],
    [MIN_COLUMNS, MIN_ROWS, false],
    [60, 15, false],
    [200, 50, false],
  ];
  for (const [columns, rows, tooSmall] of cases) assert.equal(computeLayout({ columns, rows }).tooSmall, tooSmall, `${columns}×${rows}`);
  assert.deepEqual(tooSmallMessage({ columns: 30, rows: 10 }), [
    'Terminal too small',
    `(need ${MIN_COLUMNS}×${MIN_ROWS}, have 30×10)`,
    'Enlarge it, or F10/q to quit.',
  ]);
  // The message itself fits the smallest terminal it is meant for.
  for (const line of tooSmallMessage({ columns: 30, rows: 10 })) assert.ok(line.length <= 30, line);
});

void test('the listing columns: the name keeps its minimum, then Size, then Modified; Modified goes first', () => {
  // rowWidth → widths of name, size, time (0: left out). A pane of width w has a row of w - 2.
  const table: [rowWidth: number, plan: ColumnPlan][] = [
    [198 / 2 - 2, { name: 76, size: 5, time: 12 }], // 200 columns
    [38, { name: 17, size: 5, time: 12 }], // 80 columns
    [33, { name: 12, size: 5, time: 12 }], // 70 columns: the smallest with every column
    [32, { name: 24, size: 5, time: 0 }], // Modified goes first
    [28, { name: 20, size: 5, time: 0 }], // 60 columns
    [23, { name: 15, size: 5, time: 0 }], // 50 columns
    [20, { name: 12, size: 5, time: 0 }],
    [19, { name: 17, size: 0, time: 0 }], // then Size
    [8, { name: 6, size: 0, time: 0 }],
    [0, { name: 1, size: 0, time: 0 }],
  ];
  for (const [rowWidth, plan] of table) assert.deepEqual(planColumns(rowWidth), plan, `row of ${rowWidth}`);
  for (let width = 10; width < 120; width++) {
    const plan = planColumns(width);
    const used = MARK_WIDTH + plan.name + (plan.size ? 1 + plan.size : 0) + (plan.time ? 1 + plan.time : 0);
    assert.equal(used, width, `row of ${width}`);
    assert.ok(plan.name >= NAME_MIN || (plan.size === 0 && plan.time === 0), `row of ${width}`);
  }
});

void test('rows and titles at 60 and 50 columns keep a readable name and drop Modified', () => {
  const entry = { name: 'big-file.bin', kind: EntryKind.FILE, size: 48 * 1024 * 1024, mtimeMs: 0, mode: 0 };
  assert.equal(formatRow(entry, 28, false), '  big-file.bin           48M');
  assert.equal(formatTitles(28, '(name↑)'), '  Name (name↑)          Size');
  assert.equal(formatRow({ ...entry, name: 'project', kind: EntryKind.DIRECTORY }, 23, true), '*/project         <DIR>');
});

void test('the time shows the time of day for the last six months and the year otherwise, as mc does', () => {
  const now = new Date(2026, 11, 2, 5, 0).getTime();
  const table: [mtime: Date, shown: string][] = [
    [new Date(2026, 11, 2, 3, 41), 'Dec  2 03:41'],
    [new Date(2026, 6, 14, 23, 5), 'Jul 14 23:05'],
    [new Date(2026, 2, 1, 12, 0), 'Mar  1  2026'], // nine months ago: the year, even in this year
    [new Date(2025, 11, 2, 3, 41), 'Dec  2  2025'],
    [new Date(1999, 0, 31, 0, 0), 'Jan 31  1999'],
    [new Date(2027, 0, 1, 0, 0), 'Jan  1  2027'], // in the future
  ];
  for (const [mtime, shown] of table) {
    assert.equal(formatTime(mtime.getTime(), now), shown);
    assert.equal(shown.length, TIME_WIDTH);
  }
  const row = formatRow({ name: 'old.txt', kind: EntryKind.FILE, size: 5, mtimeMs: new Date(2025, 11, 2).getTime(), mode: 0 }, 38, false, now);
  assert.ok(row.endsWith('5 Dec  2  2025'), row);
});

void test('rows are exactly the width asked for', () => {
  const entry = { name: 'a-rather-long-file-name-that-will-not-fit.tar.gz', kind: EntryKind.FILE, size: 123456, mtimeMs: 0, mode: 0 };
  for (const width of [20, 38, 60, 98]) {
    assert.equal([...formatRow(entry, width, false)].length, width);
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

void test('themeFor: NO_COLOR set and not empty takes every colour away; empty or unset keeps them', async () => {
  const { themeFor } = await import('../../src/tui/theme.js');
  const plain = themeFor({ NO_COLOR: '1' });
  for (const [role, colour] of Object.entries(plain)) {
    if (role === 'hintKey') continue;
    assert.equal(colour, undefined, role);
  }
  assert.deepEqual(plain.hintKey, { color: undefined, backgroundColor: undefined, inverse: true });
  for (const env of [{}, { NO_COLOR: '' }]) {
    const coloured = themeFor(env);
    assert.equal(coloured.danger, 'red');
    assert.equal(coloured.hintKey.inverse, false);
  }
});
