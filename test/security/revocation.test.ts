/**
 * A users file change reaches open sessions: a removed user's session ends
 * with FAIL AUTH id 0, a user made read-only gets PERMISSION for writes from
 * then on, and other sessions go on untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { createAuthenticator } from '../../src/security/authenticator.js';
import { reviewAccount, watchUsersFile } from '../../src/security/revocation.js';
import { addUser, removeUser, UsersFileCache, type UserRecord } from '../../src/security/users.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from '../server/raw-client.js';
import path from 'node:path';
import { CHEAP_SCRYPT, killHard, makeUsersFile, startFerryd, tempDir, waitFor } from './helpers.js';

const record = (name: string, root: string, readOnly: boolean): UserRecord => ({
  name, root, readOnly, password: { algorithm: 'scrypt', N: 1024, r: 8, p: 1, salt: '', hash: '' },
});

void test('reviewAccount: removed or moved → revoked, made read-only → read-only, anonymous and unchanged → keep', () => {
  const users = [record('ada', '/srv/ada', true), record('bob', '/srv/bob', false)];
  assert.equal(reviewAccount({ user: 'cy', root: '/srv/cy', readOnly: false }, users), 'revoked');
  assert.equal(reviewAccount({ user: 'bob', root: '/srv/other', readOnly: false }, users), 'revoked');
  assert.equal(reviewAccount({ user: 'ada', root: '/srv/ada', readOnly: false }, users), 'read-only');
  assert.equal(reviewAccount({ user: 'ada', root: '/srv/ada', readOnly: true }, users), 'keep');
  assert.equal(reviewAccount({ user: 'bob', root: '/srv/bob', readOnly: false }, users), 'keep');
  assert.equal(reviewAccount({ user: '', root: '/srv/anon', readOnly: false }, users), 'keep');
});

void test('removing a user ends their open session; making one read-only refuses their writes from then on', async (t) => {
  const dir = await tempDir(t, 'ferry-revoke-');
  const usersFile = await makeUsersFile(dir, [
    { name: 'ada', password: 'ada password', root: dir },
    { name: 'bob', password: 'bob password', root: dir },
    { name: 'cy', password: 'cy password', root: dir },
  ]);
  const users = new UsersFileCache(usersFile);
  const srv = await startTestServer({ root: dir, authenticate: createAuthenticator({ users }) });
  t.after(() => srv.cleanup());
  const stop = watchUsersFile(users, (current) => srv.server.reviewSessions((account) => reviewAccount(account, current)), { intervalMs: 50 });
  t.after(stop);

  const open = async (user: string): Promise<RawClient> => {
    const client = await RawClient.connect(srv.port);
    t.after(() => client.destroy());
    const reply = await client.handshake({ authMethod: 'password', user, secret: `${user} password` });
    assert.equal(reply.op, 'CONN', JSON.stringify(reply));
    return client;
  };
  const [ada, bob, cy] = [await open('ada'), await open('bob'), await open('cy')];
  let made = 0;
  const mkdir = (client: RawClient): Promise<ServerMessage> => client.request({ op: 'MKDR', id: client.id(), path: `folder-${made++}`, flags: 0 });
  assert.equal((await mkdir(ada)).op, 'DONE');

  await removeUser(usersFile, 'bob');
  await addUser(usersFile, { name: 'ada', password: 'ada password', root: dir, readOnly: true, replace: true, scrypt: CHEAP_SCRYPT });

  const ended = await bob.next(undefined, 10_000);
  assert.ok(ended.op === 'FAIL' && ended.code === ErrorCode.AUTH && ended.id === 0, JSON.stringify(ended));
  await bob.closed;
  await waitFor(async () => {
    const reply = await mkdir(ada);
    return reply.op === 'FAIL' && reply.code === ErrorCode.PERMISSION;
  }, 'ada\'s writes refused');
  assert.equal((await ada.list('')).entries.length > 0, true, 'ada still reads');
  assert.equal((await mkdir(cy)).op, 'DONE', 'cy is untouched');
});

void test('the ferryd binary watches its users file: removing a user ends their session', async (t) => {
  const dir = await tempDir(t, 'ferry-revoke-bin-');
  const configDir = path.join(dir, 'config');
  const usersFile = await makeUsersFile(configDir, [{ name: 'dee', password: 'dee password', root: dir }]);
  const ferryd = await startFerryd(dir, configDir);
  t.after(() => killHard(ferryd));
  const client = await RawClient.connect(ferryd.port);
  t.after(() => client.destroy());
  assert.equal((await client.handshake({ authMethod: 'password', user: 'dee', secret: 'dee password' })).op, 'CONN');
  await removeUser(usersFile, 'dee');
  const ended = await client.next(undefined, 15_000);
  assert.ok(ended.op === 'FAIL' && ended.code === ErrorCode.AUTH && ended.id === 0, JSON.stringify(ended));
});
