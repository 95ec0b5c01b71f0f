import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, describeErrorAt } from '../../src/tui/describe-error.js';
import { localError } from '../../src/tui/fs/local-fs.js';
import { fitMessage } from '../../src/tui/cells.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { LOGIN_FAILED_MESSAGE } from '../../src/security/authenticator.js';

void test('an AUTH refusal shows the server\'s reason; only a failed login reads "wrong user or password"', () => {
  assert.equal(describeError(new FerryError(ErrorCode.AUTH, LOGIN_FAILED_MESSAGE)), 'wrong user or password');
  assert.equal(
    describeError(new FerryError(ErrorCode.AUTH, 'this server needs a user name and password')),
    'login refused: this server needs a user name and password',
  );
  assert.equal(describeError(new FerryError(ErrorCode.AUTH, 'plain TCP not allowed; use TLS')), 'login refused: plain TCP not allowed; use TLS');
  assert.equal(describeError(new FerryError(ErrorCode.AUTH, '')), 'login refused');
  for (const message of ['this server needs a user name and password', 'plain TCP not allowed; use TLS']) {
    assert.doesNotMatch(describeError(new FerryError(ErrorCode.AUTH, message)), /wrong user or password/);
  }
});

void test('other codes keep their words', () => {
  assert.equal(describeError(new FerryError(ErrorCode.PERMISSION, 'read-only session')), 'permission denied: read-only session');
  assert.equal(describeError(new FerryError(ErrorCode.NOT_FOUND, '')), 'not found');
});

void test('"wrong user or password" comes from the protocol\'s fixed message with code AUTH only, not from similar words', () => {
  assert.equal(
    describeError(new FerryError(ErrorCode.AUTH, 'too many attempts with a wrong user or password')),
    'login refused: too many attempts with a wrong user or password',
  );
  assert.equal(describeError(new FerryError(ErrorCode.LIMIT, LOGIN_FAILED_MESSAGE)), `server limit reached: ${LOGIN_FAILED_MESSAGE}`);
});

void test('a folder that cannot be listed: the reason first, the path once, and a narrow line cuts the path, not the reason', () => {
  const folder = '/tmp/ferry-demo-x1y2z3/local/perm/locked';
  const denied = Object.assign(new Error(`EACCES: permission denied, scandir '${folder}'`), { code: 'EACCES' });
  const message = describeErrorAt(localError(denied, folder), `local:${folder}`, folder);
  assert.equal(message, `permission denied: local:${folder}`);
  assert.equal(describeErrorAt(new FerryError(ErrorCode.NOT_FOUND, ''), 'host:7070:/gone', '/gone'), 'not found: host:7070:/gone');
  // In a pane of 28 cells (60 columns) and a status line of 40.
  assert.equal(fitMessage(message, 28), 'permission denied: loca~cked');
  assert.equal(fitMessage(message, 40), 'permission denied: local:/tmp~erm/locked');
});

void test('fitMessage: exactly the width; a reason too long to leave room for the path is cut at its end', () => {
  const table: [text: string, width: number, shown: string][] = [
    ['not found: /a', 20, 'not found: /a       '],
    ['permission denied: /very/long/path/to/file.txt', 30, 'permission denied: /very~e.txt'],
    ['a reason without any path that is long', 20, 'a reason without an~'],
    ['permission denied: /very/long/path/to/file.txt', 24, 'permission denied: /ver~'],
    ['bad\x1b[31m: /x/y/z/aaaaaaaaaa/bbbbbbbbbb', 20, 'bad?[31m: /x/y/~bbbb'],
    ['1 transfer finished: 0 done, 1 skipped', 29, '1 transfer finished: 0 done,~'],
  ];
  for (const [text, width, shown] of table) assert.equal(fitMessage(text, width), shown, `${JSON.stringify(text)} in ${width}`);
});

void test('a lost connection is described by its reason alone, so "connection lost: …" around it says it once', () => {
  const idle = new FerryError(ErrorCode.CONNECTION_LOST, 'the server closed the connection: TIMEOUT: idle for 300000 ms');
  assert.equal(describeError(idle), 'the server closed the connection: TIMEOUT: idle for 300000 ms');
  assert.equal(`connection lost: ${describeError(idle)}`.match(/connection lost/g)?.length, 1);
  assert.equal(describeError(new FerryError(ErrorCode.CONNECTION_LOST, '')), 'the connection dropped');
});
