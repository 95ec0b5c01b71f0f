import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runUserCommand } from '../../src/security/user-command.js';
import { loadUsers } from '../../src/security/users.js';
import { verifyPassword } from '../../src/security/password.js';

function io(stdinText: string, env: NodeJS.ProcessEnv = {}) {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => { const s = new PassThrough(); s.on('data', (c: Buffer) => into.push(c.toString())); return s; };
  return { io: { stdin, prompt: sink(err), env, stdout: sink(out), stderr: sink(err) }, out, err };
}

void test('ferryd user add reads the password from stdin or FERRY_PASSWORD; list; remove', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-usercmd-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const usersFile = path.join(dir, 'users.json');
  const piped = io('piped-password\nignored\n');
  assert.equal(await runUserCommand(['add', 'ada'], { usersFile, root: dir }, piped.io), 0, piped.err.join(''));
  const fromEnv = io('', { FERRY_PASSWORD: 'env-password' });
  assert.equal(await runUserCommand(['add', 'bob'], { usersFile, root: dir, readOnly: true }, fromEnv.io), 0);
  const users = (await loadUsers(usersFile)).users;
  assert.equal(await verifyPassword('piped-password', users[0]!.password), true);
  assert.equal(await verifyPassword('env-password', users[1]!.password), true);

  const listed = io('');
  assert.equal(await runUserCommand(['list'], { usersFile }, listed.io), 0);
  assert.equal(listed.out.join(''), `ada\tread-write\t${dir}\nbob\tread-only\t${dir}\n`);
  assert.equal(await runUserCommand(['remove', 'ada'], { usersFile }, io('').io), 0);
  const missing = io('');
  assert.equal(await runUserCommand(['remove', 'ada'], { usersFile }, missing.io), 1);
  assert.match(missing.err.join(''), /no user ada/);
  assert.equal(await runUserCommand(['add', 'x'], { usersFile }, io('').io), 2, '--root is required');
  assert.equal(await runUserCommand(['frobnicate'], { usersFile }, io('').io), 2);
  const short = io('short\n');
  assert.equal(await runUserCommand(['add', 'carl'], { usersFile, root: dir }, short.io), 1);
  assert.match(short.err.join(''), /at least 8/);
});
