/**
 * The `..` row at the top of every folder but the root, in both panes: Enter
 * on it goes up; it is never selected, counted, copied or deleted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EntryKind, type Entry } from '../../src/protocol/messages.js';
import {
  createPaneState, currentEntry, onParentRow, paneReducer, paneView, targetEntries, type PaneAction, type PaneState,
} from '../../src/tui/state/pane.js';
import { KEYS, settle, waitForFrame } from '../helpers/ink.js';
import { folderWith, withConnectedApp } from '../helpers/connected-app.js';

const file = (name: string): Entry => ({ name, kind: EntryKind.FILE, size: 1, mtimeMs: 0, mode: 0o644 });
const run = (state: PaneState, ...actions: PaneAction[]): PaneState => actions.reduce(paneReducer, state);

void test('below the root the cursor can stand on the .. row, which is no entry', () => {
  const entries = ['a', 'b', 'c', 'd', 'e', 'f'].map(file);
  let state = run(createPaneState('/', 4), { type: 'loaded', path: '/sub', entries, parentRow: true });
  // A folder opens on its first entry, with the .. row in view above it.
  assert.equal(currentEntry(state)?.name, 'a');
  assert.deepEqual({ parentRow: paneView(state).parentRow, cursorRow: paneView(state).cursorRow }, { parentRow: true, cursorRow: 1 });
  state = run(state, { type: 'move', delta: -1 });
  assert.ok(onParentRow(state));
  assert.equal(currentEntry(state), undefined);
  assert.deepEqual(targetEntries(state), [], 'F5, F8 and the rest have nothing to act on');
  assert.equal(paneView(state).cursorRow, 0);
  // Insert/Space passes over it without selecting anything.
  state = run(state, { type: 'toggle-select' });
  assert.equal(state.selected.size, 0);
  assert.equal(currentEntry(state)?.name, 'a');
  state = run(state, { type: 'select-all' });
  assert.equal(state.selected.size, entries.length);
  assert.equal(paneView(state).total, entries.length, 'the .. row is not counted');
  // Scrolling down pushes it out of view; Home brings the cursor back onto it.
  state = run(state, { type: 'end' });
  assert.equal(paneView(state).parentRow, false);
  assert.deepEqual(paneView(state).rows.map((entry) => entry.name), ['c', 'd', 'e', 'f']);
  state = run(state, { type: 'home' });
  assert.ok(onParentRow(state));
  assert.equal(paneView(state).parentRow, true);
  assert.deepEqual(paneView(state).rows.map((entry) => entry.name), ['a', 'b', 'c']);
  // The root has none; an empty folder puts the cursor on it.
  const root = run(createPaneState('/', 4), { type: 'loaded', path: '/', entries, parentRow: false });
  assert.equal(run(root, { type: 'move', delta: -5 }).cursor, 0);
  assert.equal(paneView(root).parentRow, false);
  const empty = run(createPaneState('/', 4), { type: 'loaded', path: '/empty', entries: [], parentRow: true });
  assert.ok(onParentRow(empty));
});

void test('the .. row shows in both panes below the root; Enter on it goes up; F8 and F5 leave it alone', async () => {
  const local = await folderWith({ 'here.txt': 'x' });
  const remoteRoot = await folderWith({ 'top.txt': 't', 'sub/inner.txt': 'i' }, ['sub']);
  const parentRows = (frame: string): number => frame.split(' /.. ').length - 1;
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    // The local pane is a temporary folder (has a parent); the remote pane is at the server's root (has none).
    let frame = await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('sub') && f.includes('here.txt'));
    assert.equal(parentRows(frame), 1, frame);
    // Into /sub on the remote pane: its .. row appears, with the cursor on the first entry.
    app.stdin.write(KEYS.enter);
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('inner.txt'));
    assert.equal(parentRows(frame), 2, frame);
    app.stdin.write(KEYS.up);
    await settle();
    // F8 on it asks nothing; F5 has nothing to copy; Space selects nothing.
    app.stdin.write(KEYS.f8);
    await settle();
    assert.doesNotMatch(app.lastFrame() ?? '', /Delete\b.*\?/);
    app.stdin.write(KEYS.f5);
    await waitForFrame(app.lastFrame, (f) => f.includes('nothing to copy'));
    app.stdin.write(' ');
    await settle();
    assert.doesNotMatch(app.lastFrame() ?? '', /1 selected/);
    app.stdin.write(KEYS.up);
    app.stdin.write(KEYS.enter);
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('top.txt') && !f.includes('inner.txt'));
    assert.equal(parentRows(frame), 1, frame);
    assert.ok(await fs.stat(path.join(remoteRoot, 'sub', 'inner.txt')), 'nothing was deleted');
    // The local pane: Up from its first entry, Enter: its parent folder opens with the cursor on the folder left.
    app.stdin.write(KEYS.tab);
    app.stdin.write(KEYS.up);
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes(path.basename(local)) && !f.includes('here.txt'));
  });
});
