/** The file pane as drawn: its header line, column titles and rows at the widths the layout gives it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { Pane, paneHeader } from '../../src/tui/components/Pane.js';
import { createPaneState, paneReducer, paneView, type PaneAction } from '../../src/tui/state/pane.js';
import { computeLayout, MIN_COLUMNS, MIN_ROWS } from '../../src/tui/layout.js';
import { TooSmallScreen } from '../../src/tui/components/TooSmallScreen.js';
import { StatusLine } from '../../src/tui/components/StatusLine.js';
import { EntryKind, type Entry } from '../../src/protocol/messages.js';

const now = Date.now();
const entries: Entry[] = [
  { name: 'project', kind: EntryKind.DIRECTORY, size: 0, mtimeMs: now, mode: 0o755 },
  { name: 'big-file.bin', kind: EntryKind.FILE, size: 48 * 1024 * 1024, mtimeMs: now, mode: 0o644 },
  { name: '.hidden-config', kind: EntryKind.FILE, size: 21, mtimeMs: now, mode: 0o644 },
];

function paneFrame(columns: number, filtering: boolean, ...actions: PaneAction[]): string[] {
  let state = paneReducer(createPaneState('/tmp/demo/local', 5), { type: 'loaded', path: '/tmp/demo/local', entries });
  for (const action of actions) state = paneReducer(state, action);
  const width = computeLayout({ columns, rows: 15 }).paneWidths[0];
  const view = render(<Pane view={paneView(state)} location="local:/tmp/demo/local" active width={width} height={9} filtering={filtering} />);
  const lines = (view.lastFrame() ?? '').split('\n');
  view.unmount();
  return lines;
}

void test('hidden files shown and a filter are said on the header line; the column titles and the sort stay', () => {
  for (const columns of [60, 80, 200]) {
    const lines = paneFrame(columns, true, { type: 'toggle-hidden' }, { type: 'set-filter', filter: 'i' });
    assert.match(lines[1]!, /\+hidden filter: i_ ?│$/, `${columns}: ${lines[1]}`);
    assert.match(lines[2]!, /Name \(name↑\) +Size/, `${columns}: ${lines[2]}`);
    assert.match(lines.join('\n'), /\.hidden-config/);
  }
  const narrow = paneFrame(50, false, { type: 'toggle-hidden' });
  assert.match(narrow[1]!, / \+hidden│$/, narrow[1]);
  assert.match(narrow[2]!, /Name \(name↑\) +Size/, narrow[2]);
});

void test('a narrow pane keeps the name readable: Modified goes before the name is cut', () => {
  const lines = paneFrame(60, false);
  assert.ok(lines.some((line) => line.includes(' big-file.bin ') && line.includes('48M')), lines.join('\n'));
  assert.ok(!lines.join('\n').includes('Modified'));
  const wide = paneFrame(80, false);
  assert.ok(wide.some((line) => /big-file\.bin +48M [A-Z][a-z]{2} [ 123]\d \d\d:\d\d│/.test(line)), wide.join('\n'));
  for (const line of [...lines, ...wide]) assert.ok(stringWidth(line) <= 40, line);
});

void test('paneHeader: the location is cut in the middle, the flags keep at most two thirds of the line', () => {
  assert.equal(paneHeader('local:/home/alice/projects/ferry', '', 20), 'local:/hom~cts/ferry');
  assert.equal(paneHeader('local:/home/alice/projects/ferry', '+hidden', 20), 'local:~ferry +hidden');
  const header = paneHeader('local:/x', '+hidden filter: a-very-long-filter-text_', 30);
  assert.equal(stringWidth(header), 30);
  assert.ok(header.startsWith('local:/x'), header);
});

void test('TooSmallScreen: says the size needed, and nothing of it wraps however small the terminal', () => {
  for (const size of [{ columns: 30, rows: 10 }, { columns: 12, rows: 3 }, { columns: 49, rows: 14 }]) {
    const view = render(<TooSmallScreen size={size} />);
    const lines = (view.lastFrame() ?? '').split('\n');
    view.unmount();
    assert.ok(lines.length <= Math.max(1, size.rows - 1), lines.join('\n'));
    for (const line of lines) assert.ok(stringWidth(line) <= size.columns, line);
    if (size.columns >= 30) {
      assert.equal(lines[0]!.trim(), 'Terminal too small');
      assert.equal(lines[1]!.trim(), `(need ${MIN_COLUMNS}×${MIN_ROWS}, have ${size.columns}×${size.rows})`);
    }
  }
});

void test('StatusLine: on a narrow terminal the address makes way, so the message keeps its reason and path', () => {
  const message = 'permission denied: local:/tmp/ferry-demo-x1y2z3/local/perm/locked';
  const draw = (width: number): string => {
    const view = render(<StatusLine connection="connected" kind="ferry" address="127.0.0.1:41741" message={message} messageKind="error" counts="1/5" width={width} />);
    const frame = view.lastFrame() ?? '';
    view.unmount();
    return frame;
  };
  const narrow = draw(60);
  assert.match(narrow, /^\[ferry plain\] │ permission denied: local:\/tmp.*~.*\/locked 1\/5$/, narrow);
  assert.ok(stringWidth(narrow) <= 60, narrow);
  const wide = draw(140);
  assert.match(wide, /^\[ferry plain\] connected 127\.0\.0\.1:41741 │ permission denied: local:\/tmp\/ferry-demo-x1y2z3\/local\/perm\/locked +1\/5$/, wide);
});

void test('a placeholder too long for a narrow pane wraps over its rows instead of losing the key to press', () => {
  const state = paneReducer(createPaneState('/', 5), { type: 'loaded', path: '/', entries: [] });
  const placeholder = 'connection lost — ^O reconnects (the other pane keeps working)';
  const view = render(<Pane view={paneView(state)} location="127.0.0.1:7070:/" active={false} width={30} height={9} filtering={false} placeholder={placeholder} />);
  const text = (view.lastFrame() ?? '').split('\n').map((line) => line.replace(/│/g, '').trim()).join(' ');
  view.unmount();
  assert.ok(text.includes(placeholder), text);
});
