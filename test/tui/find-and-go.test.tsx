/**
 * Quick search (^S) and go-to (^G) on both panes: real folders, a real
 * ferryd for the remote pane, ink-testing-library. Where the cursor landed
 * is read back through F6, whose dialog names the entry under the cursor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EntryKind, type Entry } from '../../src/protocol/messages.js';
import { quickSearchMatch } from '../../src/tui/state/quick-search.js';
import { startTestServer } from '../helpers/server.js';
import { tempFolder, removeTempFolder } from '../helpers/temp-folders.js';
import { KEYS, loopback, renderApp, waitForFrame } from '../helpers/ink.js';

const ctrl = (letter: string): string => String.fromCharCode(letter.charCodeAt(0) - 96);
const file = (name: string): Entry => ({ name, kind: EntryKind.FILE, size: 1, mtimeMs: 0, mode: 0o644 });

void test('quick search prefers a name starting with the text while typing; next goes to the next name containing it', () => {
  const view = ['alpha.txt', 'beta.log', 'gamma.txt', 'report-beta.md'].map(file);
  assert.equal(quickSearchMatch(view, 'BE', 0), 1);
  assert.equal(quickSearchMatch(view, 'beta', 2), 1, 'a prefix match wraps around before a mere contains');
  assert.equal(quickSearchMatch(view, 'beta', 2, false), 3);
  assert.equal(quickSearchMatch(view, 'beta', 4, false), 1, 'next wraps around');
  assert.equal(quickSearchMatch(view, 'zzz', 0), -1);
  assert.equal(quickSearchMatch([], 'a', 0), -1);
});

/** The name F6 offers to rename: the entry under the cursor. */
async function entryUnderCursor(app: ReturnType<typeof renderApp>): Promise<string> {
  app.stdin.write(KEYS.f6);
  const frame = await waitForFrame(app.lastFrame, (f) => f.includes('Rename/move '));
  app.stdin.write(KEYS.escape);
  await waitForFrame(app.lastFrame, (f) => !f.includes('Rename/move '));
  return /Rename\/move (\S+)/.exec(frame)?.[1] ?? '';
}

void test('^S on the remote pane jumps as you type, ^S finds the next, Backspace keeps the entry found, and another key stops and acts', async () => {
  const remoteRoot = await tempFolder('ferry-find-remote-');
  const local = await tempFolder('ferry-find-local-');
  for (const name of ['alpha.txt', 'beta.log', 'gamma.txt', 'report-beta.md']) await fs.writeFile(path.join(remoteRoot, name), name);
  const server = await startTestServer({ root: remoteRoot });
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('report-beta.md'));
    app.stdin.write(ctrl('s'));
    await waitForFrame(app.lastFrame, (f) => f.includes('quick search (remote): _'));
    app.stdin.write('ga');
    await waitForFrame(app.lastFrame, (f) => f.includes('quick search (remote): ga_'));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => !f.includes('quick search'));
    assert.equal(await entryUnderCursor(app), 'gamma.txt');

    app.stdin.write('\x1bs');
    await waitForFrame(app.lastFrame, (f) => f.includes('quick search (remote): _'));
    app.stdin.write('beta');
    await waitForFrame(app.lastFrame, (f) => f.includes('quick search (remote): beta_'));
    app.stdin.write(ctrl('s'));
    app.stdin.write('x');
    await waitForFrame(app.lastFrame, (f) => f.includes('betax_  — no match'));
    app.stdin.write(KEYS.backspace);
    await waitForFrame(app.lastFrame, (f) => f.includes('quick search (remote): beta_ '));
    // F6 is not the search's: the search stops and F6 renames the entry found.
    app.stdin.write(KEYS.f6);
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('Rename/move '));
    assert.match(frame, /Rename\/move report-beta\.md/);
    assert.ok(!frame.includes('quick search'));
  } finally {
    app.unmount();
    await server.cleanup();
    await removeTempFolder(remoteRoot);
    await removeTempFolder(local);
  }
});

void test('^G goes to a typed folder on the remote pane, to a file on the local pane (cursor on it), and keeps the dialog on a bad path', async () => {
  const remoteRoot = await tempFolder('ferry-goto-remote-');
  const local = await tempFolder('ferry-goto-local-');
  await fs.mkdir(path.join(remoteRoot, 'deep', 'er'), { recursive: true });
  await fs.writeFile(path.join(remoteRoot, 'deep', 'er', 'inside.txt'), 'x');
  await fs.mkdir(path.join(local, 'docs'));
  for (const name of ['a.txt', 'b.txt', 'c.txt']) await fs.writeFile(path.join(local, 'docs', name), name);
  const server = await startTestServer({ root: remoteRoot });
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('deep'));
    app.stdin.write(ctrl('g'));
    await waitForFrame(app.lastFrame, (f) => f.includes('Go to (remote pane)'));
    app.stdin.write(`${ctrl('u')}deep/er${KEYS.enter}`);
    await waitForFrame(app.lastFrame, (f) => f.includes('/deep/er') && f.includes('inside.txt') && !f.includes('Go to'));

    app.stdin.write(ctrl('g'));
    await waitForFrame(app.lastFrame, (f) => f.includes('Go to (remote pane)'));
    app.stdin.write(`${ctrl('u')}/no/such/place${KEYS.enter}`);
    await waitForFrame(app.lastFrame, (f) => f.includes('nothing at') && f.includes('Go to (remote pane)'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Go to'));

    app.stdin.write(KEYS.tab);
    app.stdin.write(ctrl('g'));
    await waitForFrame(app.lastFrame, (f) => f.includes('Go to (local pane)'));
    app.stdin.write(`${ctrl('u')}docs/b.txt${KEYS.enter}`);
    await waitForFrame(app.lastFrame, (f) => f.includes(`local:${path.join(local, 'docs')}`) && !f.includes('Go to'));
    assert.equal(await entryUnderCursor(app), 'b.txt');
  } finally {
    app.unmount();
    await server.cleanup();
    await removeTempFolder(remoteRoot);
    await removeTempFolder(local);
  }
});
