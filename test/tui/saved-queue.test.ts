/**
 * The transfer list kept across restarts: what is written (atomically, no
 * password), when, and what is read back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { createRemoteFs } from '../../src/tui/fs/remote-fs.js';
import { TransferQueue } from '../../src/tui/transfers/transfer-queue.js';
import { defaultSavedQueueFile, QueueSaver, readSavedQueue } from '../../src/tui/transfers/saved-queue.js';
import { startConnectedTestServer } from '../helpers/server.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { waitUntil } from '../helpers/ink.js';

void test('the list lives in the XDG state folder', () => {
  assert.equal(defaultSavedQueueFile({ XDG_STATE_HOME: '/s', HOME: '/home/u' }), '/s/ferry/transfers.json');
  assert.equal(defaultSavedQueueFile({ XDG_STATE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.local/state/ferry/transfers.json');
});

void test('unfinished transfers are written without the password, kept when frozen, and removed once all have ended', async (t) => {
  const state = await tempFolderFor(t, 'ferry-saved-');
  const file = path.join(state, 'ferry', 'transfers.json');
  const server = await startConnectedTestServer({}, 'ferry-saved-local-');
  const { client, local } = server;
  try {
    for (const name of ['a.txt', 'b.txt']) await fs.writeFile(path.join(local, name), name);
    const remote = createRemoteFs(client);
    const queue = new TransferQueue({ client: () => client, local: createLocalFs(), remote: () => remote });
    const params = { host: '127.0.0.1', port: server.port, user: 'alice', password: 'hunter2-secret', path: '/', tls: 'off' as const };
    const saver = new QueueSaver(queue, file, () => params);
    queue.enqueue(['a.txt', 'b.txt'].map((name) => ({ direction: 'upload' as const, name, source: path.join(local, name), target: `/${name}`, isFolder: false })));
    queue.pause(queue.getState().items[1]!.id);
    await waitUntil(() => queue.getState().items[0]?.status === 'done', 'the first upload');
    await saver.flushed();
    const text = await fs.readFile(file, 'utf8');
    assert.doesNotMatch(text, /hunter2|password/);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    const saved = await readSavedQueue(file);
    assert.deepEqual(saved, {
      sessions: [{
        side: 'remote',
        server: { host: '127.0.0.1', port: server.port, user: 'alice', tls: 'off' },
        transfers: [{ direction: 'upload', name: 'b.txt', source: path.join(local, 'b.txt'), target: '/b.txt', isFolder: false }],
      }],
    });
    // Quitting: frozen first, then everything is cancelled; the list stays.
    await saver.freeze();
    queue.cancelAll();
    await saver.flushed();
    assert.deepEqual(await readSavedQueue(file), saved);
    // Following again (a new connection after a disconnect's cancelling): nothing is left, the file goes.
    saver.follow();
    await saver.flushed();
    assert.equal(await fs.stat(file).catch(() => undefined), undefined);
    // No temporary file is left beside it.
    assert.deepEqual(await fs.readdir(path.dirname(file)), []);
  } finally {
    await server.cleanup();
  }
});

void test('a file that is not a list ferry wrote is ignored', async (t) => {
  const state = await tempFolderFor(t, 'ferry-saved-');
  const file = path.join(state, 'transfers.json');
  const server = '{"host":"h","port":1,"user":"","tls":"off"}';
  const download = '{"direction":"download","name":"a","source":"/a","target":"/b","isFolder":false}';
  for (const text of ['{', '[]', '{"version":1}', `{"version":2,"server":${server},"transfers":[]}`, '{"version":2,"sessions":[]}',
    `{"version":1,"server":${server},"transfers":[{"direction":"sideways","name":"a","source":"/a","target":"/b","isFolder":false}]}`,
    `{"version":2,"sessions":[{"side":"middle","server":${server},"transfers":[${download}]}]}`,
    `{"version":2,"sessions":[{"side":"remote","server":${server},"transfers":[${download}]},{"side":"remote","server":${server},"transfers":[${download}]}]}`,
    // A download from the right pane's server is not the left pane's session's.
    `{"version":2,"sessions":[{"side":"local","server":${server},"transfers":[${download}]}]}`,
    `{"version":2,"sessions":[{"side":"remote","server":${server},"transfers":[{"direction":"relay","name":"a","source":"/a","target":"/b","isFolder":false}]}]}`]) {
    await fs.writeFile(file, text);
    assert.equal(await readSavedQueue(file), undefined, text);
  }
  assert.equal(await readSavedQueue(path.join(state, 'missing.json')), undefined);
});

void test('a selection row is kept with its names, so it comes back as those entries and not their whole folder', async (t) => {
  const state = await tempFolderFor(t, 'ferry-saved-');
  const file = path.join(state, 'transfers.json');
  // Not connected: the upload waits, unfinished.
  const queue = new TransferQueue({ client: () => undefined, local: createLocalFs(), remote: () => undefined });
  const params = { host: '127.0.0.1', port: 1, user: 'alice', password: '', path: '/', tls: 'off' as const };
  const saver = new QueueSaver(queue, file, () => params);
  const selection = [{ name: 'a.txt', isFolder: false }, { name: 'photos', isFolder: true }];
  queue.enqueue([{ direction: 'upload', name: '2 items', source: '/home/alice', target: '/in', isFolder: true, selection }]);
  await saver.flushed();
  const saved = await readSavedQueue(file);
  assert.deepEqual(saved?.sessions[0]?.transfers, [{ direction: 'upload', name: '2 items', source: '/home/alice', target: '/in', isFolder: true, selection }]);
  await fs.writeFile(file, JSON.stringify({ version: 1, server: saved!.sessions[0]!.server, transfers: [{ ...saved!.sessions[0]!.transfers[0], selection: [{ name: 7 }] }] }));
  assert.equal(await readSavedQueue(file), undefined, 'a selection that is not a list of names is not ferry\'s');
});

void test('a sync row is kept with its choices, so it comes back as a sync and not a copy of the whole folder', async (t) => {
  const state = await tempFolderFor(t, 'ferry-saved-');
  const file = path.join(state, 'transfers.json');
  const queue = new TransferQueue({ client: () => undefined, local: createLocalFs(), remote: () => undefined });
  const params = { host: '127.0.0.1', port: 1, user: 'alice', password: '', path: '/', tls: 'off' as const };
  const saver = new QueueSaver(queue, file, () => params);
  const sync = { deleteExtra: true, checksum: false };
  queue.enqueue([{ direction: 'upload', name: 'sync site', source: '/home/alice/site', target: '/site', isFolder: true, sync }]);
  await saver.flushed();
  const saved = await readSavedQueue(file);
  assert.deepEqual(saved?.sessions[0]?.transfers, [{ direction: 'upload', name: 'sync site', source: '/home/alice/site', target: '/site', isFolder: true, sync }]);
  await fs.writeFile(file, JSON.stringify({ version: 1, server: saved!.sessions[0]!.server, transfers: [{ ...saved!.sessions[0]!.transfers[0], sync: { deleteExtra: 'yes' } }] }));
  assert.equal(await readSavedQueue(file), undefined, 'choices that are not two booleans are not ferry\'s');
});

void test('the left pane\'s transfers are kept under its own server, beside the right pane\'s; a pane\'s list from before stays until answered', async (t) => {
  const state = await tempFolderFor(t, 'ferry-saved-');
  const file = path.join(state, 'transfers.json');
  const right = { host: '127.0.0.1', port: 1, user: 'alice', password: '', path: '/', tls: 'off' as const };
  const left = { host: '127.0.0.1', port: 2, user: 'bob', password: '', path: '/', tls: 'off' as const };
  // Neither pane has a session: the rows wait, unfinished.
  const queue = new TransferQueue({ client: () => undefined, local: createLocalFs(), remote: () => undefined, leftClient: () => undefined, leftRemote: () => undefined });
  const saver = new QueueSaver(queue, file, (side) => (side === 'local' ? left : right));
  const fromLeft = { direction: 'download' as const, name: 'l.bin', source: '/l.bin', target: '/home/u/l.bin', isFolder: false, from: 'local' as const };
  const toLeft = { direction: 'upload' as const, name: 'u.bin', source: '/home/u/u.bin', target: '/u.bin', isFolder: false, from: 'remote' as const };
  const fromRight = { direction: 'download' as const, name: 'r.bin', source: '/r.bin', target: '/home/u/r.bin', isFolder: false };
  const relay = { direction: 'relay' as const, name: 'x.bin', source: '/x.bin', target: '/x.bin', isFolder: false, from: 'local' as const };
  queue.enqueue([fromLeft, toLeft, fromRight, relay]);
  await saver.flushed();
  assert.deepEqual(await readSavedQueue(file), {
    sessions: [
      { side: 'remote', server: { host: '127.0.0.1', port: 1, user: 'alice', tls: 'off' }, transfers: [fromRight] },
      { side: 'local', server: { host: '127.0.0.1', port: 2, user: 'bob', tls: 'off' }, transfers: [fromLeft, toLeft] },
    ],
  }, 'each pane\'s rows under its server; the copy between the two servers is not kept');
  await saver.freeze();
  queue.cancelAll();

  // The next run: the right pane's rows of this run replace its list; the left pane's list stays for its server.
  const next = new TransferQueue({ client: () => undefined, local: createLocalFs(), remote: () => undefined, leftClient: () => undefined, leftRemote: () => undefined });
  const nextSaver = new QueueSaver(next, file, (side) => (side === 'local' ? undefined : right));
  const other = { ...fromRight, name: 'other.bin', source: '/other.bin' };
  next.enqueue([other]);
  await nextSaver.flushed();
  assert.deepEqual((await readSavedQueue(file))?.sessions.map((session) => [session.side, session.transfers.map((request) => request.name)]), [
    ['remote', ['other.bin']], ['local', ['l.bin', 'u.bin']],
  ]);
  assert.equal(await nextSaver.offer('local', { ...left, port: 3 }), undefined, 'another server is not offered the list');
  assert.deepEqual((await nextSaver.offer('local', left))?.transfers, [fromLeft, toLeft]);
  nextSaver.forget('local');
  await nextSaver.flushed();
  assert.deepEqual((await readSavedQueue(file))?.sessions.map((session) => session.side), ['remote'], 'forgetting one pane\'s list keeps the other');
});
