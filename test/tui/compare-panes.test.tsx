/**
 * Compare panes (`=`): the files newer on one side, differing in size at the
 * same time, or only on one side are selected in their pane, and the status
 * line sums up; against a real ferryd in the app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EntryKind, type Entry } from '../../src/protocol/messages.js';
import { compareListings, describeComparison } from '../../src/tui/actions/compare-panes.js';
import { createPaneState, paneReducer } from '../../src/tui/state/pane.js';
import { startTestServer } from '../helpers/server.js';
import { loopback, renderApp, waitForFrame } from '../helpers/ink.js';

const file = (name: string, size: number, mtimeMs: number): Entry => ({ name, kind: EntryKind.FILE, size, mtimeMs, mode: 0o644 });
const folder = (name: string): Entry => ({ name, kind: EntryKind.DIRECTORY, size: 0, mtimeMs: 0, mode: 0o755 });

void test('compareListings selects newer, same-time-other-size and one-sided files; folders and equal files stay out', () => {
  const c = compareListings(
    [file('same', 1, 10), file('newer-here', 1, 20), file('older-here', 1, 5), file('clash', 1, 7), file('only-here', 1, 1), folder('dir')],
    [file('same', 1, 10), file('newer-here', 1, 10), file('older-here', 1, 9), file('clash', 2, 7), file('only-there', 1, 1), folder('dir2')],
  );
  assert.deepEqual([...c.local].sort(), ['clash', 'newer-here', 'only-here']);
  assert.deepEqual([...c.remote].sort(), ['clash', 'older-here', 'only-there']);
  assert.equal(describeComparison(c), 'compare: 1 only local, 1 only remote, 1 newer local, 1 newer remote, 1 same time, other size — selected');
  assert.equal(describeComparison(compareListings([file('a', 1, 1)], [file('a', 1, 1)])), 'compare: the files of both folders are alike');
});

void test('compareListings compares times to the coarser side: an SFTP copy (whole seconds) of a file written at .537 s is as new', () => {
  const written = Date.UTC(2024, 2, 1, 12, 0, 0, 537);
  const sftp = (name: string, size: number, mtimeMs: number): Entry => ({ ...file(name, size, mtimeMs), mtimeResolutionMs: 1000 });
  const c = compareListings(
    [file('copied', 5, written), file('changed', 5, written + 1000)],
    [sftp('copied', 5, written - 537), sftp('changed', 5, written - 537)],
  );
  assert.deepEqual([...c.local], ['changed']);
  assert.deepEqual([...c.remote], []);
});

void test('set-selection selects exactly the named entries that are listed', () => {
  const loaded = paneReducer(createPaneState('/'), { type: 'loaded', path: '/', entries: [file('a', 1, 1), file('b', 1, 1)] });
  const state = paneReducer(loaded, { type: 'set-selection', names: new Set(['b', 'missing']) });
  assert.deepEqual([...state.selected], ['b']);
});

void test('= in the app selects the differing files in both panes and says what it found', async () => {
  const local = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-compare-local-'));
  const server = await startTestServer();
  const t = new Date('2024-01-01T00:00:00Z');
  const later = new Date('2024-06-01T00:00:00Z');
  const write = async (top: string, name: string, content: string, when: Date): Promise<void> => {
    await fs.writeFile(path.join(top, name), content);
    await fs.utimes(path.join(top, name), when, when);
  };
  await write(local, 'same.txt', 'same', t);
  await write(server.root, 'same.txt', 'same', t);
  await write(local, 'mine.txt', 'mine', t);
  await write(server.root, 'theirs.txt', 'theirs', t);
  await write(local, 'edited.txt', 'new text', later);
  await write(server.root, 'edited.txt', 'old', t);
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('theirs.txt') && f.includes('mine.txt'));
    app.stdin.write('=');
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('compare:'));
    // The status line may cut the summary's end (the selection's total shares the line); ^L holds it whole.
    assert.match(frame, /compare: 1 only local, 1 only remote, 1 newer lo/);
    const marked = (name: string): boolean => frame.split('\n').some((line) => new RegExp(`\\*\\S?\\s?${name.replace('.', '\\.')}`).test(line));
    assert.ok(marked('mine.txt') && marked('theirs.txt') && marked('edited.txt'), frame);
    assert.ok(!marked('same.txt'), frame);
  } finally {
    app.unmount();
    await server.cleanup();
    await fs.rm(local, { recursive: true, force: true });
  }
});
