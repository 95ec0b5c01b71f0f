/**
 * The question about last time's unfinished transfers waits its turn: when
 * both panes connect to servers with kept lists, the second question comes
 * after the first is answered instead of replacing it, and neither replaces
 * a dialog the user has open. Real ferryd servers, ink-testing-library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ConnectFunction } from '../../src/tui/connect-params.js';
import { startTestServer } from '../helpers/server.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { connectLeftPane, KEYS, loopback, realConnect, renderApp, waitForFrame } from '../helpers/ink.js';

void test('both panes\' questions about last time are asked one after the other, each once the dialog before it is closed', { timeout: 30_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-offers-local-');
  const state = await tempFolderFor(t, 'ferry-offers-state-');
  const right = await startTestServer({});
  const left = await startTestServer({});
  await fs.writeFile(path.join(right.root, 'r.bin'), 'right');
  await fs.writeFile(path.join(left.root, 'l.bin'), 'left');
  const file = path.join(state, 'transfers.json');
  // What the panes connect with: the right pane's start-up parameters, the left pane's connect dialog (TLS if offered).
  const server = (port: number, tls: string): object => ({ host: '127.0.0.1', port, user: '', tls });
  await fs.writeFile(file, JSON.stringify({
    version: 2,
    sessions: [
      { side: 'remote', server: server(right.port, 'off'), transfers: [{ direction: 'download', name: 'r.bin', source: '/r.bin', target: path.join(local, 'r.bin'), isFolder: false }] },
      { side: 'local', server: server(left.port, 'auto'), transfers: [{ direction: 'download', name: 'l.bin', source: '/l.bin', target: path.join(local, 'l.bin'), isFolder: false, from: 'local' }] },
    ],
  }));
  // The right pane's session comes late, while the left pane's question is on the screen.
  let releaseRight!: () => void;
  const rightMayConnect = new Promise<void>((resolve) => (releaseRight = resolve));
  const connect: ConnectFunction = async (url, options) => {
    if (url.port === right.port) await rightMayConnect;
    return realConnect(url, options);
  };
  const app = renderApp(local, { initial: loopback(right.port), connect, savedQueueFile: file });
  try {
    await connectLeftPane(app, left.port, 'l.bin');
    await waitForFrame(app.lastFrame, (f) => f.includes('Unfinished transfers') && f.includes(`127.0.0.1:${left.port} (left pane)`));

    releaseRight();
    await waitForFrame(app.lastFrame, (f) => new RegExp(`connected 127\\.0\\.0\\.1:${right.port}`).test(f));
    // Give the right pane's question every chance to push in: the left pane's stays.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.match(app.lastFrame() ?? '', new RegExp(`127\\.0\\.0\\.1:${left.port} \\(left pane\\)`));

    app.stdin.write('n');
    await waitForFrame(app.lastFrame, (f) => f.includes('Unfinished transfers') && f.includes(`with 127.0.0.1:${right.port} did`));
    app.stdin.write('n');
    await waitForFrame(app.lastFrame, (f) => !f.includes('Unfinished transfers'));
    // Both answered: neither list is kept any longer.
    for (let tries = 0; await fs.stat(file).then(() => true, () => false); tries++) {
      assert.ok(tries < 100, 'the list file is removed once both lists are forgotten');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    app.unmount();
    await right.cleanup();
    await left.cleanup();
  }
});

void test('the question waits while the user has a dialog open', { timeout: 30_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-offers-local-');
  const state = await tempFolderFor(t, 'ferry-offers-state-');
  const right = await startTestServer({});
  await fs.writeFile(path.join(right.root, 'r.bin'), 'right');
  const file = path.join(state, 'transfers.json');
  await fs.writeFile(file, JSON.stringify({
    version: 2,
    sessions: [{
      side: 'remote', server: { host: '127.0.0.1', port: right.port, user: '', tls: 'off' },
      transfers: [{ direction: 'download', name: 'r.bin', source: '/r.bin', target: path.join(local, 'r.bin'), isFolder: false }],
    }],
  }));
  let releaseRight!: () => void;
  const rightMayConnect = new Promise<void>((resolve) => (releaseRight = resolve));
  const connect: ConnectFunction = async (url, options) => {
    await rightMayConnect;
    return realConnect(url, options);
  };
  const app = renderApp(local, { initial: loopback(right.port), connect, savedQueueFile: file });
  try {
    // The user starts making a folder in the local pane while the session is being opened.
    await waitForFrame(app.lastFrame, (f) => f.includes(`local:${local}`));
    app.stdin.write(KEYS.tab);
    app.stdin.write(KEYS.f7);
    await waitForFrame(app.lastFrame, (f) => f.includes('New folder'));
    app.stdin.write('half-typed');
    releaseRight();
    await waitForFrame(app.lastFrame, (f) => new RegExp(`connected 127\\.0\\.0\\.1:${right.port}`).test(f));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const frame = app.lastFrame() ?? '';
    assert.ok(frame.includes('half-typed') && !frame.includes('Unfinished transfers'), frame);
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('Unfinished transfers') && f.includes('r.bin'));
  } finally {
    app.unmount();
    await right.cleanup();
  }
});
