/**
 * Deleting a big remote folder counts as it goes (remove-remote-tree.ts: the
 * tree listed with LIST -r, its files deleted as the batches arrive, the
 * folders last), against a real ferryd with thousands of files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KEYS, waitForFrame } from '../helpers/ink.js';
import { folderWith, withConnectedApp } from '../helpers/connected-app.js';
import { startConnectedTestServer } from '../helpers/server.js';
import { removeRemoteTree } from '../../src/tui/fs/remove-remote-tree.js';

void test('a remote folder of thousands of files is deleted with a count on the status line, and the end says how many', { timeout: 90_000 }, async () => {
  const local = await folderWith({ 'here.txt': 'x' });
  const remoteRoot = await folderWith({ 'z-other.txt': 'stays' }, ['big/a', 'big/b/c']);
  const files = 3000;
  for (let i = 0; i < files; i++) writeFileSync(path.join(remoteRoot, 'big', i % 2 ? 'a' : 'b/c', `f${i}`), '');
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('z-other.txt'));
    app.stdin.write(KEYS.f8);
    await waitForFrame(app.lastFrame, (f) => f.includes('Delete 1 item?'));
    app.stdin.write('y');
    const done = await waitForFrame(app.lastFrame, (f) => f.includes('deleted 1 item'), 60_000);
    // 3000 files and four folders (big, a, b, c).
    assert.match(done, /deleted 1 item \(3,004 entries/);
    assert.ok(
      app.frames.some((f) => /deleting big\/… [\d,]+ removed/.test(f)),
      'a frame showed how many were removed while the delete ran',
    );
    assert.deepEqual(await fs.readdir(remoteRoot), ['z-other.txt']);
  });
});

void test('removeRemoteTree reports rising counts, and names a listing leaves out go with the folders at the end', async () => {
  const server = await startConnectedTestServer({}, 'ferry-remote-delete-');
  try {
    await fs.mkdir(path.join(server.root, 'tree', 'deep'), { recursive: true });
    for (let i = 0; i < 500; i++) writeFileSync(path.join(server.root, 'tree', i % 2 ? 'deep' : '', `f${i}`), 'x');
    // ferryd leaves names with control characters out of listings: the closing RMDR -r still removes them.
    writeFileSync(path.join(server.root, 'tree', 'deep', 'tab\there'), 'x');
    await fs.symlink('f0', path.join(server.root, 'tree', 'link'));
    const counts: number[] = [];
    await removeRemoteTree(server.client, '/tree', (removed) => void counts.push(removed));
    assert.deepEqual(await fs.readdir(server.root), []);
    assert.ok(counts.length > 2, `${counts.length} reports`);
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'the count only rises');
    // 500 files, the link, then the two folders.
    assert.equal(counts.at(-1), 503);
  } finally {
    await server.cleanup();
  }
});

void test('removeRemoteTree stops at the first refusal and says why (a read-only user)', async () => {
  const server = await startConnectedTestServer({ readOnly: true }, 'ferry-remote-delete-ro-');
  try {
    await fs.mkdir(path.join(server.root, 'tree'));
    for (let i = 0; i < 50; i++) writeFileSync(path.join(server.root, 'tree', `f${i}`), 'x');
    await assert.rejects(removeRemoteTree(server.client, '/tree'), { name: 'FerryError' });
    assert.equal((await fs.readdir(path.join(server.root, 'tree'))).length, 50);
  } finally {
    await server.cleanup();
  }
});
