/**
 * What a Midnight Commander or termscp user runs into at once: keys that act
 * on the pane in front of them, questions that wait to be seen, the answers
 * they expect from mc. Real ferryd, real folders, ink-testing-library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KEYS, waitForFrame, waitUntil } from '../helpers/ink.js';
import { folderWith, withConnectedApp } from '../helpers/connected-app.js';
import { hintEntries } from '../../src/tui/keys/keymap.js';

const exists = (file: string): Promise<boolean> => fs.access(file).then(() => true, () => false);

void test('u and d act on the active pane only, in the direction they name', async () => {
  const local = await folderWith({ 'up.txt': 'from here' });
  const remoteRoot = await folderWith({ 'down.txt': 'from there' });
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('down.txt') && f.includes('up.txt'));
    // The remote pane is active at start: u has nothing of its own to upload.
    app.stdin.write('u');
    await waitForFrame(app.lastFrame, (f) => f.includes('u uploads from the local pane'));
    // The local pane: d does not reach for the entry under the remote cursor.
    app.stdin.write(KEYS.tab);
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => f.includes('d downloads from the remote pane'));
    app.stdin.write('u');
    await waitUntil(() => exists(path.join(remoteRoot, 'up.txt')), 'the upload of the local cursor');
    await waitForFrame(app.lastFrame, (f) => f.includes('1 transfer finished: 1 done'));
    assert.equal(await exists(path.join(local, 'down.txt')), false, 'nothing was downloaded');
    assert.equal(await exists(path.join(remoteRoot, 'down.txt')), true);
  });
});

void test('the hint bar names u and d as transfers, not cursor moves', () => {
  const labels = new Map(hintEntries().map((hint) => [hint.key, hint.label]));
  assert.equal(labels.get('u'), 'Upload');
  assert.equal(labels.get('d'), 'Download');
});
