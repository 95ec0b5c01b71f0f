/**
 * Reconnecting by itself after a drop: the App against a real ferryd that is
 * stopped mid-download and started again; no key is pressed. The right pane's
 * session and the left pane's (Alt-O) go the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { connectLeftPane, KEYS, loopback, renderApp, waitForFrame } from '../helpers/ink.js';
import { defaultTuiConfig } from '../../src/tui/config/config-file.js';
import { retryDelayMs } from '../../src/tui/hooks/use-auto-reconnect.js';

void test('the waits between tries double from 1 s and stop growing at 30 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelayMs(attempt)), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
});

void test('a dropped connection reconnects by itself once the server is back, and the cut-off download resumes', { timeout: 90_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-auto-local-');
  const remoteRoot = await tempFolderFor(t, 'ferry-auto-remote-');
  const size = 1024 ** 3;
  await fs.writeFile(path.join(remoteRoot, 'big.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'big.bin'), size);
  let server = await startTestServer({ root: remoteRoot });
  const port = server.port;
  const app = renderApp(local, { initial: loopback(port), config: { ...defaultTuiConfig, reconnectTries: 5 } });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('big.bin'));
    // The remote pane is active once connected: d downloads from it.
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => /↓big\.bin.*\b[1-9]\d*%/.test(f));
    await server.cleanup();
    // The reason stays on the status line; the remote pane says what happens next.
    await waitForFrame(app.lastFrame, (f) => /right pane: connection lost: /.test(f) && /reconnecting in \d+ s \(try \d\/5/.test(f));
    server = await startTestServer({ root: remoteRoot, port });
    await waitForFrame(app.lastFrame, (f) => f.includes('right pane: reconnected — resuming 1 transfer'), 40_000);
    const done = await waitForFrame(app.lastFrame, (f) => /\d (?:B|[KMGTP]iB) in \d/.test(f), 60_000);
    assert.match(done, /resumed at [1-9]\d*/);
    assert.equal((await fs.stat(path.join(local, 'big.bin'))).size, size);
  } finally {
    app.unmount();
    await server.cleanup();
  }
});

void test('after its last try it gives up and says so; ^O is left', { timeout: 30_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-auto-local-');
  const server = await startTestServer({});
  const app = renderApp(local, { initial: loopback(server.port), config: { ...defaultTuiConfig, reconnectTries: 1 } });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1'));
    await server.cleanup();
    await waitForFrame(app.lastFrame, (f) => /try 1\/1/.test(f));
    // The status line is cut to the terminal's width: the key to press is in the pane.
    const frame = await waitForFrame(app.lastFrame, (f) => /right pane: could not reconnect to 127\.0\.0\.1:\d+ after 1 try/.test(f), 10_000);
    assert.doesNotMatch(frame, /Connect to a Ferry server/, 'no connect dialog pops up by itself');
    assert.match(frame, /connection lost — \^O reconnects/);
  } finally {
    app.unmount();
  }
});

void test('with reconnectTries 0 a drop waits for ^O', { timeout: 30_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-auto-local-');
  const server = await startTestServer({});
  const app = renderApp(local, { initial: loopback(server.port), config: { ...defaultTuiConfig, reconnectTries: 0 } });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1'));
    await server.cleanup();
    await waitForFrame(app.lastFrame, (f) => /\^O reconnects/.test(f));
    // Longer than the first wait of a series: nothing tries by itself.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.doesNotMatch(app.lastFrame() ?? '', /reconnecting in/);
    assert.match(app.lastFrame() ?? '', /\(connection lost\)/);
  } finally {
    app.unmount();
  }
});

void test('the left pane\'s dropped session reconnects by itself too, and the copy it cut off resumes', { timeout: 90_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-auto-local-');
  const remoteRoot = await tempFolderFor(t, 'ferry-auto-remote-');
  const size = 1024 ** 3;
  await fs.writeFile(path.join(remoteRoot, 'big.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'big.bin'), size);
  let server = await startTestServer({ root: remoteRoot });
  const port = server.port;
  // No server for the right pane: it is a second local pane, and the left one goes to the server.
  const app = renderApp(local, { config: { ...defaultTuiConfig, reconnectTries: 5 } });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Connect to a Ferry server'));
    await connectLeftPane(app, port, 'big.bin');
    // The left pane is active: F5 downloads its file into the right (local) pane's folder.
    app.stdin.write(KEYS.f5);
    await waitForFrame(app.lastFrame, (f) => f.includes('Download big.bin'));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => /big\.bin.*\b[1-9]\d*%/.test(f));
    await server.cleanup();
    // As for the right pane: the reason on the status line, naming the pane; the wait in the pane itself.
    await waitForFrame(app.lastFrame, (f) => /left pane: connection lost: /.test(f) && /reconnecting in \d+ s \(try \d\/5/.test(f));
    server = await startTestServer({ root: remoteRoot, port });
    await waitForFrame(app.lastFrame, (f) => f.includes('left pane: reconnected — resuming 1 transfer'), 40_000);
    const done = await waitForFrame(app.lastFrame, (f) => /\d (?:B|[KMGTP]iB) in \d/.test(f), 60_000);
    assert.match(done, /resumed at [1-9]\d*/);
    assert.equal((await fs.stat(path.join(local, 'big.bin'))).size, size);
  } finally {
    app.unmount();
    await server.cleanup();
  }
});

void test('the left pane gives up after its last try as the right one does; ^O is left', { timeout: 30_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-auto-local-');
  const right = await startTestServer({});
  const left = await startTestServer({});
  await fs.writeFile(path.join(left.root, 'on-left.txt'), 'l');
  const app = renderApp(local, { initial: loopback(right.port), config: { ...defaultTuiConfig, reconnectTries: 1 } });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1'));
    await connectLeftPane(app, left.port, 'on-left.txt');
    await left.cleanup();
    await waitForFrame(app.lastFrame, (f) => /try 1\/1/.test(f));
    const frame = await waitForFrame(app.lastFrame, (f) => /left pane: could not reconnect to 127\.0\.0\.1:\d+ after 1 try/.test(f), 10_000);
    assert.doesNotMatch(frame, /Connect the left pane/, 'no connect dialog pops up by itself');
    assert.match(frame, new RegExp(`127\\.0\\.0\\.1:${left.port}:/ \\(connection lost\\)`));
    assert.match(frame, /connection lost — \^O reconnects/);
    assert.match(frame, new RegExp(`ferry://127\\.0\\.0\\.1:${right.port}/`), 'the right pane stays on its server');
  } finally {
    app.unmount();
    await right.cleanup();
    await left.cleanup();
  }
});

void test('with reconnectTries 0 the left pane waits too, and ^O in it reconnects it', { timeout: 30_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-auto-local-');
  const right = await startTestServer({});
  const leftRoot = await tempFolderFor(t, 'ferry-auto-left-');
  await fs.writeFile(path.join(leftRoot, 'on-left.txt'), 'l');
  let left = await startTestServer({ root: leftRoot });
  const port = left.port;
  const app = renderApp(local, { initial: loopback(right.port), config: { ...defaultTuiConfig, reconnectTries: 0 } });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1'));
    await connectLeftPane(app, port, 'on-left.txt');
    app.stdin.write(KEYS.tab);
    await waitForFrame(app.lastFrame, (f) => new RegExp(`connected 127\\.0\\.0\\.1:${port}`).test(f));
    await left.cleanup();
    await waitForFrame(app.lastFrame, (f) => /\^O reconnects/.test(f) && /left pane: connection lost/.test(f));
    // Longer than the first wait of a series: nothing tries by itself.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.doesNotMatch(app.lastFrame() ?? '', /reconnecting in/);
    await fs.writeFile(path.join(leftRoot, 'while-away.txt'), 'l');
    left = await startTestServer({ root: leftRoot, port });
    app.stdin.write('\x0f');
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('while-away.txt') && !/connection lost/i.test(f));
    assert.match(frame, new RegExp(`connected 127\\.0\\.0\\.1:${port}`));
  } finally {
    app.unmount();
    await right.cleanup();
    await left.cleanup();
  }
});
