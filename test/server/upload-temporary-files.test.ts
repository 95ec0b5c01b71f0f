import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Storage } from '../../src/server/storage/storage.js';
import { lockNameFor } from '../../src/server/storage/upload-lock.js';
import { startTestServer } from '../helpers/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { codeOf, RawClient, sha256 } from './raw-client.js';

const makeFolder = tempFolderMaker();
const RESUME = 2;
const exists = (p: string): Promise<boolean> => fs.lstat(p).then(() => true, () => false);

/** Sends `part` bytes of an upload and waits until the server has written them (its WINDs add up). */
async function sendPart(client: RawClient, id: number, content: Buffer, part: number): Promise<void> {
  client.send({ op: 'DATA', id, offset: 0, data: content.subarray(0, part) });
  let granted = 0;
  while (granted < part) {
    const msg = await client.nextFor(id);
    if (msg.op === 'WIND') granted += msg.increment;
  }
}

/** A pid no process has any more: one of a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

void test('a hard link planted under an upload\'s temporary name is never written through nor disclosed', async () => {
  const outside = await makeFolder('ferry-outside-');
  const victim = path.join(outside, 'secret');
  const secret = Buffer.from('a file elsewhere that the ferryd user may write\n'.repeat(20));
  await fs.writeFile(victim, secret);
  const srv = await startTestServer();
  try {
    await fs.link(victim, path.join(srv.root, '.x.ferry-part'));
    const c = await RawClient.open(srv.port);
    // A resume of a smaller file: today it would disclose the victim's prefix hash and cut it.
    c.send({ op: 'UPLD', id: 5, path: 'x', size: 10, mtimeMs: 0, mode: 0, flags: RESUME });
    const open = await c.nextFor(5);
    assert.ok(open.op === 'OPEN');
    assert.equal(open.offset, 0);
    assert.equal(open.prefixHash.length, 0);
    const content = Buffer.from('0123456789');
    await c.sendContent(5, content, 0, open.window);
    c.send({ op: 'HASH', id: 5, hash: sha256(content) });
    assert.equal(codeOf(await c.next((m) => m.id === 5 && m.op !== 'WIND')), 'DONE');
    assert.ok((await fs.readFile(path.join(srv.root, 'x'))).equals(content));
    assert.ok((await fs.readFile(victim)).equals(secret));

    // A fresh upload over a planted link neither truncates nor fills the victim.
    await fs.link(victim, path.join(srv.root, '.y.ferry-part'));
    assert.equal(codeOf(await c.upload('y', content)), 'DONE');
    assert.ok((await fs.readFile(victim)).equals(secret));
    assert.equal((await fs.stat(victim)).nlink, 1);
    await c.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('two servers on one root: one writer per target, a live upload survives the other\'s sweep, and resumes through the other', async () => {
  const root = await makeFolder('ferry-shared-root-');
  const a = await startTestServer({ root });
  const b = await startTestServer({ root });
  try {
    const content = randomBytes(400_000);
    const first = await RawClient.open(a.port);
    first.send({ op: 'UPLD', id: 5, path: 'big.bin', size: content.length, mtimeMs: 0, mode: 0, flags: RESUME });
    assert.equal((await first.nextFor(5)).op, 'OPEN');
    await sendPart(first, 5, content, 150_000);

    // The other instance (its own registry) refuses a second writer of the same target...
    const second = await RawClient.open(b.port);
    const busy = await second.request({ op: 'UPLD', id: 6, path: 'big.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
    assert.equal(codeOf(busy), ErrorCode.BUSY);
    // ...and its sweep, even with no age limit, leaves the live temporary file alone.
    const otherStorage = await Storage.open(root);
    await otherStorage.removeStaleTemps(0, () => false);
    assert.equal((await fs.stat(path.join(root, '.big.bin.ferry-part'))).size, 150_000);

    // Cut off on the first instance, the upload resumes through the second.
    first.destroy();
    const lock = path.join(root, lockNameFor('.big.bin.ferry-part'));
    for (let i = 0; i < 200 && await exists(lock); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    second.send({ op: 'UPLD', id: 7, path: 'big.bin', size: content.length, mtimeMs: 0, mode: 0, flags: RESUME });
    const reopened = await second.nextFor(7);
    assert.ok(reopened.op === 'OPEN' && reopened.offset === 150_000);
    await second.sendContent(7, content, reopened.offset, reopened.window);
    second.send({ op: 'HASH', id: 7, hash: sha256(content) });
    assert.equal(codeOf(await second.next((m) => m.id === 7 && m.op !== 'WIND')), 'DONE');
    assert.ok((await fs.readFile(path.join(root, 'big.bin'))).equals(content));
    assert.deepEqual((await fs.readdir(root)).sort(), ['big.bin']);
    await second.quit();
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

void test('a crashed instance\'s lock does not block a resume, and the sweep removes it', async () => {
  const root = await makeFolder('ferry-stale-lock-');
  const temp = path.join(root, '.r.bin.ferry-part');
  const content = randomBytes(5000);
  await fs.writeFile(temp, content.subarray(0, 2000));
  const pid = await deadPid();
  await fs.symlink(`ferryd ${os.hostname()} ${pid} 1 1`, path.join(root, lockNameFor('.r.bin.ferry-part')));
  const srv = await startTestServer({ root });
  try {
    const c = await RawClient.open(srv.port);
    c.send({ op: 'UPLD', id: 5, path: 'r.bin', size: content.length, mtimeMs: 0, mode: 0, flags: RESUME });
    const open = await c.nextFor(5);
    assert.ok(open.op === 'OPEN' && open.offset === 2000);
    await c.sendContent(5, content, open.offset, open.window);
    c.send({ op: 'HASH', id: 5, hash: sha256(content) });
    assert.equal(codeOf(await c.next((m) => m.id === 5 && m.op !== 'WIND')), 'DONE');
    assert.deepEqual(await fs.readdir(root), ['r.bin']);

    // A stale lock left alone (no upload came) goes with the sweep.
    const lock = path.join(root, lockNameFor('.s.ferry-part'));
    await fs.symlink(`ferryd ${os.hostname()} ${pid} 1 1`, lock);
    const old = new Date(Date.now() - 3600_000);
    await fs.lutimes(lock, old, old);
    await (await Storage.open(root)).removeStaleTemps(60_000, () => false);
    assert.equal(await exists(lock), false);
    await c.quit();
  } finally {
    await srv.cleanup();
  }
});
