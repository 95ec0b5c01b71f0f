import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError } from '../../src/tui/describe-error.js';
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

void test('a lost connection is described by its reason alone, so "connection lost: …" around it says it once', () => {
  const idle = new FerryError(ErrorCode.CONNECTION_LOST, 'the server closed the connection: TIMEOUT: idle for 300000 ms');
  assert.equal(describeError(idle), 'the server closed the connection: TIMEOUT: idle for 300000 ms');
  assert.equal(`connection lost: ${describeError(idle)}`.match(/connection lost/g)?.length, 1);
  assert.equal(describeError(new FerryError(ErrorCode.CONNECTION_LOST, '')), 'the connection dropped');
});
