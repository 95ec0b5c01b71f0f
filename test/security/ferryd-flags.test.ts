/**
 * The security and limit flags of the real ferryd binary reach the server:
 * users and the login throttle, the per-address limit, the handshake timeout,
 * and the path and name limits, each tripping with its code and a log line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { checkSecurityFlags, limitsFromFlags, proxyAddressesFromFlag } from '../../src/security/ferryd-options.js';
import { RawClient } from '../server/raw-client.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { handshakeFrom, killHard, makeUsersFile, startFerryd, waitFor } from './helpers.js';

void test('limit flags become server limits (seconds → ms, hours → ms) and bad values are refused', () => {
  assert.deepEqual(limitsFromFlags({ maxConnectionsPerAddress: 3, maxPathLength: 100, maxNameLength: 20, tempMaxAge: 0.5 }),
    { maxConnectionsPerAddress: 3, maxPathLength: 100, maxNameLength: 20, tempMaxAgeMs: 1_800_000 });
  assert.throws(() => limitsFromFlags({ maxConnectionsPerAddress: 0 }), /positive whole number/);
  assert.throws(() => limitsFromFlags({ maxFrame: 1000 }), /65536/);
  assert.throws(() => limitsFromFlags({ tempMaxAge: -1 }), /positive/);
  assert.deepEqual(limitsFromFlags({ stallTimeout: 2.5 }), { stallTimeoutMs: 2500 });
  // Both spellings of the per-address limit reach the server.
  assert.deepEqual(limitsFromFlags({ maxPerAddress: 150 }), { maxConnectionsPerAddress: 150 });
  assert.deepEqual(limitsFromFlags({ maxConnectionsPerAddress: 3 }), { maxConnectionsPerAddress: 3 });
  assert.throws(() => limitsFromFlags({ maxPerAddress: 0 }), /--max-per-address/);
  assert.throws(() => limitsFromFlags({ stallTimeout: 0 }), /--stall-timeout must be a positive number of seconds/);
});

void test('--proxy-protocol-from takes IP addresses separated by commas, and nothing else', () => {
  assert.deepEqual(proxyAddressesFromFlag(undefined), []);
  assert.deepEqual(proxyAddressesFromFlag('10.0.0.2, ::1,127.0.0.3'), ['10.0.0.2', '::1', '127.0.0.3']);
  for (const bad of ['', 'haproxy.local', '10.0.0.0/8', '10.0.0.2,', '10.0.0.256']) {
    assert.throws(() => checkSecurityFlags({ proxyProtocolFrom: bad }), /--proxy-protocol-from takes IP addresses/, bad);
  }
});

void test('ferryd binary: users, login blocking, per-address, handshake, path and name limits from flags', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-flags-');
  const root = path.join(dir, 'root');
  await fs.mkdir(root);
  const usersFile = await makeUsersFile(dir, [{ name: 'ada', password: 'ada-password', root }]);
  const ferryd = await startFerryd(root, path.join(dir, 'config'), [
    '--users', usersFile, '--max-per-address', '2', '--handshake-timeout', '0.5',
    '--max-path-length', '100', '--max-name-length', '20', '--login-max-failures', '2', '--login-block', '600',
  ]);
  t.after(() => killHard(ferryd));
  const login = { authMethod: 'password', user: 'ada', secret: 'ada-password' };

  // No anonymous access once users exist.
  const anonymous = await handshakeFrom(ferryd.port, '127.0.0.2', {});
  assert.ok(anonymous.op === 'FAIL' && anonymous.code === ErrorCode.AUTH, JSON.stringify(anonymous));

  const client = await RawClient.connect(ferryd.port);
  assert.equal((await client.handshake(login)).op, 'CONN');
  const longName = await client.request({ op: 'STAT', id: 5, path: 'n'.repeat(21) });
  assert.ok(longName.op === 'FAIL' && longName.code === ErrorCode.INVALID_PATH, JSON.stringify(longName));
  const longPath = await client.request({ op: 'STAT', id: 6, path: 'abcdefghij/'.repeat(10) + 'x' });
  assert.ok(longPath.op === 'FAIL' && longPath.code === ErrorCode.INVALID_PATH, JSON.stringify(longPath));

  const silent = await RawClient.connect(ferryd.port);
  const third = await handshakeFrom(ferryd.port, '127.0.0.1', login);
  assert.ok(third.op === 'FAIL' && third.code === ErrorCode.LIMIT, `third connection from one address: ${JSON.stringify(third)}`);
  const timeout = await silent.next(undefined, 5000);
  assert.ok(timeout.op === 'FAIL' && timeout.code === ErrorCode.TIMEOUT, JSON.stringify(timeout));
  await client.quit();

  for (const guess of ['guess-1', 'guess-2']) {
    const reply = await handshakeFrom(ferryd.port, '127.0.0.3', { ...login, secret: guess });
    assert.ok(reply.op === 'FAIL' && reply.code === ErrorCode.AUTH, JSON.stringify(reply));
  }
  const blocked = await handshakeFrom(ferryd.port, '127.0.0.3', login);
  assert.ok(blocked.op === 'FAIL' && blocked.code === ErrorCode.LIMIT, JSON.stringify(blocked));

  await waitFor(() => /address blocked/.test(ferryd.output()), 'the block to be logged');
  for (const line of ['per-address connection limit reached', 'handshake timeout', 'address blocked after repeated failed logins', 'login failed']) {
    assert.ok(ferryd.output().includes(line), `log line "${line}" missing`);
  }
});
