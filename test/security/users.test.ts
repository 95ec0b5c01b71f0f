import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { hashPassword, verifyPassword } from '../../src/security/password.js';
import { addUser, listUsers, loadUsers, removeUser } from '../../src/security/users.js';
import { tempFolderFor } from '../helpers/temp-folders.js';

/** Cheap scrypt cost so the tests stay fast; the format records it per user. */
const CHEAP = { N: 1024, r: 8, p: 1 };

void test('password hashes verify the right password only, with a fresh salt each time', async () => {
  const a = await hashPassword('correct horse', CHEAP);
  const b = await hashPassword('correct horse', CHEAP);
  assert.notEqual(a.salt, b.salt);
  assert.notEqual(a.hash, b.hash);
  assert.deepEqual({ N: a.N, r: a.r, p: a.p, algorithm: a.algorithm }, { ...CHEAP, algorithm: 'scrypt' });
  assert.equal(await verifyPassword('correct horse', a), true);
  assert.equal(await verifyPassword('correct horsf', a), false);
  assert.equal(await verifyPassword('', a), false);
  assert.equal(await verifyPassword('x'.repeat(5000), a), false);
});

void test('users file: add, list, remove; 0600, no plaintext, atomic (no temp files left)', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-users-');
  const file = path.join(dir, 'conf', 'users.json');
  const root = path.join(dir, 'ada-root');
  await fs.mkdir(root);
  const password = 'pässword-ADA-1';
  await addUser(file, { name: 'ada', password, root, scrypt: CHEAP });
  await addUser(file, { name: 'bob', password: 'bobs-password', root, readOnly: true, scrypt: CHEAP });

  const text = await fs.readFile(file, 'utf8');
  assert.ok(!text.includes(password) && !text.includes('bobs-password'), 'no plaintext password on disk');
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  assert.deepEqual(await fs.readdir(path.dirname(file)), ['users.json']);
  assert.deepEqual(await listUsers(file), [
    { name: 'ada', root, readOnly: false },
    { name: 'bob', root, readOnly: true },
  ]);
  const stored = (await loadUsers(file)).users[0]!;
  assert.equal(await verifyPassword(password, stored.password), true);

  await assert.rejects(addUser(file, { name: 'ada', password, root, scrypt: CHEAP }), (e: FerryError) => e.code === ErrorCode.EXISTS);
  await addUser(file, { name: 'ada', password: 'new-password', root, replace: true, scrypt: CHEAP });
  assert.equal(await verifyPassword('new-password', (await loadUsers(file)).users[0]!.password), true);

  await removeUser(file, 'ada');
  assert.deepEqual((await listUsers(file)).map((u) => u.name), ['bob']);
  await assert.rejects(removeUser(file, 'ada'), (e: FerryError) => e.code === ErrorCode.NOT_FOUND);
});

void test('users file refuses bad names, short passwords, missing roots, and malformed files', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-users-');
  const file = path.join(dir, 'users.json');
  for (const name of ['', '-rf', 'a b', 'x'.repeat(65), 'é', '../x']) {
    await assert.rejects(addUser(file, { name, password: 'long-enough', root: dir, scrypt: CHEAP }), FerryError, name);
  }
  await assert.rejects(addUser(file, { name: 'ada', password: 'short', root: dir, scrypt: CHEAP }), /at least 8/);
  await assert.rejects(addUser(file, { name: 'ada', password: 'long-enough', root: path.join(dir, 'nope'), scrypt: CHEAP }), /create it first/);

  await fs.writeFile(file, '{"version":1,"users":[{"name":"ada","root":"rel","readOnly":false,"password":{}}]}');
  await assert.rejects(loadUsers(file), /root must be an absolute path/);
  await fs.writeFile(file, 'not json');
  await assert.rejects(loadUsers(file), /not valid JSON/);
  const hostile = { algorithm: 'scrypt', N: 2 ** 30, r: 8, p: 1, salt: 'AAAAAAAAAAAAAAAAAAAAAA==', hash: 'AAAAAAAAAAAAAAAAAAAAAA==' };
  await fs.writeFile(file, JSON.stringify({ version: 1, users: [{ name: 'ada', root: '/', readOnly: false, password: hostile }] }));
  await assert.rejects(loadUsers(file), /power of two/);
});
