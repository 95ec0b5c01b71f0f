/**
 * The UI left open: its session outlives ferryd's idle timeout (the UI's
 * client keeps the session alive), and a session that is dropped all the same
 * says "connection lost" once, with the server's reason. Real ferryd with a
 * short idle timeout, ink-testing-library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryClient } from '../../src/client/client.js';
import type { ConnectFunction } from '../../src/tui/connect-params.js';
import { startTestServer } from '../helpers/server.js';
import { loopback, renderApp, waitForFrame } from '../helpers/ink.js';

const IDLE_TIMEOUT_MS = 1000;

async function withIdleServerAndApp(connect: ConnectFunction | undefined, run: (app: ReturnType<typeof renderApp>, sessions: () => number) => Promise<void>): Promise<void> {
  const local = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-keep-alive-'));
  const server = await startTestServer({ limits: { idleTimeoutMs: IDLE_TIMEOUT_MS } });
  await fs.writeFile(path.join(server.root, 'remote.txt'), 'x');
  const app = renderApp(local, { initial: loopback(server.port), ...(connect ? { connect } : {}) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('remote.txt'));
    await run(app, () => server.server.sessionCount);
  } finally {
    app.unmount();
    await server.cleanup();
    await fs.rm(local, { recursive: true, force: true });
  }
}

void test('the UI\'s client keeps an untouched session open past the idle timeout', { timeout: 30_000 }, async () => {
  // A session kept alive as the UI's (openRemote with keepAlive), with a PING interval to suit the short timeout.
  const uiConnect: ConnectFunction = (url) => FerryClient.connect({ host: url.host, port: url.port, tls: 'auto', keepAlive: true, keepAliveIntervalMs: 100 });
  await withIdleServerAndApp(uiConnect, async (app, sessions) => {
    await sleep(IDLE_TIMEOUT_MS * 3);
    assert.doesNotMatch(app.lastFrame() ?? '', /connection lost/i);
    assert.equal(sessions(), 1);
  });
});

void test('a session dropped by the idle timeout says "connection lost" once, with the reason', { timeout: 30_000 }, async () => {
  // A client without keep-alive, as a scripted command's.
  await withIdleServerAndApp(undefined, async (app) => {
    const frame = await waitForFrame(app.lastFrame, (f) => /connection lost: /.test(f), 10_000);
    assert.doesNotMatch(frame, /connection lost: connection lost/);
    // The status line is cut to the terminal's width; what follows "connection lost: " is the reason.
    assert.match(frame, /connection lost: the se/);
  });
});
