import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntryKind, type Entry } from '../../src/protocol/messages.js';
import {
  createPaneState,
  paneReducer,
  targetEntries,
  visibleRows,
  type PaneAction,
  type PaneState,
} from '../../src/tui/state/pane.js';

const file = (name: string, size = 0, mtimeMs = 0): Entry => ({ name, kind: EntryKind.FILE, size, mtimeMs, mode: 0o644 });
const folder = (name: string): Entry => ({ name, kind: EntryKind.DIRECTORY, size: 0, mtimeMs: 0, mode: 0o755 });

function run(state: PaneState, ...actions: PaneAction[]): PaneState {
  return actions.reduce(paneReducer, state);
}

function loaded(entries: Entry[], height = 5): PaneState {
  return run(createPaneState('/', height), { type: 'loaded', path: '/', entries });
}

const names = (entries: readonly Entry[]): string[] => entries.map((entry) => entry.name);

void test('folders come first, then names in natural order', () => {
  const state = loaded([file('b10'), file('b2'), folder('zeta'), file('a'), folder('alpha')]);
  assert.deepEqual(names(state.view), ['alpha', 'zeta', 'a', 'b2', 'b10']);
});

void test('hidden files are left out until toggled, and the cursor stays on its entry', () => {
  let state = loaded([file('.env'), file('a'), file('b')]);
  assert.deepEqual(names(state.view), ['a', 'b']);
  state = run(state, { type: 'move', delta: 1 });
  assert.equal(state.view[state.cursor]?.name, 'b');
  state = run(state, { type: 'toggle-hidden' });
  assert.deepEqual(names(state.view), ['.env', 'a', 'b']);
  assert.equal(state.view[state.cursor]?.name, 'b');
});

void test('the cursor is clamped and the window scrolls to keep it visible', () => {
  const entries = Array.from({ length: 20 }, (_, i) => file(`f${String(i).padStart(2, '0')}`));
  let state = loaded(entries, 5);
  state = run(state, { type: 'move', delta: -3 });
  assert.equal(state.cursor, 0);
  state = run(state, { type: 'move', delta: 6 });
  assert.equal(state.cursor, 6);
  assert.equal(state.top, 2);
  assert.deepEqual(names(visibleRows(state)), ['f02', 'f03', 'f04', 'f05', 'f06']);
  state = run(state, { type: 'end' });
  assert.equal(state.cursor, 19);
  assert.equal(state.top, 15);
  state = run(state, { type: 'page', direction: -1 });
  assert.equal(state.cursor, 15);
  assert.equal(state.top, 15);
  state = run(state, { type: 'page', direction: -1 });
  assert.equal(state.cursor, 11);
  assert.equal(state.top, 11);
  state = run(state, { type: 'home' });
  assert.deepEqual([state.cursor, state.top], [0, 0]);
});

void test('a smaller window after resize still shows the cursor', () => {
  let state = run(loaded(Array.from({ length: 30 }, (_, i) => file(`f${i}`)), 20), { type: 'move', delta: 15 });
  state = run(state, { type: 'resize', height: 5 });
  assert.ok(state.cursor >= state.top && state.cursor < state.top + 5);
  assert.equal(state.height, 5);
});

void test('selection toggles and moves down; select all and invert', () => {
  let state = loaded([file('a'), file('b'), file('c')]);
  state = run(state, { type: 'toggle-select' });
  assert.deepEqual([...state.selected], ['a']);
  assert.equal(state.cursor, 1);
  state = run(state, { type: 'invert-selection' });
  assert.deepEqual([...state.selected].sort(), ['b', 'c']);
  state = run(state, { type: 'select-all' });
  assert.equal(state.selected.size, 3);
  assert.deepEqual(names(targetEntries(state)), ['a', 'b', 'c']);
  state = run(state, { type: 'clear-selection' });
  assert.deepEqual(names(targetEntries(state)), ['b']);
});

void test('filter is case-insensitive and keeps the cursor on a still-shown entry', () => {
  let state = loaded([file('Report.pdf'), file('notes.txt'), file('report-2.pdf')]);
  state = run(state, { type: 'focus-name', name: 'report-2.pdf' }, { type: 'set-filter', filter: 'rep' });
  assert.deepEqual(names(state.view).sort(), ['Report.pdf', 'report-2.pdf']);
  assert.equal(state.view[state.cursor]?.name, 'report-2.pdf');
  state = run(state, { type: 'set-filter', filter: 'zzz' });
  assert.equal(state.view.length, 0);
  assert.equal(state.cursor, 0);
  state = run(state, { type: 'set-filter', filter: '' });
  assert.equal(state.view.length, 3);
});

void test('sort by size and time, again reverses; folders stay first', () => {
  let state = loaded([file('small', 1, 300), file('big', 100, 100), folder('dir'), file('mid', 50, 200)]);
  state = run(state, { type: 'set-sort', key: 'size' });
  assert.deepEqual(names(state.view), ['dir', 'big', 'mid', 'small']);
  state = run(state, { type: 'set-sort', key: 'size' });
  assert.deepEqual(names(state.view), ['dir', 'small', 'mid', 'big']);
  state = run(state, { type: 'set-sort', key: 'time' });
  assert.deepEqual(names(state.view), ['dir', 'small', 'mid', 'big']);
  state = run(state, { type: 'reverse-sort' });
  assert.deepEqual(names(state.view), ['dir', 'big', 'mid', 'small']);
});

void test('a refresh of the same folder keeps cursor and prunes the selection; a new folder resets', () => {
  let state = run(loaded([file('a'), file('b'), file('c')]), { type: 'move', delta: 2 }, { type: 'select-all' });
  state = run(state, { type: 'loaded', path: '/', entries: [file('a'), file('c'), file('d')] });
  assert.equal(state.view[state.cursor]?.name, 'c');
  assert.deepEqual([...state.selected].sort(), ['a', 'c']);
  state = run(state, { type: 'set-filter', filter: 'a' }, { type: 'loaded', path: '/sub', entries: [file('x'), file('y')] });
  assert.equal(state.path, '/sub');
  assert.equal(state.filter, '');
  assert.equal(state.cursor, 0);
  assert.equal(state.selected.size, 0);
  state = run(state, { type: 'loaded', path: '/', entries: [folder('sub'), folder('other'), file('z')], focusName: 'sub' });
  assert.equal(state.view[state.cursor]?.name, 'sub');
});

void test('cursor moves on 100 000 entries do not re-derive the view', () => {
  const entries = Array.from({ length: 100_000 }, (_, i) => file(`file-${i}`, i, i));
  let state = loaded(entries, 30);
  const view = state.view;
  for (let i = 0; i < 100; i++) state = run(state, { type: 'move', delta: 1 }, { type: 'toggle-select' });
  assert.equal(state.view, view, 'the same array: no filtering or sorting per key press');
  assert.equal(visibleRows(state).length, 30);
});

void test('load failure keeps the listing and records the message', () => {
  let state = loaded([file('a')]);
  state = run(state, { type: 'load-start' }, { type: 'load-failed', message: 'permission denied' });
  assert.equal(state.error, 'permission denied');
  assert.equal(state.loading, false);
  assert.deepEqual(names(state.view), ['a']);
});

/** What a filter must show, computed the plain way: every name checked again. */
function expectedView(entries: Entry[], filter: string, showHidden: boolean): string[] {
  const fresh = run(createPaneState('/', 5), ...(showHidden ? [{ type: 'toggle-hidden' } as const] : []), { type: 'loaded', path: '/', entries }, { type: 'set-filter', filter });
  return names(fresh.view);
}

void test('typing into the filter narrows the previous view and shows what a fresh filter shows', () => {
  const entries = [file('Alpha.txt'), file('alpine'), file('.alps'), folder('ALPS-data'), file('beta'), file('xalp'), file('ΣΑΣ')];
  let state = loaded(entries);
  for (const [typed, expected] of [['a', ['ALPS-data', 'Alpha.txt', 'alpine', 'beta', 'xalp']], ['l', ['ALPS-data', 'Alpha.txt', 'alpine', 'xalp']], ['P', ['ALPS-data', 'Alpha.txt', 'alpine', 'xalp']], ['s', ['ALPS-data']]] as const) {
    state = run(state, { type: 'append-filter', text: typed });
    assert.deepEqual(names(state.view), expected, `after typing ${typed}`);
    assert.deepEqual(names(state.view), expectedView(entries, state.filter, false));
    assert.deepEqual(state.viewIndex.map((index) => state.sorted[index]?.name), names(state.view));
  }
  // Erasing widens again: the whole folder is scanned, not the narrowed view.
  state = run(state, { type: 'erase-filter' }, { type: 'erase-filter' });
  assert.deepEqual(names(state.view), expectedView(entries, 'al', false));
  // Hidden files shown while filtering: the narrowed view must not stand in for the folder.
  state = run(state, { type: 'toggle-hidden' });
  assert.deepEqual(names(state.view), ['ALPS-data', '.alps', 'Alpha.txt', 'alpine', 'xalp']);
  // A filter that does not extend the previous one is applied to the whole folder.
  state = run(state, { type: 'set-filter', filter: 'σ' });
  assert.deepEqual(names(state.view), ['ΣΑΣ']);
  state = run(state, { type: 'set-filter', filter: 'bet' });
  assert.deepEqual(names(state.view), ['beta']);
});

void test('a new listing or sort order while filtering is filtered from scratch', () => {
  let state = run(loaded([file('a1'), file('b1'), file('a2')]), { type: 'set-filter', filter: 'a' });
  assert.deepEqual(names(state.view), ['a1', 'a2']);
  state = run(state, { type: 'loaded', path: '/', entries: [file('a1'), file('b1'), file('a2'), file('a3')] });
  assert.deepEqual(names(state.view), ['a1', 'a2', 'a3']);
  state = run(state, { type: 'reverse-sort' }, { type: 'append-filter', text: '3' });
  assert.deepEqual(names(state.view), ['a3']);
  assert.deepEqual(state.viewIndex.map((index) => state.sorted[index]?.name), ['a3']);
});

void test('the cursor stays on its entry while the filter narrows and widens', () => {
  let state = run(loaded([file('a1'), file('b1'), file('a2'), file('ab3'), file('c4')]), { type: 'end' });
  assert.equal(currentName(state), 'c4');
  state = run(state, { type: 'move', delta: -2 });
  assert.equal(currentName(state), 'ab3');
  state = run(state, { type: 'append-filter', text: 'a' });
  assert.equal(currentName(state), 'ab3');
  state = run(state, { type: 'append-filter', text: 'b' });
  assert.deepEqual(names(state.view), ['ab3']);
  assert.equal(currentName(state), 'ab3');
  state = run(state, { type: 'set-filter', filter: '' });
  assert.equal(currentName(state), 'ab3');
  assert.equal(state.cursor, 2);
  // The entry under the cursor filtered out: the cursor keeps its row number within the new view.
  state = run(state, { type: 'set-filter', filter: '1' });
  assert.deepEqual(names(state.view), ['a1', 'b1']);
  assert.equal(currentName(state), 'b1');
});

function currentName(state: PaneState): string | undefined {
  return state.view[state.cursor]?.name;
}
