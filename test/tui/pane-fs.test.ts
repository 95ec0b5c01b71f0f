import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createLocalFs } from '../../src/tui/fs/local-fs.js';
import { createRemoteFs } from '../../src/tui/fs/remote-fs.js';
import type { Remote } from '../../src/remote/remote.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';

const isInvalidPath = (error: unknown): boolean => error instanceof FerryError && error.code === ErrorCode.INVALID_PATH;
const unsafe = ['../escaped.txt', '..', '.', '', '/etc/passwd', 'a/b', 'x\u0000y'];

void test('the local pane joins only single names to a folder', () => {
  const local = createLocalFs();
  for (const name of unsafe) assert.throws(() => local.child('/home/u/dl', name), isInvalidPath, JSON.stringify(name));
  assert.equal(local.child('/home/u/dl', 'report (1).pdf'), path.join('/home/u/dl', 'report (1).pdf'));
  // A local file may carry control characters in its name: it stays one component.
  assert.equal(local.child('/home/u/dl', 'red\u001b[41m'), path.join('/home/u/dl', 'red\u001b[41m'));
  // What the user types for rename/move is a path, relative or absolute.
  assert.equal(local.resolve('/home/u/dl', '../elsewhere/x'), '/home/u/elsewhere/x');
});

void test('the remote pane joins only single names to a folder', () => {
  const remote = createRemoteFs({ description: { origin: 'ferry://127.0.0.1' }, features: { chmod: true } } as Remote);
  for (const name of unsafe) assert.throws(() => remote.child('/docs', name), isInvalidPath, JSON.stringify(name));
  assert.equal(remote.child('/docs', 'a b.txt'), '/docs/a b.txt');
  assert.equal(remote.child('/', 'a.txt'), '/a.txt');
  assert.equal(remote.resolve('/docs/sub', '../moved.txt'), '/docs/moved.txt');
});

void test('a remote pane is labelled with its session\'s origin, and offers chmod only where the kind can', () => {
  const sftp = createRemoteFs({ description: { origin: 'sftp://bob@files.example.org' }, features: { chmod: true } } as Remote);
  assert.equal(sftp.label('/var/log/../www'), 'sftp://bob@files.example.org/var/www');
  assert.equal(typeof sftp.chmod, 'function');
  const ftp = createRemoteFs({ description: { origin: 'ftp://files.example.org' }, features: { chmod: false } } as Remote);
  assert.equal(ftp.label('/'), 'ftp://files.example.org/');
  assert.equal(ftp.chmod, undefined);
});
