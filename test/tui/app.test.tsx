import { test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../src/tui/components/App.js';
import { createMemoryTrustStore } from '../../src/tui/trust.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { FerryClient } from '../../src/client/client.js';
import type { ConnectFunction, ConnectParams } from '../../src/tui/session.js';
import { startTestServer } from '../helpers/server.js';

/** Lets effects of the last render run (a text field subscribes to keys in an effect). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** Polls the last frame until `predicate` holds; fails with the frame after `timeoutMs`. */
async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = lastFrame() ?? '';
    if (predicate(frame)) return frame;
    if (Date.now() > deadline) assert.fail(`frame did not match in ${timeoutMs} ms:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function localFolder(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-app-'));
  await fs.mkdir(path.join(dir, 'alpha'));
  await fs.writeFile(path.join(dir, 'alpha', 'inside.txt'), 'x');
  await fs.writeFile(path.join(dir, 'bravo.txt'), 'hello');
  await fs.writeFile(path.join(dir, 'charlie.txt'), 'hello');
  await fs.writeFile(path.join(dir, '.secret'), 'hidden');
  return dir;
}

const realConnect: ConnectFunction = (options) => FerryClient.connect(options);

const KEYS = { down: '\x1b[B', enter: '\r', backspace: '\x7f', escape: '\x1b', f1: '\x1bOP', f7: '\x1b[18~', f8: '\x1b[19~', tab: '\t' };

function renderApp(dir: string, prefill?: ConnectParams) {
  let quitCalls = 0;
  const view = render(
    <App localPath={dir} prefill={prefill} connect={realConnect} trustStore={createMemoryTrustStore()} onQuit={() => (quitCalls += 1)} />,
  );
  return { ...view, quitCalls: () => quitCalls };
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
        : Promise.reject(new FerryError(ErrorCode.AUTH, 'authentication failed')),
  });
  const app = renderApp(dir, { host: '127.0.0.1', port: server.port, user: 'alice', password: 'wrong', path: '/', tls: 'off' });
  try {
    const dialog = await waitForFrame(app.lastFrame, (frame) => frame.includes('Connect to a Ferry server'));
    assert.match(dialog, new RegExp(String(server.port)));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (frame) => frame.includes('wrong user or password'));
  } finally {
    app.unmount();
  }
  const retry = renderApp(dir, { host: '127.0.0.1', port: server.port, user: 'alice', password: 'right', path: '/', tls: 'off' });
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
    await waitForFrame(app.lastFrame, (f) => f.includes('bravo.txt'));
    app.stdin.write('.');
    await waitForFrame(app.lastFrame, (f) => f.includes('.secret'));
    app.stdin.write('/');
    app.stdin.write('c');
    app.stdin.write('h');
    const filtered = await waitForFrame(app.lastFrame, (f) => f.includes('filter: ch') && !f.includes('bravo.txt'));
    assert.match(filtered, /charlie\.txt/);
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('bravo.txt'));
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
    app.stdin.write('\x1b[6~');
    app.stdin.write('\x1b[6~');
    app.stdin.write('\x1b[6~');
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
