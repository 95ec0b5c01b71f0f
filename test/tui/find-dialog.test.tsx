/**
 * The find panel (F): a pattern searched on the server (FIND) below the
 * remote folder; a match is gone to (Enter) or gone to and selected (Insert).
 * Real ferryd, ink-testing-library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { KEYS, loopback, renderApp, settle, waitForFrame } from '../helpers/ink.js';
import { findPattern } from '../../src/tui/dialogs/find-dialog.js';

void test('a plain word finds names containing it; a glob is sent as typed', () => {
  assert.equal(findPattern('notes'), '*notes*');
  assert.equal(findPattern(' *.md '), '*.md');
  assert.equal(findPattern('[ab]?'), '[ab]?');
});

void test('F finds below the remote folder; Enter goes to a match, Insert goes to it and selects it', async () => {
  const local = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-find-local-'));
  const remoteRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-find-remote-'));
  await fs.mkdir(path.join(remoteRoot, 'docs/old'), { recursive: true });
  await fs.mkdir(path.join(remoteRoot, 'src'));
  await fs.writeFile(path.join(remoteRoot, 'docs/old/a-first.txt'), '');
  await fs.writeFile(path.join(remoteRoot, 'docs/old/Notes.md'), '');
  await fs.writeFile(path.join(remoteRoot, 'src/main.ts'), '');
  await fs.writeFile(path.join(remoteRoot, 'src/util.ts'), '');
  const server = await startTestServer({ root: remoteRoot });
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('docs'));
    app.stdin.write('F');
    await waitForFrame(app.lastFrame, (f) => f.includes('Find on the server below /'));
    app.stdin.write('notes');
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('docs/old/Notes.md') && f.includes('1 match') && !f.includes('searching'));
    app.stdin.write(KEYS.enter);
    const there = await waitForFrame(app.lastFrame, (f) => f.includes(`127.0.0.1:${server.port}/docs/old`) && !f.includes('Find on'));
    assert.match(there, /Notes\.md/);
    assert.match(there, / 2\/2/, 'the cursor is on Notes.md, the second entry');

    app.stdin.write('F');
    await waitForFrame(app.lastFrame, (f) => f.includes('Find on the server below /docs/old'));
    app.stdin.write('*');
    app.stdin.write(KEYS.enter);
    // Below /docs/old only: its two files, not src/*.ts.
    await waitForFrame(app.lastFrame, (f) => f.includes('2 matches') && !f.includes('searching') && !f.includes('main.ts'));
    app.stdin.write(KEYS.down);
    await settle();
    app.stdin.write(KEYS.up);
    await settle();
    app.stdin.write('\x1b[2~');
    await waitForFrame(app.lastFrame, (f) => !f.includes('Find on') && f.includes('1 selected'));
    app.stdin.write('F');
    await waitForFrame(app.lastFrame, (f) => f.includes('Find on the server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Find on'));
  } finally {
    app.unmount();
    await server.cleanup();
    await fs.rm(local, { recursive: true, force: true });
    await fs.rm(remoteRoot, { recursive: true, force: true });
  }
});
