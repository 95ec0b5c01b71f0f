/**
 * Reconnecting by itself after a drop: the App against a real ferryd that is
 * stopped mid-download and started again; no key is pressed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { loopback, renderApp, waitForFrame } from '../helpers/ink.js';
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
    await waitForFrame(app.lastFrame, (f) => /connection lost: /.test(f) && /reconnecting in \d+ s \(try \d\/5/.test(f));
    server = await startTestServer({ root: remoteRoot, port });
    await waitForFrame(app.lastFrame, (f) => f.includes('reconnected — resuming 1 transfer'), 40_000);
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
    const frame = await waitForFrame(app.lastFrame, (f) => /could not reconnect to 127\.0\.0\.1:\d+ after 1 try — \^O/.test(f), 10_000);
    assert.doesNotMatch(frame, /Connect to a Ferry server/, 'no connect dialog pops up by itself');
    assert.match(frame, /connection lost/i);
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
