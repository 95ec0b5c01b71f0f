/**
 * Names that are not valid UTF-8 on disk cannot be sent: LIST leaves them out
 * and says so (ENTS flag 2 on the last batch), TGET fails INVALID_PATH.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ENTS_LAST, ENTS_OMITTED, LIST_RECURSIVE, type Entry } from '../../src/protocol/messages.js';
import { codeOf, RawClient, withServer } from './raw-client.js';

/** A LIST to its end: entries and the last frame's flags. */
async function list(c: RawClient, folder: string, flags: number): Promise<{ names: string[]; lastFlags: number }> {
  const id = c.id();
  c.send({ op: 'LIST', id, path: folder, flags });
  const entries: Entry[] = [];
  for (;;) {
    const msg = await c.nextFor(id);
    assert.equal(msg.op, 'ENTS');
    if (msg.op !== 'ENTS') throw new Error('not ENTS');
    entries.push(...msg.entries);
    if (msg.flags & ENTS_LAST) return { names: entries.map((entry) => entry.name).sort(), lastFlags: msg.flags };
    assert.equal(msg.flags & ENTS_OMITTED, 0, 'flag 2 only on the last batch');
  }
}

void test('a name that is not UTF-8 is reported as left out by LIST and fails TGET', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'sub'));
  await fs.writeFile(path.join(srv.root, 'ok.txt'), 'ok');
  await fs.writeFile(path.join(srv.root, 'sub', 'real\uFFFD.txt'), 'a name that holds U+FFFD itself');
  // "bad\xff.txt": the byte 0xff is never valid UTF-8.
  await fs.writeFile(Buffer.concat([Buffer.from(path.join(srv.root, 'sub', 'bad')), Buffer.from([0xff]), Buffer.from('.txt')]), 'x');

  const plain = await list(c, '/', 0);
  assert.deepEqual(plain.names, ['ok.txt', 'sub']);
  assert.equal(plain.lastFlags & ENTS_OMITTED, 0);

  const inside = await list(c, 'sub', 0);
  assert.deepEqual(inside.names, ['real\uFFFD.txt']);
  assert.equal(inside.lastFlags & ENTS_OMITTED, ENTS_OMITTED);

  const recursive = await list(c, '/', LIST_RECURSIVE);
  assert.deepEqual(recursive.names, ['ok.txt', 'sub', 'sub/real\uFFFD.txt']);
  assert.equal(recursive.lastFlags & ENTS_OMITTED, ENTS_OMITTED);

  const id = c.id();
  c.send({ op: 'TGET', id, path: 'sub', window: 1024 * 1024 });
  const end = await c.next((msg) => msg.id === id && (msg.op === 'FAIL' || msg.op === 'DONE'));
  assert.equal(codeOf(end), ErrorCode.INVALID_PATH);
}));

void test('names with a tab or a newline are left out of LIST and said to be (flag 2); upload temporary files are left out silently', () => withServer(async (srv, c) => {
  await fs.mkdir(path.join(srv.root, 'ctl'));
  await fs.mkdir(path.join(srv.root, 'tmp'));
  await fs.writeFile(path.join(srv.root, 'ctl', 'fine.txt'), 'ok');
  await fs.writeFile(path.join(srv.root, 'ctl', 'tab\there.txt'), 'x');
  await fs.writeFile(path.join(srv.root, 'ctl', 'new\nline.txt'), 'x');
  await fs.writeFile(path.join(srv.root, 'tmp', 'fine.txt'), 'ok');
  await fs.writeFile(path.join(srv.root, 'tmp', '.fine.txt.ferry-part'), 'partial upload');

  const ctl = await list(c, 'ctl', 0);
  assert.deepEqual(ctl.names, ['fine.txt']);
  assert.equal(ctl.lastFlags & ENTS_OMITTED, ENTS_OMITTED);
  const tmp = await list(c, 'tmp', 0);
  assert.deepEqual(tmp.names, ['fine.txt']);
  assert.equal(tmp.lastFlags & ENTS_OMITTED, 0);
  const recursive = await list(c, '/', LIST_RECURSIVE);
  assert.equal(recursive.lastFlags & ENTS_OMITTED, ENTS_OMITTED);
}));
