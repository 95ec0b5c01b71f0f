/** Components on their own under ink-testing-library: what each draws from its props. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { Box } from 'ink';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { ConflictDialog } from '../../src/tui/components/ConflictDialog.js';
import { HelpOverlay, helpLines, helpScrollLimit } from '../../src/tui/components/HelpOverlay.js';
import { TransferRow } from '../../src/tui/components/TransferRow.js';
import { transfersReducer, initialTransfersState, type TransferItem, type TransfersAction } from '../../src/tui/state/transfers.js';

const KiB = 1024;
const screen = { columns: 100, rows: 30 };

/** An item as the queue makes it: enqueued, then fed `actions`. */
function itemAfter(name: string, ...actions: TransfersAction[]): TransferItem {
  let state = transfersReducer(initialTransfersState, {
    type: 'enqueue', resume: false,
    requests: [{ direction: 'download', name, source: `/remote/${name}`, target: `/home/u/${name}`, isFolder: false }],
  });
  for (const action of actions) state = transfersReducer(state, action);
  return state.items[0]!;
}

/** A dialog is drawn over the screen (absolute position): it is rendered inside a screen-sized box, as in the App. */
function overScreen(element: React.JSX.Element): React.JSX.Element {
  return (
    <Box width={screen.columns} height={screen.rows}>
      {element}
    </Box>
  );
}

function frameOf(element: React.JSX.Element): string {
  const view = render(element);
  const frame = view.lastFrame() ?? '';
  view.unmount();
  return frame;
}

void test('TransferRow: a running transfer shows its bar, percent, bytes, speed and ETA', () => {
  const item = itemAfter(
    'movie.mkv',
    { type: 'start', id: 1, at: 0 },
    { type: 'progress', id: 1, bytes: 0, total: 1024 * KiB, at: 0 },
    { type: 'progress', id: 1, bytes: 256 * KiB, total: 1024 * KiB, at: 1000 },
    { type: 'progress', id: 1, bytes: 512 * KiB, total: 1024 * KiB, at: 2000 },
  );
  const frame = frameOf(<TransferRow item={item} width={100} highlighted={false} />);
  assert.match(frame, /↓movie\.mkv/);
  assert.match(frame, /\[#+-+\]/);
  assert.match(frame, / 50% /);
  assert.match(frame, /512 KiB\/1\.0 MiB/);
  assert.match(frame, /256 KiB\/s/);
  assert.match(frame, /ETA 00:02/);
});

void test('TransferRow: finished, failed and cancelled rows say what happened', () => {
  const done = itemAfter('a.bin', { type: 'start', id: 1, at: 0 }, { type: 'done', id: 1, movedBytes: 3000, size: 3000, durationMs: 1500, resumedFrom: 1000, at: 1500 });
  assert.match(frameOf(<TransferRow item={done} width={100} highlighted={false} />), /✓ ↓a\.bin .*2\.9 KiB in 1\.50 s \(2\.0 KiB\/s avg\), resumed at 1000 B/);
  const failed = itemAfter('b.bin', { type: 'start', id: 1, at: 0 }, { type: 'failed', id: 1, message: 'no space left', at: 5 });
  assert.match(frameOf(<TransferRow item={failed} width={100} highlighted={false} />), /✗ ↓b\.bin .*failed: no space left \(r: resume\)/);
  const cancelled = itemAfter('c.bin', { type: 'start', id: 1, at: 0 }, { type: 'cancelled', id: 1, at: 5 });
  assert.match(frameOf(<TransferRow item={cancelled} width={100} highlighted={false} />), /cancelled \(r: resume\)/);
});

void test('TransferRow: sizes read as KiB/MiB/GiB, a finished run shows its average rate, a starting resume says it is checking', () => {
  const big = itemAfter('disk.img', { type: 'start', id: 1, at: 0 }, {
    type: 'done', id: 1, movedBytes: 3 * 1024 * 1024 * 1024, size: 4 * 1024 * 1024 * 1024, durationMs: 30_000, resumedFrom: 1024 * 1024 * 1024, at: 30_000,
  });
  assert.match(frameOf(<TransferRow item={big} width={100} highlighted={false} />), /3\.0 GiB in 30\.0 s \(102 MiB\/s avg\), resumed at 1\.0 GiB/);
  // Started, nothing reported yet: the client is checking the partial copy's prefix, not at `0% 0 B/0 B`.
  const starting = itemAfter('disk.img', { type: 'start', id: 1, at: 0 });
  const frame = frameOf(<TransferRow item={{ ...starting, resume: true }} width={100} highlighted={false} />);
  assert.match(frame, /checking for a partial copy…/);
  assert.doesNotMatch(frame, /0 B\/0 B/);
  assert.match(frameOf(<TransferRow item={starting} width={100} highlighted={false} />), /starting…/);
});

void test('TransferRow: a long failure keeps its reason and the r hint; the path is cut in the middle', () => {
  const message = 'permission denied: /home/alice/projects/2026/reports/quarterly/final/locked-report.pdf';
  const failed = itemAfter('locked-report.pdf', { type: 'start', id: 1, at: 0 }, { type: 'failed', id: 1, message, at: 5 });
  for (const width of [80, 100]) {
    const frame = frameOf(<TransferRow item={failed} width={width} highlighted={false} />);
    assert.match(frame, /failed: permission denied: \/home.*~.*\.pdf \(r: resume\)$/, frame);
    assert.ok(stringWidth(frame) <= width, frame);
  }
  // Too narrow for any of the path: the reason and the hint still show.
  const narrow = frameOf(<TransferRow item={failed} width={60} highlighted={false} />);
  assert.match(narrow, /failed: permission denied.* \(r: resume\)$/, narrow);
});

void test('TransferRow: a wide or hostile name keeps the row inside its width', () => {
  for (const name of ['日本語のとても長いファイル名です.mkv', `red${String.fromCharCode(0x1b)}[41mEVIL.bin`]) {
    const item = itemAfter(name, { type: 'start', id: 1, at: 0 }, { type: 'progress', id: 1, bytes: 10, total: 100, at: 0 });
    const frame = frameOf(<TransferRow item={item} width={80} highlighted />);
    assert.equal(frame.includes(String.fromCharCode(0x1b) + '[41m'), false);
    for (const line of frame.split('\n')) assert.ok(stringWidth(line) <= 80, line);
  }
});

void test('ConflictDialog: names the transfer and its target, shows each choice with its key, and the apply-to-all box', () => {
  const item = itemAfter('report.pdf', { type: 'conflict', id: 1 });
  const frame = frameOf(overScreen(<ConflictDialog item={item} choiceIndex={0} applyToAll={false} screen={screen} />));
  assert.match(frame, /Target exists/);
  assert.match(frame, /Downloading report\.pdf:/);
  assert.match(frame, /\/home\/u\/report\.pdf already exists\./);
  for (const button of ['Overwrite (o)', 'Resume (r)', 'Skip (s)', 'Rename (n)']) assert.ok(frame.includes(button), button);
  assert.match(frame, /\[ \] apply to all \(a\)/);
  assert.match(frameOf(overScreen(<ConflictDialog item={item} choiceIndex={3} applyToAll screen={screen} />)), /\[x\] apply to all/);
  // The dialog is one rectangle: every line of it as wide as its top border.
  const lines = frame.split('\n').filter((line) => /[║╔╚]/.test(line)).map((line) => line.trim());
  assert.ok(lines.length >= 6);
  for (const line of lines) assert.equal(stringWidth(line), stringWidth(lines[0]!), line);
});

void test('HelpOverlay: shows the first lines, scrolls to the last, and says where it is', () => {
  const all = helpLines();
  const first = frameOf(overScreen(<HelpOverlay screen={screen} offset={0} />));
  assert.match(first, new RegExp(`Ferry keys \\(1-\\d+ of ${all.length};`));
  assert.match(first, /— Operations —/);
  assert.match(first, /Copy to the other pane/);
  const limit = helpScrollLimit(screen);
  assert.ok(limit > 0, 'the help is longer than one screen');
  const last = frameOf(overScreen(<HelpOverlay screen={screen} offset={limit} />));
  assert.match(last, new RegExp(`of ${all.length};`));
  assert.match(last, /Close the help/);
  assert.doesNotMatch(last, /— Operations —/);
  // Scrolling past the end shows the same last page.
  assert.equal(frameOf(overScreen(<HelpOverlay screen={screen} offset={limit + 50} />)), last);
});

void test('HelpOverlay: on a wide terminal every description is shown whole, not cut', () => {
  const wide = { columns: 200, rows: 50 };
  const all = helpLines();
  const limit = helpScrollLimit(wide);
  for (let offset = 0; offset <= limit; offset += wide.rows - 8) {
    const frame = frameOf(<Box width={wide.columns} height={wide.rows}><HelpOverlay screen={wide} offset={offset} /></Box>);
    const shown = frame.split('\n').filter((line) => line.includes('║') && !line.includes('Ferry keys'));
    for (const line of shown) assert.doesNotMatch(line, /~ ║/, line);
  }
  assert.ok(all.some((line) => line.length > 74), 'some lines are longer than the narrow help');
});

void test('ConflictDialog: on a wide terminal its buttons stand on one line and the target on one', () => {
  const wide = { columns: 200, rows: 50 };
  const item = itemAfter('report.pdf', { type: 'conflict', id: 1 });
  const frame = frameOf(<Box width={wide.columns} height={wide.rows}><ConflictDialog item={item} choiceIndex={0} applyToAll={false} screen={wide} /></Box>);
  assert.ok(frame.split('\n').some((line) => line.includes('Overwrite (o)') && line.includes('Rename (n)')), frame);
  assert.ok(frame.split('\n').some((line) => line.includes('/home/u/report.pdf already exists.')), frame);
  // At 60 columns it still fits, the buttons wrapped.
  const narrow = { columns: 60, rows: 15 };
  const small = frameOf(<Box width={narrow.columns} height={narrow.rows}><ConflictDialog item={item} choiceIndex={0} applyToAll={false} screen={narrow} /></Box>);
  for (const line of small.split('\n')) assert.ok(stringWidth(line) <= 60, line);
});
