/**
 * Deep folder trees: MKDR -p does a constant amount of work per level, and a
 * tree deeper than a path can name is reported by LIST -r and TGET (coded,
 * not silently cut) and removed whole by RMDR -r.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { codeOf, withServer } from './raw-client.js';

/** Makes `depth` nested folders `a` below `folder` (in a child process: the path outgrows PATH_MAX). */
function makeDeepTree(folder: string, depth: number): void {
  execFileSync(process.execPath, ['-e', `
    const fs = require('node:fs');
    process.chdir(${JSON.stringify(folder)});
    for (let i = 0; i < ${depth}; i++) { fs.mkdirSync('a'); process.chdir('a'); }
    fs.writeFileSync('bottom.txt', 'x');
  `]);
}

void test('MKDR -p walks no path again per level (it was cubic in the depth)', () => withServer(async (srv, c) => {
  const depth = 600;
  const realpath = fs.realpath;
  let calls = 0;
  fs.realpath = ((...args: Parameters<typeof realpath>) => {
    calls++;
    return realpath(...args);
  }) as typeof realpath;
  try {
    const deep = Array.from({ length: depth }, () => 'd').join('/');
    assert.equal(codeOf(await c.request({ op: 'MKDR', id: c.id(), path: deep, flags: 1 })), 'DONE');
  } finally {
    fs.realpath = realpath;
  }
  assert.ok(calls < 10, `${calls} realpath calls for ${depth} levels`);
  assert.ok((await fs.stat(path.join(srv.root, ...Array.from({ length: depth }, () => 'd')))).isDirectory());
}));

void test('a tree deeper than a path can name: LIST -r and TGET fail INVALID_PATH, RMDR -r removes it', () => withServer(async (srv, c) => {
  makeDeepTree(srv.root, 2500);
  const listId = c.id();
  c.send({ op: 'LIST', id: listId, path: '/', flags: 1 });
  let listed = 0;
  let end: ServerMessage;
  for (;;) {
    end = await c.nextFor(listId, 60_000);
    if (end.op !== 'ENTS') break;
    listed += end.entries.length;
    if (end.flags & 1) break;
  }
  assert.equal(codeOf(end), ErrorCode.INVALID_PATH, `LIST -r ended with ${end.op} after ${listed} entries`);

  const getId = c.id();
  c.send({ op: 'TGET', id: getId, path: '/', window: 1024 * 1024 });
  const failed = await c.next((msg) => msg.id === getId && (msg.op === 'FAIL' || msg.op === 'DONE'), 60_000);
  assert.equal(codeOf(failed), ErrorCode.INVALID_PATH);

  assert.equal(codeOf(await c.request({ op: 'RMDR', id: c.id(), path: 'a', flags: 1 })), 'DONE');
  assert.deepEqual(await fs.readdir(srv.root), []);
}));
