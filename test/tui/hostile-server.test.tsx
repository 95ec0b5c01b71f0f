/**
 * The UI against a server that lists what ferryd never would: a scripted peer
 * speaking real codec frames over loopback (test/client/fake-server.ts), the
 * real client library, the real App and real temporary folders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENTS_LAST, EntryKind } from '../../src/protocol/messages.js';
import { startFakeServer } from '../client/fake-server.js';
import { KEYS, loopback, renderApp, waitForFrame } from '../helpers/ink.js';

void test('a server listing ../escaped.txt gets an error in the remote pane, and nothing is written outside the local folder', async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-hostile-'));
  const local = path.join(base, 'local');
  await fs.mkdir(local);
  const server = await startFakeServer({
    onMessage: (msg, peer) => {
      if (msg.op === 'LIST') {
        peer.send({
          op: 'ENTS', id: msg.id, flags: ENTS_LAST,
          entries: [
            { name: 'innocent.txt', kind: EntryKind.FILE, size: 5, mtimeMs: 0, mode: 0o644 },
            { name: '../escaped.txt', kind: EntryKind.FILE, size: 5, mtimeMs: 0, mode: 0o644 },
          ],
        });
      } else if (msg.op === 'QUIT') {
        peer.send({ op: 'DONE', id: msg.id });
        peer.socket.end();
      }
    },
  });
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('unsafe name'));
    assert.doesNotMatch(frame, /innocent\.txt/, 'a listing with one unsafe name is refused whole');
    // A download has nothing to take: the remote pane is empty.
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => f.includes('nothing to copy'));
    assert.deepEqual((await fs.readdir(base)).sort(), ['local']);
    assert.deepEqual(await fs.readdir(local), []);
    app.stdin.write(KEYS.f10);
  } finally {
    app.unmount();
    await server.close();
    await fs.rm(base, { recursive: true, force: true });
  }
});
