import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { createAuthenticator, LOGIN_FAILED_MESSAGE } from '../../src/security/authenticator.js';
import { LoginThrottle } from '../../src/security/login-throttle.js';
import { addUser } from '../../src/security/users.js';

const CHEAP = { N: 1024, r: 8, p: 1 };

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{ dir: string; file: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-auth-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'users.json');
  await addUser(file, { name: 'ada', password: 'ada-password', root: dir, scrypt: CHEAP });
  await addUser(file, { name: 'reader', password: 'reader-password', root: os.tmpdir(), readOnly: true, scrypt: CHEAP });
  return { dir, file };
}

const attempt = (user: string, secret: string, remoteAddress = '10.1.1.1') => ({ method: 'password', user, secret, remoteAddress });

void test('right password → the user\'s root and permission; unknown user and wrong password fail alike', async (t) => {
  const { dir, file } = await setup(t);
  const authenticate = createAuthenticator({ usersFile: file, throttle: new LoginThrottle({ baseDelayMs: 0 }) });
  assert.deepEqual(await authenticate(attempt('ada', 'ada-password')), { user: 'ada', root: dir, readOnly: false });
  assert.deepEqual(await authenticate(attempt('reader', 'reader-password')), { user: 'reader', root: os.tmpdir(), readOnly: true });
  const wrong = await authenticate(attempt('ada', 'nope-nope')).catch((e: unknown) => e);
  const unknown = await authenticate(attempt('nobody', 'ada-password')).catch((e: unknown) => e);
  for (const error of [wrong, unknown]) {
    assert.ok(error instanceof FerryError);
    assert.equal(error.code, ErrorCode.AUTH);
    assert.equal(error.message, LOGIN_FAILED_MESSAGE);
  }
});

void test('anonymous only when enabled; unknown methods refused', async (t) => {
  const { file } = await setup(t);
  const closed = createAuthenticator({ usersFile: file });
  await assert.rejects(closed({ method: 'none', user: '', secret: '', remoteAddress: '::1' }), (e: FerryError) => e.code === ErrorCode.AUTH);
  await assert.rejects(closed({ method: 'kerberos', user: 'ada', secret: '', remoteAddress: '::1' }), (e: FerryError) => e.code === ErrorCode.AUTH);
  const open = createAuthenticator({ usersFile: file, anonymous: { root: '/srv', readOnly: true } });
  assert.deepEqual(await open({ method: 'none', user: '', secret: '', remoteAddress: '::1' }), { user: '', root: '/srv', readOnly: true });
});

void test('repeated failures block the address (LIMIT) even for the right password; others still log in', async (t) => {
  const { file } = await setup(t);
  const warnings: string[] = [];
  const log = { info: () => undefined, warn: (message: string) => warnings.push(message) };
  const authenticate = createAuthenticator({ usersFile: file, throttle: new LoginThrottle({ maxFailures: 3, baseDelayMs: 1, maxDelayMs: 4 }), log });
  for (let i = 0; i < 3; i += 1) {
    await assert.rejects(authenticate(attempt('ada', `guess-${i}`)), (e: FerryError) => e.code === ErrorCode.AUTH);
  }
  await assert.rejects(authenticate(attempt('ada', 'ada-password')), (e: FerryError) => e.code === ErrorCode.LIMIT && /try again/.test(e.message));
  assert.ok(warnings.some((w) => /blocked/.test(w)), 'the block is logged');
  assert.equal((await authenticate(attempt('ada', 'ada-password', '10.1.1.2'))).user, 'ada');
});

void test('users added while running are seen without a restart', async (t) => {
  const { dir, file } = await setup(t);
  const authenticate = createAuthenticator({ usersFile: file, throttle: new LoginThrottle({ baseDelayMs: 0 }) });
  await assert.rejects(authenticate(attempt('carol', 'carol-password')));
  await addUser(file, { name: 'carol', password: 'carol-password', root: dir, scrypt: CHEAP });
  assert.equal((await authenticate(attempt('carol', 'carol-password'))).user, 'carol');
});

void test('anonymous access of a server started without users ends when the users file gets its first user, for good', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-auth-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'users.json');
  const warnings: string[] = [];
  const log = { info: () => undefined, warn: (message: string) => warnings.push(message) };
  const authenticate = createAuthenticator({ usersFile: file, anonymous: { root: dir, readOnly: false, untilUsers: true }, log });
  const anonymous = { method: 'none', user: '', secret: '', remoteAddress: '127.0.0.1' };
  assert.deepEqual(await authenticate(anonymous), { user: '', root: dir, readOnly: false });
  await addUser(file, { name: 'ada', password: 'ada-password', root: dir, scrypt: CHEAP });
  await assert.rejects(authenticate(anonymous), (e: FerryError) => e.code === ErrorCode.AUTH);
  assert.ok(warnings.some((w) => /anonymous access is now off/.test(w)), 'the change is logged');
  assert.equal((await authenticate(attempt('ada', 'ada-password'))).user, 'ada');
  // Removing the user again does not reopen anonymous access.
  await fs.writeFile(file, JSON.stringify({ version: 1, users: [] }));
  await assert.rejects(authenticate(anonymous), (e: FerryError) => e.code === ErrorCode.AUTH);

  // --anonymous (no untilUsers) stays on beside users.
  const explicit = createAuthenticator({ usersFile: file, anonymous: { root: dir, readOnly: true } });
  await addUser(file, { name: 'bob', password: 'bob-password', root: dir, scrypt: CHEAP });
  assert.deepEqual(await explicit(anonymous), { user: '', root: dir, readOnly: true });
});

void test('a blocked address gets LIMIT for every method, anonymous included', async (t) => {
  const { dir, file } = await setup(t);
  const authenticate = createAuthenticator({
    usersFile: file, anonymous: { root: dir, readOnly: true }, throttle: new LoginThrottle({ maxFailures: 2, baseDelayMs: 1, maxDelayMs: 2 }),
  });
  for (const guess of ['guess-1', 'guess-2']) {
    await assert.rejects(authenticate(attempt('ada', guess)), (e: FerryError) => e.code === ErrorCode.AUTH);
  }
  const blocked = { user: '', secret: '', remoteAddress: '10.1.1.1' };
  await assert.rejects(authenticate({ ...blocked, method: 'none' }), (e: FerryError) => e.code === ErrorCode.LIMIT && /try again/.test(e.message));
  await assert.rejects(authenticate({ ...blocked, method: 'kerberos' }), (e: FerryError) => e.code === ErrorCode.LIMIT);
  assert.deepEqual(await authenticate({ ...blocked, method: 'none', remoteAddress: '10.1.1.2' }), { user: '', root: dir, readOnly: true });
});
