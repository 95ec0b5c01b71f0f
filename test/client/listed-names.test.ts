/**
 * Names a server lists are checked by the client before anyone joins them to
 * a local folder. A scripted server (test/client/fake-server.ts, real codec
 * frames over loopback TCP) lists what ferryd never would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import { checkedListedName } from '../../src/client/listed-names.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { ENTS_LAST, EntryKind, type Entry } from '../../src/protocol/messages.js';
import { startFakeServer, type FakeServer } from './fake-server.js';

const file = (name: string): Entry => ({ name, kind: EntryKind.FILE, size: 1, mtimeMs: 0, mode: 0o644 });

/** What the fake server lists: folder path → batches of names (each batch one ENTS frame). */
const listings = new Map<string, string[][]>();

const isInvalidPath = (error: unknown): boolean => error instanceof FerryError && error.code === ErrorCode.INVALID_PATH;

void describe('listed names', () => {
  let server: FakeServer;
  let client: FerryClient;

  before(async () => {
    server = await startFakeServer({
      onMessage: (msg, peer) => {
        if (msg.op !== 'LIST') return;
        const batches = listings.get(msg.path) ?? [[]];
        batches.forEach((names, index) => {
          peer.send({ op: 'ENTS', id: msg.id, flags: index === batches.length - 1 ? ENTS_LAST : 0, entries: names.map(file) });
        });
      },
    });
    client = await FerryClient.connect({ host: '127.0.0.1', port: server.port, tls: 'off' });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  void it('a plain LIST with a name that is not one safe component fails with INVALID_PATH', async () => {
    const bad = ['../escaped.txt', '..', '.', '', '/etc/passwd', 'a/b', 'a\\..\\b', 'x\u0000y', 'red\u001b[41mEVIL', 'new\nline', 'del\u007f'];
    for (const [index, name] of bad.entries()) {
      listings.set(`/bad${index}`, [['fine.txt', name]]);
      await assert.rejects(client.list(`/bad${index}`), isInvalidPath, JSON.stringify(name));
    }
    // The session goes on: the next listing works.
    listings.set('/good', [['fine.txt', 'café', 'c1\u009bname', '日本語.txt']]);
    assert.deepEqual((await client.list('/good')).map((entry) => entry.name), ['fine.txt', 'café', 'c1\u009bname', '日本語.txt']);
  });

  void it('a bad name in a later batch fails the listing, and no batch from it on reaches onBatch', async () => {
    listings.set('/later', [['one.txt', 'two.txt'], ['three.txt', '../../outside'], ['four.txt']]);
    const seen: string[] = [];
    await assert.rejects(client.list('/later', { onBatch: (entries) => seen.push(...entries.map((entry) => entry.name)) }), isInvalidPath);
    assert.deepEqual(seen, ['one.txt', 'two.txt']);
    // The id of the refused listing was held until its last batch: the next request is answered normally.
    listings.set('/after', [['ok.txt']]);
    assert.deepEqual((await client.list('/after')).map((entry) => entry.name), ['ok.txt']);
  });

  void it('a recursive LIST takes relative paths below the folder and refuses ones that leave it', async () => {
    listings.set('/tree', [['sub', 'sub/inner.txt', 'sub/deeper/x y.txt']]);
    assert.equal((await client.list('/tree', { recursive: true })).length, 3);
    for (const name of ['sub/../../x', '/abs/path', 'a//b', 'sub/', 'sub/.', 'sub/\u001b]0;title\u0007']) {
      listings.set('/tree-bad', [['sub', name]]);
      await assert.rejects(client.list('/tree-bad', { recursive: true }), isInvalidPath, JSON.stringify(name));
    }
  });

  void it('a plain LIST refuses a relative path that a recursive one would take', async () => {
    listings.set('/nested', [['sub/inner.txt']]);
    await assert.rejects(client.list('/nested'), isInvalidPath);
    assert.throws(() => checkedListedName('sub/inner.txt'), isInvalidPath);
    assert.equal(checkedListedName('plain name.txt'), 'plain name.txt');
  });
});
