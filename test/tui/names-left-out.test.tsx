/**
 * ferryd cannot send names with control characters (a tab, a newline): its
 * listing leaves them out and says so (ENTS flag 2), and the remote pane
 * says so too instead of hiding it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KEYS, waitForFrame } from '../helpers/ink.js';
import { folderWith, withConnectedApp } from '../helpers/connected-app.js';
import { startConnectedTestServer } from '../helpers/server.js';

void test('the client hears that a listing left names out, and only then', async () => {
  const server = await startConnectedTestServer({}, 'ferry-left-out-');
  try {
    await fs.mkdir(path.join(server.root, 'ctl'));
    await fs.writeFile(path.join(server.root, 'ctl', 'tab\there'), 'x');
    await fs.writeFile(path.join(server.root, 'ctl', 'fine'), 'x');
    let heard = 0;
    const entries = await server.client.list('/ctl', { onNamesLeftOut: () => void heard++ });
    assert.deepEqual(entries.map((entry) => entry.name), ['fine']);
    assert.equal(heard, 1);
    await server.client.list('/', { onNamesLeftOut: () => void heard++ });
    assert.equal(heard, 1, 'a folder without such names says nothing');
  } finally {
    await server.cleanup();
  }
});

void test('the remote pane says names are not shown when ferryd left some out', async () => {
  const local = await folderWith({ 'here.txt': 'x' });
  const remoteRoot = await folderWith({ 'ctl/fine.txt': 'ok', 'top.txt': 't' }, ['ctl']);
  for (const name of ['tab\tone.txt', 'new\nline.txt', 'both\t\n.txt']) await fs.writeFile(path.join(remoteRoot, 'ctl', name), 'x');
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    const root = await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('top.txt'));
    assert.doesNotMatch(root, /names not shown/);
    app.stdin.write(KEYS.enter);
    const inside = await waitForFrame(app.lastFrame, (f) => f.includes('fine.txt') && f.includes('names not shown'));
    assert.match(inside, /some names not shown \(control characters/);
    // Back at the root, the mark goes.
    app.stdin.write(KEYS.backspace);
    await waitForFrame(app.lastFrame, (f) => f.includes('top.txt') && !f.includes('!names not shown'));
  });
});
