import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { createAuthenticator, LOGIN_FAILED_MESSAGE } from '../../src/security/authenticator.js';
import { startFakeServer } from '../client/fake-server.js';
import { startTestServer } from '../helpers/server.js';
import { KEYS, loopback, renderApp, settle, waitForFrame, waitUntil } from '../helpers/ink.js';

async function localFolder(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-app-'));
  await fs.mkdir(path.join(dir, 'alpha'));
  await fs.writeFile(path.join(dir, 'alpha', 'inside.txt'), 'x');
  await fs.writeFile(path.join(dir, 'bravo.txt'), 'hello');
  await fs.writeFile(path.join(dir, 'charlie.txt'), 'hello');
  await fs.writeFile(path.join(dir, '.secret'), 'hidden');
  return dir;
}

void test('starts with the connect dialog; Esc leaves the local pane usable', async () => {
  const dir = await localFolder();
  const app = renderApp(dir);
  try {
    await waitForFrame(app.lastFrame, (frame) => frame.includes('Connect to a Ferry server') && frame.includes('Host'));
    app.stdin.write(KEYS.escape);
    const frame = await waitForFrame(app.lastFrame, (f) => !f.includes('Connect to a Ferry server') && f.includes('bravo.txt'));
    assert.match(frame, /local:/);
    assert.match(frame, /not connected/);
    assert.doesNotMatch(frame, /\.secret/);
    assert.match(frame, /F5\s*Copy/);
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('a wrong password is reported in the dialog, not as a crash; the right one connects', async () => {
  const dir = await localFolder();
  const server = await startTestServer({
    authenticate: (attempt) =>
      attempt.user === 'alice' && attempt.secret === 'right'
        ? Promise.resolve({ user: 'alice', root: dir, readOnly: true })
        : Promise.reject(new FerryError(ErrorCode.AUTH, LOGIN_FAILED_MESSAGE)),
  });
  const app = renderApp(dir, { prefill: { host: '127.0.0.1', port: server.port, user: 'alice', password: 'wrong', path: '/', tls: 'off' } });
  try {
    const dialog = await waitForFrame(app.lastFrame, (frame) => frame.includes('Connect to a Ferry server'));
    assert.match(dialog, new RegExp(String(server.port)));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (frame) => frame.includes('wrong user or password'));
  } finally {
    app.unmount();
  }
  const retry = renderApp(dir, { prefill: { host: '127.0.0.1', port: server.port, user: 'alice', password: 'right', path: '/', tls: 'off' } });
  try {
    await waitForFrame(retry.lastFrame, (frame) => frame.includes('Connect to a Ferry server'));
    retry.stdin.write(KEYS.enter);
    await waitForFrame(retry.lastFrame, (frame) => frame.includes('as alice') && frame.includes('read-only') && frame.includes('charlie.txt'));
  } finally {
    retry.unmount();
    await server.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('navigation: enter a folder, back to the parent, hidden files, filter', async () => {
  const dir = await localFolder();
  const app = renderApp(dir);
  try {
    await waitForFrame(app.lastFrame, (frame) => frame.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('bravo.txt') && !f.includes('Connect to'));
    app.stdin.write(KEYS.enter); // alpha/ is first (folders first)
    await waitForFrame(app.lastFrame, (f) => f.includes('inside.txt'));
    app.stdin.write(KEYS.backspace);
    // Without a connection the right pane is local too and lists the same folder: bravo.txt twice.
    await waitForFrame(app.lastFrame, (f) => f.split('bravo.txt').length === 3);
    app.stdin.write('.');
    await waitForFrame(app.lastFrame, (f) => f.includes('.secret'));
    app.stdin.write('/');
    app.stdin.write('c');
    app.stdin.write('h');
    const filtered = await waitForFrame(app.lastFrame, (f) => f.includes('filter: ch') && f.split('bravo.txt').length === 2);
    assert.match(filtered, /charlie\.txt/);
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.split('bravo.txt').length === 3);
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('delete asks first, naming what goes; n keeps it, y deletes it', async () => {
  const dir = await localFolder();
  const app = renderApp(dir);
  try {
    await waitForFrame(app.lastFrame, (frame) => frame.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('bravo.txt') && !f.includes('Connect to'));
    app.stdin.write(KEYS.down);
    app.stdin.write(KEYS.f8);
    const question = await waitForFrame(app.lastFrame, (f) => f.includes('Delete 1 item?'));
    assert.match(question, /bravo\.txt/);
    app.stdin.write('n');
    await waitForFrame(app.lastFrame, (f) => f.includes('delete cancelled'));
    await fs.access(path.join(dir, 'bravo.txt'));
    app.stdin.write(KEYS.f8);
    await waitForFrame(app.lastFrame, (f) => f.includes('Delete 1 item?'));
    app.stdin.write('y');
    await waitForFrame(app.lastFrame, (f) => f.includes('deleted 1 item') && !f.includes('bravo.txt'));
    await assert.rejects(fs.access(path.join(dir, 'bravo.txt')));
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('mkdir dialog creates the folder; help overlay lists the keys; q quits', async () => {
  const dir = await localFolder();
  const app = renderApp(dir);
  try {
    await waitForFrame(app.lastFrame, (frame) => frame.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('bravo.txt') && !f.includes('Connect to'));
    app.stdin.write(KEYS.f7);
    await waitForFrame(app.lastFrame, (f) => f.includes('Make folder'));
    await settle();
    app.stdin.write('newdir');
    await waitForFrame(app.lastFrame, (f) => f.includes('newdir'));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('created newdir'));
    assert.ok((await fs.stat(path.join(dir, 'newdir'))).isDirectory());
    app.stdin.write(KEYS.f1);
    const help = await waitForFrame(app.lastFrame, (f) => f.includes('Ferry keys'));
    assert.match(help, /Copy to the other pane/);
    // Page down until the queue's keys show (where they are depends on how many keys come before).
    for (let page = 0; page < 10 && !(app.lastFrame() ?? '').includes('Cancel the highlighted transfer'); page++) {
      const before = app.lastFrame();
      app.stdin.write('\x1b[6~');
      await waitForFrame(app.lastFrame, (f) => f !== before);
    }
    await waitForFrame(app.lastFrame, (f) => f.includes('Cancel the highlighted transfer'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Ferry keys'));
    app.stdin.write('q');
    const deadline = Date.now() + 2000;
    while (app.quitCalls() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(app.quitCalls(), 1);
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('quit from outside (the shutdown signal) closes the session and calls onQuit; so does an unmount without a quit', async () => {
  const dir = await localFolder();
  const server = await startTestServer({ root: dir });
  try {
    const shutdown = new AbortController();
    const app = renderApp(dir, { initial: loopback(server.port), shutdown: shutdown.signal });
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1'));
    assert.equal(server.server.sessionCount, 1);
    shutdown.abort();
    await waitUntil(() => app.quitCalls() === 1 && server.server.sessionCount === 0, 'onQuit and the session closed');
    app.unmount();

    // A rendering error unmounts the App without its quit: the session must not outlive it.
    const crashed = renderApp(dir, { initial: loopback(server.port) });
    await waitForFrame(crashed.lastFrame, (f) => f.includes('connected 127.0.0.1'));
    assert.equal(server.server.sessionCount, 1);
    crashed.unmount();
    await waitUntil(() => server.server.sessionCount === 0, 'the session closed on unmount');
    assert.equal(crashed.quitCalls(), 0);
  } finally {
    await server.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('conflict "Rename" uploads under a free name, the row shows it, and the next key is not swallowed', async () => {
  const dir = await localFolder();
  const remoteRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-remote-'));
  await fs.writeFile(path.join(remoteRoot, 'bravo.txt'), 'already there');
  const server = await startTestServer({ root: remoteRoot });
  const app = renderApp(dir, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && /1\/1\s*$/m.test(f));
    app.stdin.write(KEYS.tab);
    app.stdin.write(KEYS.down); // alpha/ comes first; bravo.txt is next
    await waitForFrame(app.lastFrame, (f) => /2\/3\s*$/m.test(f));
    app.stdin.write('u');
    const question = await waitForFrame(app.lastFrame, (f) => f.includes('Target exists') && f.includes('Esc: skip'));
    assert.match(question, /Rename \(n\)/);
    // Finding the free name asks the server (STAT), so the UI draws while it is pending.
    app.stdin.write('n');
    const done = await waitForFrame(app.lastFrame, (f) => /\d (?:B|[KMGTP]iB) in \d/.test(f));
    assert.match(done, /bravo \(1\)\.txt/, 'the queue row names the new target');
    assert.doesNotMatch(done, /Target exists/);
    assert.equal(await fs.readFile(path.join(remoteRoot, 'bravo (1).txt'), 'utf8'), 'hello');
    assert.equal(await fs.readFile(path.join(remoteRoot, 'bravo.txt'), 'utf8'), 'already there', 'the existing file is untouched');
    // Tab switches to the remote pane at once: its counts replace the local pane's 2/3 — 1/1 before the
    // refresh after the upload, 2/2 after it (the cursor stays on bravo.txt, now second).
    app.stdin.write(KEYS.tab);
    await waitForFrame(app.lastFrame, (f) => /(?:1\/1|[12]\/2)\s*$/m.test(f));
  } finally {
    app.unmount();
    await server.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(remoteRoot, { recursive: true, force: true });
  }
});

void test('the connect dialog shows the server\'s reason for refusing a login, not "wrong user or password"', async () => {
  const dir = await localFolder();
  const server = await startTestServer({ authenticate: createAuthenticator({}) });
  const app = renderApp(dir, { prefill: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (frame) => frame.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.enter);
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('this server needs a user name and'));
    assert.doesNotMatch(frame, /wrong user or password/);
  } finally {
    app.unmount();
    await server.cleanup();
  }
  const plainRefused = await startFakeServer({
    onConn: (_msg, peer) => {
      peer.send({ op: 'FAIL', id: 0, code: ErrorCode.AUTH, message: 'plain TCP not allowed; use TLS' });
      peer.socket.end();
    },
  });
  const refused = renderApp(dir, { prefill: loopback(plainRefused.port) });
  try {
    await waitForFrame(refused.lastFrame, (frame) => frame.includes('Connect to a Ferry server'));
    refused.stdin.write(KEYS.enter);
    const frame = await waitForFrame(refused.lastFrame, (f) => f.includes('plain TCP not allowed; use TLS'));
    assert.doesNotMatch(frame, /wrong user or password/);
  } finally {
    refused.unmount();
    await plainRefused.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
