/**
 * The App's answers to what a user of mc or termscp expects: safe defaults
 * in questions, a help overlay that closes with q, a question before quitting
 * running transfers, honest headers and status lines. Real ferryd, real
 * folders, ink-testing-library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { KEYS, loopback, renderApp, settle, waitForFrame, waitUntil } from '../helpers/ink.js';
import { folderWith, withConnectedApp } from '../helpers/connected-app.js';

/** Closes the connect dialog and waits for the local listing. */
async function localOnly(app: ReturnType<typeof renderApp>, shown: string): Promise<void> {
  await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
  app.stdin.write(KEYS.escape);
  await waitForFrame(app.lastFrame, (f) => f.includes(shown) && !f.includes('Connect to'));
}

void test('the delete question defaults to No: Enter on a folder keeps it, y deletes it', async () => {
  const dir = await folderWith({ 'inside/file.txt': 'x' }, ['inside']);
  const app = renderApp(dir);
  try {
    await localOnly(app, 'inside');
    app.stdin.write(KEYS.f8);
    await waitForFrame(app.lastFrame, (f) => f.includes('Delete 1 item?') && f.includes('folder and everything in it'));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('delete cancelled'));
    assert.ok((await fs.stat(path.join(dir, 'inside', 'file.txt'))).isFile());
    app.stdin.write(KEYS.f8);
    await waitForFrame(app.lastFrame, (f) => f.includes('Delete 1 item?'));
    app.stdin.write('y');
    await waitForFrame(app.lastFrame, (f) => f.includes('deleted 1 item'));
    await assert.rejects(fs.stat(path.join(dir, 'inside')));
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('q in the help overlay closes it; q outside quits', async () => {
  const dir = await folderWith({ 'a.txt': 'x' });
  const app = renderApp(dir);
  try {
    await localOnly(app, 'a.txt');
    app.stdin.write('?');
    await waitForFrame(app.lastFrame, (f) => f.includes('Ferry keys'));
    app.stdin.write('q');
    await waitForFrame(app.lastFrame, (f) => !f.includes('Ferry keys'));
    await settle();
    assert.equal(app.quitCalls(), 0);
    app.stdin.write('q');
    await waitUntil(() => app.quitCalls() === 1, 'the quit');
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('quitting while a transfer is unfinished asks first; No (the default) stays, a second Ctrl-C quits', async () => {
  const local = await folderWith({ 'same.txt': 'local' });
  const remoteRoot = await folderWith({ 'same.txt': 'remote' });
  await withConnectedApp(local, remoteRoot, async ({ app, server }) => {
    // Both panes list same.txt.
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.split('same.txt').length === 3);
    // The download waits for a conflict answer: an unfinished transfer.
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => f.includes('Target exists'));
    app.stdin.write(KEYS.ctrlC);
    const question = await waitForFrame(app.lastFrame, (f) => f.includes('Quit Ferry?'));
    assert.match(question, /1 transfer still running or waiting/);
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Quit Ferry?') && f.includes('Target exists'));
    assert.equal(app.quitCalls(), 0);
    app.stdin.write(KEYS.ctrlC);
    await waitForFrame(app.lastFrame, (f) => f.includes('Quit Ferry?'));
    app.stdin.write(KEYS.ctrlC);
    await waitUntil(() => app.quitCalls() === 1, 'the quit');
    await waitUntil(() => server.server.sessionCount === 0, 'the session closed');
  });
});

void test('disconnecting while a transfer runs asks first; No stays connected, Yes cancels it and returns to the connect dialog', async () => {
  const local = await folderWith({});
  const remoteRoot = await folderWith({});
  // Sparse: made at once, and far too long to finish while the test answers the question.
  await fs.writeFile(path.join(remoteRoot, 'big.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'big.bin'), 4 * 1024 ** 3);
  await withConnectedApp(local, remoteRoot, async ({ app, server }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('big.bin'));
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => /1 running/.test(f));
    app.stdin.write(KEYS.ctrlD);
    const question = await waitForFrame(app.lastFrame, (f) => f.includes('Disconnect the right pane?'));
    assert.match(question, /1 transfer still running or waiting/);
    assert.match(question, /disconnecting cancels them/);
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Disconnect the right pane?'));
    assert.equal(server.server.sessionCount, 1, 'still connected after No');
    app.stdin.write(KEYS.ctrlD);
    await waitForFrame(app.lastFrame, (f) => f.includes('Disconnect the right pane?'));
    app.stdin.write('y');
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    await waitUntil(() => server.server.sessionCount === 0, 'the session closed');
    assert.equal(app.quitCalls(), 0, 'disconnecting is not quitting');
    assert.deepEqual((await fs.readdir(local)).filter((name) => name === 'big.bin'), [], 'no final file from the cancelled download');
  });
});

void test('a download cut by a dropped connection resumes by itself once ^O reconnects to the same server', { timeout: 60_000 }, async () => {
  const local = await folderWith({});
  const remoteRoot = await folderWith({});
  const size = 1024 ** 3;
  await fs.writeFile(path.join(remoteRoot, 'big.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'big.bin'), size);
  await withConnectedApp(local, remoteRoot, async ({ app, stopServer, restartServer }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('big.bin'));
    app.stdin.write('d');
    // Some bytes on disk first (not 0 %), so there is a prefix to resume from.
    await waitForFrame(app.lastFrame, (f) => /↓big\.bin.*\b[1-9]\d*%/.test(f));
    await stopServer();
    await waitForFrame(app.lastFrame, (f) => /connection lost/i.test(f) && /0 running/.test(f));
    await restartServer();
    app.stdin.write('\x0f');
    await waitForFrame(app.lastFrame, (f) => f.includes('resuming 1 transfer'), 10_000);
    const done = await waitForFrame(app.lastFrame, (f) => /\d (?:B|[KMGTP]iB) in \d/.test(f), 50_000);
    // Continued from its .ferry-part, not started over.
    assert.match(done, /resumed at [1-9]\d*/);
    assert.equal((await fs.stat(path.join(local, 'big.bin'))).size, size);
  });
});

void test('conflict "If newer" (u) overwrites an older target, skips one as new, and is not offered for folders', async () => {
  const local = await folderWith({ 'older.txt': 'local old', 'newer.txt': 'local new' }, ['dir']);
  const remoteRoot = await folderWith({ 'older.txt': 'remote new', 'newer.txt': 'remote old' }, ['dir']);
  const day = 24 * 3600 * 1000;
  const now = Date.now();
  // The remote older.txt is newer than the local one; the remote newer.txt is older than the local one.
  await fs.utimes(path.join(local, 'older.txt'), new Date(now), new Date(now - 2 * day));
  await fs.utimes(path.join(remoteRoot, 'older.txt'), new Date(now), new Date(now - day));
  await fs.utimes(path.join(local, 'newer.txt'), new Date(now), new Date(now - day));
  await fs.utimes(path.join(remoteRoot, 'newer.txt'), new Date(now), new Date(now - 2 * day));
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.split('older.txt').length === 3);
    // Remote pane (active at start): /dir, newer.txt, older.txt.
    app.stdin.write('d');
    const folderQuestion = await waitForFrame(app.lastFrame, (f) => f.includes('Target exists') && f.includes('Esc: skip') && f.includes('Downloading dir:'));
    assert.doesNotMatch(folderQuestion, /If newer/);
    app.stdin.write('s');
    await waitForFrame(app.lastFrame, (f) => !f.includes('Target exists'));

    app.stdin.write(KEYS.down);
    app.stdin.write('d');
    const fileQuestion = await waitForFrame(app.lastFrame, (f) => f.includes('Target exists') && f.includes('Esc: skip') && f.includes('newer.txt already exists'));
    assert.match(fileQuestion, /If newer \(u\)/);
    app.stdin.write('u');
    await waitForFrame(app.lastFrame, (f) => f.includes('skipped: the target is as new'));
    assert.equal(await fs.readFile(path.join(local, 'newer.txt'), 'utf8'), 'local new');

    app.stdin.write(KEYS.down);
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => f.includes('Target exists') && f.includes('Esc: skip') && f.includes('older.txt already exists'));
    app.stdin.write('u');
    await waitUntil(async () => (await fs.readFile(path.join(local, 'older.txt'), 'utf8')) === 'remote new', 'the older target replaced');
  });
});

void test('after a failed connect the remote header does not name the server as if connected', async () => {
  const dir = await folderWith({ 'a.txt': 'x' });
  const probe = await startTestServer();
  const port = probe.port;
  await probe.cleanup();
  const app = renderApp(dir, { prefill: loopback(port) });
  try {
    const dialog = await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    assert.match(dialog, /F10: quit/, 'the whole key hint fits');
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('connection refused'));
    app.stdin.write(KEYS.escape);
    const frame = await waitForFrame(app.lastFrame, (f) => !f.includes('Connect to a Ferry server') && f.includes('a.txt'));
    // Not connected: the right pane is a second local pane.
    assert.match(frame, /local:.*local:/);
    assert.doesNotMatch(frame, new RegExp(`127\\.0\\.0\\.1:${port}:/`));
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('"N items queued" gives way to what happened once the transfers end', async () => {
  const local = await folderWith({});
  const remoteRoot = await folderWith({ 'one.txt': '1', 'two.txt': '2' });
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('two.txt'));
    app.stdin.write('a');
    app.stdin.write('d');
    // The selection is one transfer.
    const done = await waitForFrame(app.lastFrame, (f) => f.includes('1 transfer finished: 1 done'));
    assert.doesNotMatch(done, /queued/);
    assert.equal(await fs.readFile(path.join(local, 'two.txt'), 'utf8'), '2');
  });
});

void test('copying only symlinks says how many were skipped, not just "nothing to copy"', async () => {
  const local = await folderWith({});
  const remoteRoot = await folderWith({});
  await fs.symlink('/etc/hostname', path.join(remoteRoot, 'first-link'));
  await fs.symlink('elsewhere', path.join(remoteRoot, 'second-link'));
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('second-link'));
    app.stdin.write('a');
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => f.includes('nothing to copy, 2 symlinks skipped'));
    assert.deepEqual(await fs.readdir(local), []);
  });
});
