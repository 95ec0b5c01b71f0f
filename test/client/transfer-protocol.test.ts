/**
 * The client's side of the transfer rules (docs/PROTOCOL.md §5–6) against a
 * scripted peer, for what a well-behaved ferryd never shows: an upload that
 * starts with no credit and gets it in small grants, a download whose final
 * hash does not match, a peer that sends DATA out of order or beyond its credit.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { EntryKind, type Entry } from '../../src/protocol/messages.js';
import { startFakeServer } from './fake-server.js';
import { patternBytes } from './files.js';
import { tempFolderSync } from '../helpers/temp-folders.js';

function hasCode(code: number) {
  return (error: unknown): boolean => {
    if (error instanceof FerryError && error.code === code) return true;
    throw error;
  };
}

void describe('transfer rules against a scripted peer', () => {
  let local: string;
  before(() => {
    local = tempFolderSync('ferry-transfer-rules-');
  });
  after(() => fs.rmSync(local, { recursive: true, force: true }));

  void it('an upload never sends more content than its credit', async () => {
    const data = patternBytes(300_000, 2);
    fs.writeFileSync(path.join(local, 'up.bin'), data);
    let credit = 0;
    let maxOvershoot = 0;
    const received: Buffer[] = [];
    let hash: Buffer | undefined;
    const server = await startFakeServer({
      onMessage(msg, peer) {
        if (msg.op === 'UPLD') {
          // No credit at first, then 10 000 bytes at a time as content arrives.
          peer.send({ op: 'OPEN', id: msg.id, offset: 0, size: msg.size, mtimeMs: msg.mtimeMs, mode: msg.mode, prefixHash: Buffer.alloc(0), window: 0 });
          setTimeout(() => {
            credit += 10_000;
            peer.send({ op: 'WIND', id: msg.id, increment: 10_000 });
          }, 5);
        } else if (msg.op === 'DATA') {
          credit -= msg.data.length;
          maxOvershoot = Math.max(maxOvershoot, -credit);
          received.push(Buffer.from(msg.data));
          credit += 10_000;
          peer.send({ op: 'WIND', id: msg.id, increment: 10_000 });
        } else if (msg.op === 'HASH') {
          hash = Buffer.from(msg.hash);
          peer.send({ op: 'DONE', id: msg.id });
        }
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const result = await client.upload(path.join(local, 'up.bin'), 'up.bin');
      assert.equal(result.bytes, data.length);
      assert.equal(maxOvershoot, 0, 'content stayed within credit');
      assert.ok(Buffer.concat(received).equals(data));
      assert.ok(received.every((part) => part.length <= 10_000));
      assert.deepEqual(hash, createHash('sha256').update(data).digest());
    } finally {
      client.close();
      await server.close();
    }
  });

  void it('a download whose hash does not match fails with HASH_MISMATCH and leaves nothing', async () => {
    const data = patternBytes(100_000, 3);
    const winds: number[] = [];
    const server = await startFakeServer({
      onMessage(msg, peer) {
        if (msg.op === 'WIND') winds.push(msg.increment);
        if (msg.op !== 'DWLD') return;
        assert.ok(msg.window > 0);
        peer.send({ op: 'OPEN', id: msg.id, offset: 0, size: data.length, mtimeMs: 0, mode: 0o600, prefixHash: Buffer.alloc(0), window: 0 });
        peer.send({ op: 'DATA', id: msg.id, offset: 0, data: data.subarray(0, 60_000) });
        peer.send({ op: 'DATA', id: msg.id, offset: 60_000, data: data.subarray(60_000) });
        peer.send({ op: 'HASH', id: msg.id, hash: createHash('sha256').update('something else').digest() });
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const target = path.join(local, 'down.bin');
      await assert.rejects(client.download('down.bin', target), hasCode(ErrorCode.HASH_MISMATCH));
      assert.equal(fs.existsSync(target), false);
      assert.equal(fs.existsSync(path.join(local, '.down.bin.ferry-part')), false);
      assert.ok(client.connected, 'a bad hash ends the request, not the session');
    } finally {
      client.close();
      await server.close();
    }
  });

  void it('DATA out of order is a protocol violation that closes the connection', async () => {
    const server = await startFakeServer({
      onMessage(msg, peer) {
        if (msg.op !== 'DWLD') return;
        peer.send({ op: 'OPEN', id: msg.id, offset: 0, size: 10, mtimeMs: 0, mode: 0, prefixHash: Buffer.alloc(0), window: 0 });
        peer.send({ op: 'DATA', id: msg.id, offset: 5, data: Buffer.alloc(5) });
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      await assert.rejects(client.download('x.bin', path.join(local, 'x.bin')), hasCode(ErrorCode.BAD_FRAME));
      assert.equal(client.connected, false);
      assert.equal(fs.existsSync(path.join(local, 'x.bin')), false);
    } finally {
      await server.close();
    }
  });

  void it('DATA beyond the credit the client granted is a protocol violation, refused before it is kept', async () => {
    // Without the tree capability, a tree download is one DWLD per file, each granting a window of 2 MiB.
    const data = patternBytes(3 * 1024 * 1024, 5);
    let granted = -1;
    const server = await startFakeServer({
      onMessage(msg, peer) {
        if (msg.op === 'LIST') {
          peer.send({ op: 'ENTS', id: msg.id, flags: 1, entries: [{ name: 'big.bin', kind: EntryKind.FILE, size: data.length, mtimeMs: 0, mode: 0 }] });
        } else if (msg.op === 'DWLD') {
          granted = msg.window;
          peer.send({ op: 'OPEN', id: msg.id, offset: 0, size: data.length, mtimeMs: 0, mode: 0, prefixHash: Buffer.alloc(0), window: 0 });
          peer.send({ op: 'DATA', id: msg.id, offset: 0, data });
          peer.send({ op: 'HASH', id: msg.id, hash: createHash('sha256').update(data).digest() });
        }
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const target = path.join(local, 'overrun');
      await assert.rejects(client.downloadTree('t', target), hasCode(ErrorCode.BAD_FRAME));
      assert.ok(granted > 0 && granted < data.length, `window ${granted}`);
      assert.equal(client.connected, false);
      assert.equal(fs.existsSync(path.join(target, 'big.bin')), false);
    } finally {
      await server.close();
    }
  });

  void it('a listing that names something outside the folder is refused with INVALID_PATH; the session goes on', async () => {
    const entry = (name: string): Entry => ({ name, kind: EntryKind.FILE, size: 1, mtimeMs: 0, mode: 0o644 });
    const hostile: Array<[string, boolean]> = [['../escape', false], ['a/b', false], ['..', false], ['a/../../x', true], ['a\\b', true], ['/abs', true]];
    for (const [name, recursive] of hostile) {
      const server = await startFakeServer({
        onMessage(msg, peer) {
          if (msg.op === 'LIST') peer.send({ op: 'ENTS', id: msg.id, flags: 1, entries: [entry('fine.txt'), entry(name)] });
        },
      });
      const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
      try {
        await assert.rejects(client.list('/', { recursive }), hasCode(ErrorCode.INVALID_PATH), name);
        // The request ended at the server's last ENTS, so its id is not reused under stale frames.
        assert.equal(client.connected, true, name);
      } finally {
        client.close();
        await server.close();
      }
    }
    // Recursive names may hold `/`; plain ones may not.
    const server = await startFakeServer({
      onMessage(msg, peer) {
        if (msg.op === 'LIST') peer.send({ op: 'ENTS', id: msg.id, flags: 1, entries: [entry('sub/deeper/f.txt'), entry('..dots..')] });
      },
    });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      assert.deepEqual((await client.list('/', { recursive: true })).map((e) => e.name), ['sub/deeper/f.txt', '..dots..']);
    } finally {
      client.close();
      await server.close();
    }
  });
});
