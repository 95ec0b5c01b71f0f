/**
 * What a listing reports, against a real ferryd: every kind of entry with the
 * metadata lstat gives for it, names at the limits, and folders whose sizes
 * sit on the server's batch boundaries (each entry exactly once, LAST on the
 * final frame only). Also: the server enters a listed folder as its working
 * directory while it describes a batch, and must always come back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, readlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FerryClient } from '../../src/client/client.js';
import { EntryKind, ENTS_LAST, type Entry, type ServerMessage } from '../../src/protocol/messages.js';
import { FIRST_BATCH_ENTRIES, LATER_BATCH_ENTRIES } from '../../src/server/operations.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';

/** Thousands of files: in RAM when there is a RAM folder (creating them on this disk takes seconds). */
async function fastTempRoot(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const ram = '/dev/shm';
  const base = await fs.access(ram, fs.constants.W_OK).then(() => ram, () => os.tmpdir());
  const root = await fs.mkdtemp(path.join(base, 'ferry-test-entries-'));
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  return root;
}

async function serve(t: { after: (fn: () => Promise<void>) => void }, root: string, maxFrame = 65536) {
  const srv = await startTestServer({ root, limits: { maxFrame } });
  const client = await RawClient.open(srv.port, { maxFrame });
  t.after(async () => {
    await client.quit().catch(() => undefined);
    await srv.cleanup();
  });
  return { srv, client };
}

/** LIST to the end, keeping every ENTS frame. */
async function listFrames(client: RawClient, folder: string): Promise<Extract<ServerMessage, { op: 'ENTS' }>[]> {
  const id = client.id();
  client.send({ op: 'LIST', id, path: folder, flags: 0 });
  const frames: Extract<ServerMessage, { op: 'ENTS' }>[] = [];
  for (;;) {
    const msg = await client.nextFor(id);
    if (msg.op !== 'ENTS') throw new Error(`unexpected ${msg.op}: ${JSON.stringify(msg)}`);
    frames.push(msg);
    if (msg.flags & ENTS_LAST) return frames;
  }
}

/** The entry lstat gives for `full`, as the protocol describes it (§2: size 0 for folders, mode & 0o7777). */
function expectedEntry(full: string): Entry {
  const stats = lstatSync(full);
  const kind = stats.isFile() ? EntryKind.FILE : stats.isDirectory() ? EntryKind.DIRECTORY
    : stats.isSymbolicLink() ? EntryKind.SYMLINK : EntryKind.OTHER;
  return {
    name: path.basename(full), kind, size: kind === EntryKind.DIRECTORY ? 0 : stats.size,
    mtimeMs: Math.floor(stats.mtimeMs), mode: stats.mode & 0o7777,
  };
}

const byName = (a: Entry, b: Entry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

void test('LIST reports every kind of entry with its lstat metadata, names at the limits included', async (t) => {
  const root = await fastTempRoot(t);
  const folder = path.join(root, 'kinds');
  await fs.mkdir(folder);
  const at = (name: string): string => path.join(folder, name);
  await fs.writeFile(at('plain'), 'hello');
  await fs.chmod(at('plain'), 0o640);
  await fs.utimes(at('plain'), 1_000_000, 1_000_000_000.123);
  await fs.writeFile(at('epoch'), '');
  await fs.utimes(at('epoch'), 0, 0);
  // 2^40 bytes, sparse: a size above 32 bits takes both halves of the u64.
  const sparse = await fs.open(at('sparse'), 'w');
  await sparse.truncate(2 ** 40).catch(() => undefined);
  await sparse.close();
  await fs.mkdir(at('folder'));
  await fs.chmod(at('folder'), 0o1777);
  await fs.symlink('plain', at('link'));
  await fs.symlink('/nowhere/at/all', at('dangling'));
  const fifo = spawnSync('mkfifo', [at('pipe')]);
  const socket = net.createServer();
  await new Promise<void>((resolve) => socket.listen(at('sock'), resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  const names = [
    'a'.repeat(255), // the longest name, ASCII
    `${'é'.repeat(127)}x`, // 255 bytes of two-byte characters
    `${'𝄞'.repeat(63)}abc`, // 255 bytes with four-byte characters (surrogate pairs in JavaScript)
    '\uFEFFbom', // a leading U+FEFF is part of the name
    'c1\u0085next', 'space ', '-dash', '名前.txt',
  ];
  for (const name of names) await fs.writeFile(at(name), name);
  // Names no request could address (docs/PROTOCOL.md §7) are left out of listings.
  const unaddressable = ['tab\there', 'new\nline', 'del\u007f', 'back\\slash', '.upload.bin.ferry-part'];
  for (const name of unaddressable) await fs.writeFile(at(name), name);

  const { client } = await serve(t, root);
  const frames = await listFrames(client, 'kinds');
  const listed = frames.flatMap((frame) => frame.entries).sort(byName);
  const expected = (await fs.readdir(folder)).filter((name) => !unaddressable.includes(name))
    .map((name) => expectedEntry(at(name))).sort(byName);
  assert.deepEqual(listed, expected);

  const kindOf = (name: string): number | undefined => listed.find((e) => e.name === name)?.kind;
  assert.equal(kindOf('plain'), EntryKind.FILE);
  assert.equal(kindOf('folder'), EntryKind.DIRECTORY);
  assert.equal(kindOf('link'), EntryKind.SYMLINK);
  assert.equal(kindOf('dangling'), EntryKind.SYMLINK);
  assert.equal(kindOf('sock'), EntryKind.OTHER);
  if (fifo.status === 0) assert.equal(kindOf('pipe'), EntryKind.OTHER);
  assert.deepEqual(listed.find((e) => e.name === 'plain'), { name: 'plain', kind: 0, size: 5, mtimeMs: 1_000_000_000_123, mode: 0o640 });
  assert.equal(listed.find((e) => e.name === 'epoch')?.mtimeMs, 0);
  assert.equal(listed.find((e) => e.name === 'folder')?.mode, 0o1777);
  assert.equal(listed.find((e) => e.name === 'link')?.size, 'plain'.length, 'a symlink is described, not followed');
  for (const name of names) assert.ok(listed.some((e) => e.name === name), `${JSON.stringify(name)} listed`);
  for (const name of unaddressable) assert.ok(!listed.some((e) => e.name === name), `${JSON.stringify(name)} left out`);
  if (lstatSync(at('sparse')).size === 2 ** 40) assert.equal(listed.find((e) => e.name === 'sparse')?.size, 2 ** 40);
});

void test('folders on the batch boundaries list every entry exactly once, LAST only on the final frame', async (t) => {
  const root = await fastTempRoot(t);
  const first = FIRST_BATCH_ENTRIES;
  const later = LATER_BATCH_ENTRIES;
  const sizes = [0, 1, first - 1, first, first + 1, first + later - 1, first + later, first + later + 1, first + 2 * later + 1];
  for (const size of sizes) {
    const folder = path.join(root, `n${size}`);
    await fs.mkdir(folder);
    for (let start = 0; start < size; start += 500) {
      await Promise.all(Array.from({ length: Math.min(500, size - start) }, (_, i) =>
        fs.writeFile(path.join(folder, `e${String(start + i).padStart(5, '0')}`), '')));
    }
  }
  // Long names: a later batch no longer fits one 64 KiB frame and is split by size.
  const long = path.join(root, 'long');
  await fs.mkdir(long);
  const longCount = first + later + 1;
  for (let i = 0; i < longCount; i += 1) await fs.writeFile(path.join(long, `${String(i).padStart(5, '0')}${'n'.repeat(250)}`), '');

  const { client } = await serve(t, root, 65536);
  for (const [folder, size] of [...sizes.map((n) => [`n${n}`, n] as const), ['long', longCount] as const]) {
    const frames = await listFrames(client, folder);
    const names = frames.flatMap((frame) => frame.entries.map((e) => e.name));
    assert.equal(names.length, size, `${folder}: entries`);
    assert.equal(new Set(names).size, size, `${folder}: every entry once`);
    assert.deepEqual(names.sort(), (await fs.readdir(path.join(root, folder))).sort(), `${folder}: the folder's names`);
    assert.deepEqual(frames.map((frame) => frame.flags & ENTS_LAST), [...frames.slice(1).map(() => 0), ENTS_LAST], `${folder}: LAST at the end`);
    assert.ok(frames[0]!.entries.length <= first, `${folder}: a small first batch`);
    if (folder === 'long') {
      assert.ok(frames.length > 1 + Math.ceil(later / Math.floor(65536 / 278)), 'long names split batches into frames by size');
    }
  }
});

void test('the client library hands over each batch as it comes and then the whole listing, in the same order', async (t) => {
  const root = await fastTempRoot(t);
  const folder = path.join(root, 'many');
  await fs.mkdir(folder);
  const count = FIRST_BATCH_ENTRIES + LATER_BATCH_ENTRIES + 7;
  for (let start = 0; start < count; start += 500) {
    await Promise.all(Array.from({ length: Math.min(500, count - start) }, (_, i) =>
      fs.writeFile(path.join(folder, `f${start + i}`), 'x'.repeat((start + i) % 3))));
  }
  const srv = await startTestServer({ root });
  t.after(() => srv.cleanup());
  const client = await FerryClient.connect({ host: '127.0.0.1', port: srv.port, tls: 'off' });
  t.after(() => client.quit());
  const batches: Entry[][] = [];
  const entries = await client.list('many', { onBatch: (batch) => batches.push(batch) });
  assert.ok(batches.length >= 2, `${batches.length} batches`);
  assert.deepEqual(batches.flat(), entries);
  assert.equal(entries.length, count);
  for (const entry of entries) assert.deepEqual(entry, expectedEntry(path.join(folder, entry.name)));
});

void test('after a listing the server process is back in its own working directory, even a removed one', async (t) => {
  const root = await fastTempRoot(t);
  await fs.mkdir(path.join(root, 'listed'));
  for (let i = 0; i < 300; i += 1) await fs.writeFile(path.join(root, 'listed', `f${i}`), '');
  const { client } = await serve(t, root);
  const original = process.cwd();
  t.after(() => process.chdir(original));

  const where = (): string => readlinkSync('/proc/self/cwd');
  const home = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-test-cwd-')));
  t.after(() => fs.rm(home, { recursive: true, force: true }));
  process.chdir(home);
  assert.equal((await client.list('listed')).entries.length, 300);
  assert.equal(where(), home);

  // A working directory removed meanwhile is still returned to (it is held open, not found again by path).
  const gone = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-test-cwd-')));
  process.chdir(gone);
  await fs.rmdir(gone);
  assert.equal((await client.list('listed')).entries.length, 300);
  assert.equal(where(), `${gone} (deleted)`);
});
