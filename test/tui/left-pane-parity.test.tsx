/**
 * The left pane on a server (Alt-O) as a full peer of the right one: ^D in it
 * asks about and cancels that session's transfers only, and find (F)
 * searches the active pane's server. Real ferryd servers, ink-testing-library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { connectLeftPane, KEYS, loopback, renderApp, waitForFrame, type AppUnderTest } from '../helpers/ink.js';
import { defaultTuiConfig } from '../../src/tui/config/config-file.js';

/** Makes the left pane the active one (its server named on the status line). */
async function activateLeftPane(app: AppUnderTest, port: number): Promise<void> {
  if (new RegExp(`connected 127\\.0\\.0\\.1:${port}`).test(app.lastFrame() ?? '')) return;
  app.stdin.write(KEYS.tab);
  await waitForFrame(app.lastFrame, (f) => new RegExp(`connected 127\\.0\\.0\\.1:${port}`).test(f));
}

async function sparseFile(file: string, size: number): Promise<void> {
  await fs.writeFile(file, '');
  await fs.truncate(file, size);
}

void test('^D in the left pane asks about its session\'s transfers and cancels those only; the right pane\'s go on', { timeout: 60_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-parity-local-');
  const right = await startTestServer({});
  const left = await startTestServer({});
  await sparseFile(path.join(right.root, 'right.bin'), 1024 ** 3);
  await sparseFile(path.join(left.root, 'left.bin'), 1024 ** 3);
  // Slow, and one at a time: the right pane's download runs while the left pane's copy waits behind it.
  const config = { ...defaultTuiConfig, concurrency: 1, rateLimit: 8 * 1024 * 1024 };
  const app = renderApp(local, { initial: loopback(right.port), config });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('right.bin'));
    // Through the right pane's session only: a download into the local folder the left pane shows.
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => /↓right\.bin.*\b[1-9]\d*%/.test(f));
    await connectLeftPane(app, left.port, 'left.bin');
    await activateLeftPane(app, left.port);
    // Through the left pane's session (and the right one's): a copy between the two servers, waiting.
    app.stdin.write(KEYS.f5);
    await waitForFrame(app.lastFrame, (f) => f.includes('Copy left.bin'));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => /left\.bin.*waiting/.test(f));

    app.stdin.write(KEYS.ctrlD);
    const question = await waitForFrame(app.lastFrame, (f) => f.includes('Disconnect the left pane?'));
    // One transfer goes through the left pane's session; the right pane's download is not counted.
    assert.match(question, /1 transfer still running or waiting/);
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Disconnect the left pane?'));
    assert.equal(left.server.sessionCount, 1, 'still connected after No');

    app.stdin.write(KEYS.ctrlD);
    await waitForFrame(app.lastFrame, (f) => f.includes('Disconnect the left pane?'));
    app.stdin.write('y');
    const after = await waitForFrame(app.lastFrame, (f) => /left\.bin.*cancelled/.test(f) && f.includes(`local:${local}`));
    assert.match(after, /↓right\.bin.*\b[1-9]\d*%/, 'the right pane\'s download goes on');
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect the left pane'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Connect the left pane'));
    // The left pane's next session, whatever server, takes up nothing.
    await connectLeftPane(app, left.port, 'left.bin');
    const back = await waitForFrame(app.lastFrame, (f) => f.includes('left.bin'));
    assert.match(back, /left\.bin.*cancelled/);
    assert.equal(app.lastFrame()?.match(/⇄/g)?.length ?? 0, 1, 'one copy row, still cancelled');
    assert.match(app.lastFrame() ?? '', /↓right\.bin.*\b[1-9]\d*%/);
  } finally {
    app.unmount();
    await right.cleanup();
    await left.cleanup();
  }
});

void test('F in the left pane searches the left pane\'s server and goes to the match there', { timeout: 30_000 }, async (t) => {
  const local = await tempFolderFor(t, 'ferry-parity-local-');
  const right = await startTestServer({});
  const left = await startTestServer({});
  await fs.mkdir(path.join(left.root, 'deep/er'), { recursive: true });
  await fs.writeFile(path.join(left.root, 'deep/er/only-left.txt'), 'l');
  await fs.writeFile(path.join(right.root, 'only-right.txt'), 'r');
  const app = renderApp(local, { initial: loopback(right.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('only-right.txt'));
    await connectLeftPane(app, left.port, 'deep');
    await activateLeftPane(app, left.port);
    app.stdin.write('F');
    await waitForFrame(app.lastFrame, (f) => f.includes('Find on the left pane\'s server below /'));
    app.stdin.write('only');
    app.stdin.write(KEYS.enter);
    const found = await waitForFrame(app.lastFrame, (f) => f.includes('1 match') && !f.includes('searching'));
    assert.match(found, /deep\/er\/only-left\.txt/);
    app.stdin.write(KEYS.enter);
    const there = await waitForFrame(app.lastFrame, (f) => f.includes(`127.0.0.1:${left.port}/deep/er`) && !f.includes('Find on'));
    assert.match(there, /only-left\.txt/);
    // The right pane stayed where it was.
    assert.match(there, new RegExp(`ferry://127\\.0\\.0\\.1:${right.port}/ `));
  } finally {
    app.unmount();
    await right.cleanup();
    await left.cleanup();
  }
});
