/**
 * Anonymous access of the real ferryd binary: `ferryd --root DIR` on loopback
 * with no users serves anonymously and warns about it at start; the first
 * `ferryd user add` on the running server ends it without a restart; and an
 * address blocked for failed logins cannot log in anonymously either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '../../src/protocol/errors.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { handshakeFrom, killHard, makeUsersFile, startFerryd } from './helpers.js';

const FERRYD = fileURLToPath(new URL('../../src/bin/ferryd.js', import.meta.url));

/** Runs `ferryd user …` to its end; resolves with its exit code and stderr. */
function ferrydUser(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [FERRYD, 'user', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

void test('ferryd --root DIR without users: anonymous with a loud warning, until `ferryd user add` on the running server', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-anon-');
  const root = path.join(dir, 'root');
  const configDir = path.join(dir, 'config');
  await fs.mkdir(root);
  const ferryd = await startFerryd(root, configDir);
  t.after(() => killHard(ferryd));
  const warning = ferryd.output().split('\n').find((line) => line.includes('ANONYMOUS ACCESS'));
  assert.ok(warning, `the start-up log warns about anonymous access:\n${ferryd.output()}`);
  assert.equal((JSON.parse(warning) as { level: string }).level, 'warn');

  assert.equal((await handshakeFrom(ferryd.port, '127.0.0.1', {})).op, 'CONN', 'anonymous works out of the box');
  const added = await ferrydUser(['add', 'ada', '--root', root, '--config-dir', configDir], { FERRY_PASSWORD: 'ada-password' });
  assert.equal(added.code, 0, added.stderr);

  const anonymous = await handshakeFrom(ferryd.port, '127.0.0.1', {});
  assert.ok(anonymous.op === 'FAIL' && anonymous.code === ErrorCode.AUTH, `anonymous after user add: ${JSON.stringify(anonymous)}`);
  const ada = await handshakeFrom(ferryd.port, '127.0.0.1', { authMethod: 'password', user: 'ada', secret: 'ada-password' });
  assert.ok(ada.op === 'CONN' && ada.user === 'ada', JSON.stringify(ada));
  assert.match(ferryd.output(), /anonymous access is now off/);
});

void test('an address blocked after failed logins gets LIMIT for an anonymous CONN too', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-anon-block-');
  const root = path.join(dir, 'root');
  await fs.mkdir(root);
  const usersFile = await makeUsersFile(dir, [{ name: 'ada', password: 'ada-password', root }]);
  const ferryd = await startFerryd(root, path.join(dir, 'config'), [
    '--users', usersFile, '--anonymous', '--login-max-failures', '2', '--login-block', '600',
  ]);
  t.after(() => killHard(ferryd));
  assert.equal((await handshakeFrom(ferryd.port, '127.0.0.5', {})).op, 'CONN', '--anonymous beside users');
  for (const guess of ['guess-1', 'guess-2']) {
    const reply = await handshakeFrom(ferryd.port, '127.0.0.5', { authMethod: 'password', user: 'ada', secret: guess });
    assert.ok(reply.op === 'FAIL' && reply.code === ErrorCode.AUTH, JSON.stringify(reply));
  }
  const blocked = await handshakeFrom(ferryd.port, '127.0.0.5', {});
  assert.ok(blocked.op === 'FAIL' && blocked.code === ErrorCode.LIMIT && /try again/.test(blocked.message), JSON.stringify(blocked));
  assert.equal((await handshakeFrom(ferryd.port, '127.0.0.6', {})).op, 'CONN', 'other addresses are not affected');
});
