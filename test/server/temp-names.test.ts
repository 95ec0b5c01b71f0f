/**
 * Upload temporary files (`.NAME.ferry-part`) are the server's alone
 * (docs/PROTOCOL.md §7): through a real session no request can name one —
 * not to read, replace, delete, rename or list it — so an interrupted or
 * running upload's bytes cannot be swapped under it, and what is committed is
 * exactly what was hashed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { isTemporaryName } from '../../src/protocol/temp-names.js';
import { isLockName, lockNameFor } from '../../src/server/storage/upload-lock.js';
import { tempName } from '../../src/server/storage/upload-temporary-files.js';
import type { ClientMessage } from '../../src/protocol/messages.js';
import { startTestServer } from '../helpers/server.js';
import { codeNameOf, RawClient, sha256 } from './raw-client.js';

/** Starts an upload of `content` and waits until the server has written `part` bytes of it. */
async function startUpload(client: RawClient, id: number, name: string, content: Buffer, part: number): Promise<void> {
  client.send({ op: 'UPLD', id, path: name, size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
  const open = await client.nextFor(id);
  assert.equal(open.op, 'OPEN');
  client.send({ op: 'DATA', id, offset: 0, data: content.subarray(0, part) });
  for (let granted = 0; granted < part;) {
    const msg = await client.nextFor(id);
    assert.equal(msg.op, 'WIND');
    if (msg.op === 'WIND') granted += msg.increment;
  }
}

/** Every request kind aimed at `name`, as it would be sent. */
function requestsNaming(client: RawClient, name: string): ClientMessage[] {
  return [
    { op: 'LIST', id: client.id(), path: name, flags: 0 },
    { op: 'STAT', id: client.id(), path: name },
    { op: 'DWLD', id: client.id(), path: name, offset: 0, prefixHash: Buffer.alloc(0), window: 1 << 20 },
    { op: 'UPLD', id: client.id(), path: name, size: 4, mtimeMs: 0, mode: 0, flags: 1 },
    { op: 'UPLD', id: client.id(), path: name, size: 4, mtimeMs: 0, mode: 0, flags: 3 },
    { op: 'DELF', id: client.id(), path: name },
    { op: 'MKDR', id: client.id(), path: name, flags: 1 },
    { op: 'RMDR', id: client.id(), path: name, flags: 1 },
    { op: 'MOVE', id: client.id(), from: name, to: 'taken.bin', flags: 1 },
    { op: 'MOVE', id: client.id(), from: 'decoy.txt', to: name, flags: 1 },
  ];
}

void test('an interrupted upload\'s temporary file cannot be listed, read, replaced, deleted or moved; the upload then resumes intact', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.cleanup());
  await fs.mkdir(path.join(srv.root, 'sub'));
  await fs.writeFile(path.join(srv.root, 'decoy.txt'), 'evil');
  const content = randomBytes(400_000);
  const writer = await RawClient.open(srv.port);
  await startUpload(writer, 5, 'sub/big.bin', content, 100_000);
  writer.destroy();
  await writer.closed;
  const temp = path.join(srv.root, 'sub', '.big.bin.ferry-part');

  const other = await RawClient.open(srv.port);
  assert.deepEqual((await other.list('sub')).entries.map((e) => e.name), [], 'a plain listing hides the temporary file');
  assert.deepEqual((await other.list('', 1)).entries.map((e) => e.name).sort(), ['decoy.txt', 'sub'], 'so does a recursive one');
  for (const name of ['sub/.big.bin.ferry-part', '/sub/.big.bin.ferry-part', 'sub/.big.bin.ferry-part/x', '.anything.ferry-part']) {
    for (const request of requestsNaming(other, name)) {
      const reply = await other.request(request);
      assert.equal(codeNameOf(reply), 'INVALID_PATH', `${request.op} ${name}: ${JSON.stringify(reply)}`);
      if (reply.op === 'FAIL') assert.match(reply.message, /reserved/);
    }
  }
  assert.equal((await fs.stat(temp)).size, 100_000, 'the temporary file is untouched');
  assert.equal(await fs.readFile(path.join(srv.root, 'decoy.txt'), 'utf8'), 'evil');

  // Lookalikes are ordinary names.
  for (const name of ['ferry-part', '.ferry-part', 'x.ferry-part', '.x.ferry-part.txt']) {
    assert.equal(codeNameOf(await other.upload(name, Buffer.from('ok'))), 'DONE', name);
  }

  other.send({ op: 'UPLD', id: 9, path: 'sub/big.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 2 });
  const open = await other.nextFor(9);
  assert.ok(open.op === 'OPEN' && open.offset === 100_000, JSON.stringify(open));
  await other.sendContent(9, content, open.offset, open.window);
  other.send({ op: 'HASH', id: 9, hash: sha256(content) });
  assert.equal(codeNameOf(await other.next((m) => m.id === 9 && m.op !== 'WIND')), 'DONE');
  assert.ok((await fs.readFile(path.join(srv.root, 'sub', 'big.bin'))).equals(content));
  await other.quit();
});

void test('during a running upload another session cannot overwrite its temporary file; the commit holds exactly the hashed bytes', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.cleanup());
  const content = randomBytes(300_000);
  const writer = await RawClient.open(srv.port);
  await startUpload(writer, 5, 'live.bin', content, 50_000);

  const intruder = await RawClient.open(srv.port);
  const evil = Buffer.alloc(content.length, 0x45);
  const replaced = await intruder.upload('.live.bin.ferry-part', evil, 1);
  assert.equal(codeNameOf(replaced), 'INVALID_PATH');
  assert.equal(codeNameOf(await intruder.request({ op: 'DELF', id: intruder.id(), path: '.live.bin.ferry-part' })), 'INVALID_PATH');
  await intruder.quit();

  await writer.sendContent(5, content, 50_000, 8 * 1024 * 1024);
  writer.send({ op: 'HASH', id: 5, hash: sha256(content) });
  assert.equal(codeNameOf(await writer.next((m) => m.id === 5 && m.op !== 'WIND')), 'DONE');
  assert.ok((await fs.readFile(path.join(srv.root, 'live.bin'))).equals(content));
  await writer.quit();
});

void test('a file of the reserved form put there by hand is invisible and unreachable, and error codes stay exact', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.cleanup());
  await fs.writeFile(path.join(srv.root, '.notes.ferry-part'), 'hand-made');
  const client = await RawClient.open(srv.port);
  assert.deepEqual((await client.list('')).entries, []);
  const reply = await client.request({ op: 'STAT', id: client.id(), path: '.notes.ferry-part' });
  assert.ok(reply.op === 'FAIL' && reply.code === ErrorCode.INVALID_PATH, JSON.stringify(reply));
  await client.quit();
});

void test('a long name\'s temporary file is not the one of a file named like its digest: neither upload takes up or removes the other\'s', async (t) => {
  // A name too long for `.<name>.ferry-part` gets a temporary file named by a digest of the name. A file
  // named exactly that digest must not share it: a resume would continue (and disclose the hash of) the
  // other file's bytes, and a fresh upload would throw away the other file's resumable part.
  const srv = await startTestServer();
  t.after(() => srv.cleanup());
  const longName = `${'long-name-'.repeat(24)}end.bin`;
  const digestName = createHash('sha256').update(longName).digest('hex').slice(0, 40);
  const content = randomBytes(400_000);
  const writer = await RawClient.open(srv.port);
  await startUpload(writer, 5, longName, content, 100_000);
  writer.destroy();
  await writer.closed;

  const other = await RawClient.open(srv.port);
  const otherContent = randomBytes(1000);
  other.send({ op: 'UPLD', id: 6, path: digestName, size: otherContent.length, mtimeMs: 0, mode: 0, flags: 2 });
  const otherOpen = await other.nextFor(6);
  assert.ok(otherOpen.op === 'OPEN' && otherOpen.offset === 0 && otherOpen.prefixHash.length === 0,
    `a resume of ${digestName} took up another file's temporary file: ${JSON.stringify(otherOpen)}`);
  await other.sendContent(6, otherContent, 0, otherOpen.window);
  other.send({ op: 'HASH', id: 6, hash: sha256(otherContent) });
  assert.equal(codeNameOf(await other.next((m) => m.id === 6 && m.op !== 'WIND')), 'DONE');
  assert.equal(codeNameOf(await other.upload(digestName, otherContent, 1)), 'DONE', 'a fresh upload over it');

  other.send({ op: 'UPLD', id: 9, path: longName, size: content.length, mtimeMs: 0, mode: 0, flags: 2 });
  const open = await other.nextFor(9);
  assert.ok(open.op === 'OPEN' && open.offset === 100_000, `the long name's upload lost its part: ${JSON.stringify(open)}`);
  await other.sendContent(9, content, open.offset, open.window);
  other.send({ op: 'HASH', id: 9, hash: sha256(content) });
  assert.equal(codeNameOf(await other.next((m) => m.id === 9 && m.op !== 'WIND')), 'DONE');
  assert.ok((await fs.readFile(path.join(srv.root, longName))).equals(content));
  assert.ok((await fs.readFile(path.join(srv.root, digestName))).equals(otherContent));
  await other.quit();
});

void test('digest-named temporary files and locks take forms no other name takes', () => {
  const digestOf = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 40);
  const longName = 'x'.repeat(250);
  assert.notEqual(tempName(longName), tempName(digestOf(longName)));
  assert.ok(isTemporaryName(tempName(longName)), 'still of the reserved form');
  // A temporary name that fits while its lock's name does not: the lock is named by a digest.
  const temp = tempName('n'.repeat(243));
  assert.equal(temp, `.${'n'.repeat(243)}.ferry-part`);
  assert.notEqual(lockNameFor(temp), lockNameFor(tempName(digestOf(temp))));
  assert.notEqual(lockNameFor(temp), lockNameFor(tempName(longName)));
  for (const name of [lockNameFor(temp), lockNameFor(tempName(longName))]) assert.ok(isLockName(name) && isTemporaryName(name), name);
});
