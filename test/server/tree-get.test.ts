/**
 * TGET on the wire (docs/PROTOCOL.md §6, "Tree download"): what ferryd sends,
 * in which order, within which credit, and how it fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { EntryKind, type Entry, type ServerMessage } from '../../src/protocol/messages.js';
import { sha256, withServer, type RawClient } from './raw-client.js';

interface ReceivedItem {
  entry: Entry;
  content?: Buffer;
  hash?: Buffer;
}

/** Reads a TGET to its final frame, granting credit as DATA arrives (unless `grant` is false). */
async function readTree(c: RawClient, id: number): Promise<{ items: ReceivedItem[]; final: ServerMessage }> {
  const items: ReceivedItem[] = [];
  let current: { item: ReceivedItem; parts: Buffer[]; next: number } | undefined;
  for (;;) {
    const msg = await c.nextFor(id);
    switch (msg.op) {
      case 'FILE':
        assert.equal(current, undefined, 'a FILE only after the previous file\'s HASH');
        if (msg.entry.kind === EntryKind.FILE) current = { item: { entry: msg.entry }, parts: [], next: 0 };
        else items.push({ entry: msg.entry });
        break;
      case 'DATA':
        assert.ok(current, 'DATA belongs to a file');
        assert.equal(msg.offset, current.next, 'DATA offsets count within the file, in order');
        current.parts.push(Buffer.from(msg.data));
        current.next += msg.data.length;
        c.send({ op: 'WIND', id, increment: msg.data.length });
        break;
      case 'HASH':
        assert.ok(current, 'HASH belongs to a file');
        current.item.content = Buffer.concat(current.parts);
        current.item.hash = Buffer.from(msg.hash);
        items.push(current.item);
        current = undefined;
        break;
      case 'DONE':
      case 'FAIL':
        return { items, final: msg };
      default:
        assert.fail(`unexpected ${msg.op} in a TGET`);
    }
  }
}

void test('TGET streams folders before their contents, each file as FILE, DATA from 0, HASH; then DONE', () => withServer(async (srv, c) => {
  const top = path.join(srv.root, 'tree');
  await fs.mkdir(path.join(top, 'a', 'deep', 'er'), { recursive: true });
  await fs.mkdir(path.join(top, 'empty'));
  const files = new Map<string, Buffer>([
    ['top.txt', Buffer.from('top\n')],
    ['zero', Buffer.alloc(0)],
    ['a/small.bin', randomBytes(4096)],
    ['a/deep/medium.bin', randomBytes(300_000)],
    ['a/deep/er/large.bin', randomBytes(5 * 1024 * 1024 + 17)],
  ]);
  for (const [name, content] of files) await fs.writeFile(path.join(top, name), content, { mode: 0o640 });
  await fs.utimes(path.join(top, 'top.txt'), new Date(), new Date(1_700_000_000_000));
  await fs.symlink('/etc/passwd', path.join(top, 'a', 'outside-link'));
  await fs.symlink('a', path.join(top, 'folder-link'));

  const id = c.id();
  c.send({ op: 'TGET', id, path: 'tree', window: 1024 * 1024 });
  const { items, final } = await readTree(c, id);
  assert.equal(final.op, 'DONE');

  const seen = new Map(items.map((item) => [item.entry.name, item]));
  assert.deepEqual([...seen.keys()].sort(), ['a', 'a/deep', 'a/deep/er', 'empty', ...files.keys()].sort());
  for (const [name, content] of files) {
    const item = seen.get(name)!;
    assert.equal(item.entry.kind, EntryKind.FILE);
    assert.equal(item.entry.size, content.length, name);
    assert.equal(item.entry.mode, 0o640, name);
    assert.ok(item.content!.equals(content), `${name} content`);
    assert.ok(item.hash!.equals(sha256(content)), `${name} hash`);
  }
  assert.equal(seen.get('top.txt')!.entry.mtimeMs, 1_700_000_000_000);
  // A folder always comes before anything inside it.
  const order = items.map((item) => item.entry.name);
  for (const name of order) {
    const parent = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : undefined;
    if (parent) assert.ok(order.indexOf(parent) < order.indexOf(name), `${parent} before ${name}`);
  }
}));

void test('TGET keeps within its credit: a window of 0 sends nothing until WIND', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 't'));
  const content = randomBytes(200_000);
  await fs.writeFile(path.join(srv.root, 't', 'f.bin'), content);
  const id = c.id();
  c.send({ op: 'TGET', id, path: 't', window: 0 });
  const file = await c.nextFor(id);
  assert.equal(file.op, 'FILE');
  // Nothing more may come without credit; a LIST on the same session is still answered.
  const listed = await c.list('t');
  assert.equal(listed.entries.length, 1);
  c.send({ op: 'WIND', id, increment: 1000 });
  const first = await c.nextFor(id);
  assert.ok(first.op === 'DATA' && first.data.length === 1000 && first.offset === 0);
  c.send({ op: 'WIND', id, increment: content.length });
  let received = 1000;
  for (;;) {
    const msg = await c.nextFor(id);
    if (msg.op === 'DATA') {
      assert.equal(msg.offset, received);
      received += msg.data.length;
    } else {
      assert.equal(msg.op, 'HASH');
      break;
    }
  }
  assert.equal(received, content.length);
  assert.equal((await c.nextFor(id)).op, 'DONE');
}));

void test('TGET fails with the codes of its path: missing, a file, an escape; an empty folder is just DONE', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'file.txt'), 'x');
  await fs.mkdir(path.join(srv.root, 'empty'));
  const finalOf = async (p: string): Promise<number | string> => {
    const id = c.id();
    c.send({ op: 'TGET', id, path: p, window: 65536 });
    const { final, items } = await readTree(c, id);
    assert.equal(items.length, 0);
    return final.op === 'FAIL' ? final.code : final.op;
  };
  assert.equal(await finalOf('nope'), ErrorCode.NOT_FOUND);
  assert.equal(await finalOf('file.txt'), ErrorCode.NOT_A_DIRECTORY);
  assert.equal(await finalOf('../..'), ErrorCode.INVALID_PATH);
  assert.equal(await finalOf('empty'), 'DONE');
  await fs.symlink('/tmp', path.join(srv.root, 'out'));
  assert.equal(await finalOf('out'), ErrorCode.INVALID_PATH);
}));

void test('CANC stops a TGET with FAIL CANCELLED; the session goes on', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 't'));
  for (let i = 0; i < 50; i++) await fs.writeFile(path.join(srv.root, 't', `f${i}`), randomBytes(1000));
  const id = c.id();
  c.send({ op: 'TGET', id, path: 't', window: 0 });
  assert.equal((await c.nextFor(id)).op, 'FILE');
  c.send({ op: 'CANC', id });
  const final = await c.next((msg) => msg.id === id && (msg.op === 'FAIL' || msg.op === 'DONE'));
  assert.ok(final.op === 'FAIL' && final.code === ErrorCode.CANCELLED);
  assert.equal((await c.list('t')).entries.length, 50);
}));

void test('FILE and DONE from a client outside a TPUT: ignored for unknown ids, BAD_FRAME for a request in flight', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 't'));
  await fs.writeFile(path.join(srv.root, 't', 'f'), randomBytes(100_000));
  c.send({ op: 'DONE', id: 4242 });
  c.send({ op: 'FILE', id: 4243, entry: { name: 'x', kind: 0, size: 1, mtimeMs: 0, mode: 0 } });
  const id = c.id();
  c.send({ op: 'TGET', id, path: 't', window: 0 });
  assert.equal((await c.nextFor(id)).op, 'FILE');
  c.send({ op: 'DONE', id });
  const final = await c.next((msg) => msg.id === id && msg.op === 'FAIL');
  assert.ok(final.op === 'FAIL' && final.code === ErrorCode.BAD_FRAME);
  assert.equal((await c.list('t')).entries.length, 1);
}));

void test('TGET leaves out upload temporary files and names no request could address', () => withServer(async (srv, c) => {
  const top = path.join(srv.root, 't');
  await fs.mkdir(top);
  await fs.writeFile(path.join(top, 'kept.txt'), 'kept');
  await fs.writeFile(path.join(top, '.half.bin.ferry-part'), 'unfinished');
  await fs.writeFile(path.join(top, 'line\nbreak'), 'x');
  await fs.writeFile(path.join(top, 'back\\slash'), 'x');
  await fs.mkdir(path.join(top, '.dir.ferry-part'));
  await fs.writeFile(path.join(top, '.dir.ferry-part', 'inside'), 'x');
  const id = c.id();
  c.send({ op: 'TGET', id, path: 't', window: 65536 });
  const { items, final } = await readTree(c, id);
  assert.equal(final.op, 'DONE');
  assert.deepEqual(items.map((item) => item.entry.name), ['kept.txt']);
}));

void test('TGET with names streams only those entries of the folder, each with everything below it', () => withServer(async (srv, c) => {
  const top = path.join(srv.root, 'sel');
  await fs.mkdir(path.join(top, 'chosen', 'inner'), { recursive: true });
  await fs.mkdir(path.join(top, 'other'));
  await fs.writeFile(path.join(top, 'one.txt'), 'one');
  await fs.writeFile(path.join(top, 'two.txt'), 'two');
  await fs.writeFile(path.join(top, 'left.txt'), 'left out');
  await fs.writeFile(path.join(top, 'chosen', 'inner', 'deep.txt'), 'deep');
  await fs.writeFile(path.join(top, 'other', 'not.txt'), 'not');
  const id = c.id();
  c.send({ op: 'TGET', id, path: 'sel', window: 1024 * 1024, names: ['one.txt', 'chosen', 'missing.txt', 'two.txt'] });
  const { items, final } = await readTree(c, id);
  assert.equal(final.op, 'DONE');
  assert.deepEqual(items.map((item) => item.entry.name).sort(), ['chosen', 'chosen/inner', 'chosen/inner/deep.txt', 'one.txt', 'two.txt']);
  assert.equal(items.find((item) => item.entry.name === 'two.txt')!.content!.toString(), 'two');
}));

void test('TGET names are single entries of the folder: a path, `..` or an empty name is INVALID_PATH', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'sel', 'sub'), { recursive: true });
  for (const bad of ['sub/x', '..', '', '.']) {
    const id = c.id();
    c.send({ op: 'TGET', id, path: 'sel', window: 1024, names: ['sub', bad] });
    const reply = await c.nextFor(id);
    assert.equal(reply.op, 'FAIL', JSON.stringify(bad));
    assert.equal(reply.op === 'FAIL' && reply.code, ErrorCode.INVALID_PATH, JSON.stringify(bad));
  }
}));
