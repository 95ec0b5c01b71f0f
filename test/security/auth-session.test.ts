/**
 * Authentication through real sessions: ferryd (startServer) with the users
 * file authenticator, spoken to at the frame level.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { createAuthenticator, LOGIN_FAILED_MESSAGE } from '../../src/security/authenticator.js';
import { LoginThrottle } from '../../src/security/login-throttle.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from '../server/raw-client.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { handshakeFrom, makeUsersFile, recordingLogger } from './helpers.js';

const password = (user: string, secret: string) => ({ authMethod: 'password', user, secret });

void test('users log in to their own root with their own permission; others get the same AUTH failure', async (t) => {
  const dir = await tempFolderFor(t);
  const adaRoot = path.join(dir, 'ada');
  const readerRoot = path.join(dir, 'reader');
  await fs.mkdir(adaRoot);
  await fs.mkdir(readerRoot);
  await fs.writeFile(path.join(adaRoot, 'ada.txt'), 'ada');
  await fs.writeFile(path.join(readerRoot, 'shared.txt'), 'shared');
  const usersFile = await makeUsersFile(dir, [
    { name: 'ada', password: 'ada-password', root: adaRoot },
    { name: 'reader', password: 'reader-password', root: readerRoot, readOnly: true },
  ]);
  const authenticate = createAuthenticator({ usersFile, throttle: new LoginThrottle({ baseDelayMs: 1, maxDelayMs: 2, maxFailures: 100 }) });
  const served = await startTestServer({ authenticate });
  t.after(() => served.cleanup());

  const ada = await RawClient.connect(served.port);
  const adaReply = await ada.handshake(password('ada', 'ada-password'));
  assert.ok(adaReply.op === 'CONN' && adaReply.user === 'ada' && (adaReply.flags & 1) === 0);
  assert.deepEqual((await ada.list('')).entries.map((e) => e.name), ['ada.txt']);
  await ada.quit();

  const reader = await RawClient.connect(served.port);
  const readerReply = await reader.handshake(password('reader', 'reader-password'));
  assert.ok(readerReply.op === 'CONN' && (readerReply.flags & 1) === 1, 'read-only flag in the CONN reply');
  const upload = await reader.upload('new.txt', Buffer.from('x'));
  assert.ok(upload.op === 'FAIL' && upload.code === ErrorCode.PERMISSION, JSON.stringify(upload));
  assert.deepEqual((await reader.list('')).entries.map((e) => e.name), ['shared.txt']);
  await reader.quit();

  const failures = [];
  for (const conn of [password('ada', 'wrong-password'), password('nobody', 'ada-password'), password('', ''), { authMethod: 'none' }]) {
    const client = await RawClient.connect(served.port);
    failures.push(await client.handshake(conn));
    await client.closed;
  }
  for (const reply of failures) assert.ok(reply.op === 'FAIL' && reply.code === ErrorCode.AUTH, JSON.stringify(reply));
  assert.ok(failures[0]!.op === 'FAIL' && failures[1]!.op === 'FAIL' && failures[0]!.message === LOGIN_FAILED_MESSAGE && failures[1]!.message === LOGIN_FAILED_MESSAGE,
    'unknown user and wrong password are indistinguishable');
});

void test('nothing is served before authentication: a request before or during CONN closes the connection with AUTH', async (t) => {
  const dir = await tempFolderFor(t);
  const usersFile = await makeUsersFile(dir, [{ name: 'ada', password: 'ada-password', root: dir }]);
  const served = await startTestServer({ authenticate: createAuthenticator({ usersFile }) });
  t.after(() => served.cleanup());

  const early = await RawClient.connect(served.port);
  early.send({ op: 'LIST', id: 5, path: '', flags: 0 });
  const refused = await early.next();
  assert.ok(refused.op === 'FAIL' && refused.code === ErrorCode.AUTH && refused.id === 0, JSON.stringify(refused));
  await early.closed;

  const eager = await RawClient.connect(served.port);
  eager.send({
    op: 'CONN', id: 1, minVersion: 1, maxVersion: 1, maxFrame: 65536, capabilities: [], authMethod: 'password', user: 'ada', secret: 'ada-password', clientName: 't',
  });
  eager.send({ op: 'DWLD', id: 2, path: 'users.json', offset: 0, prefixHash: Buffer.alloc(0), window: 65536 });
  const frames = [];
  for (;;) {
    try {
      frames.push(await eager.next(undefined, 5000));
    } catch {
      break;
    }
  }
  assert.ok(frames.some((f) => f.op === 'FAIL' && f.code === ErrorCode.AUTH), JSON.stringify(frames));
  assert.ok(!frames.some((f) => f.op === 'OPEN' || f.op === 'DATA'), 'no file content before the CONN reply');
  await eager.closed;
});

void test('brute force: failures are answered later and later, then the address is blocked (LIMIT, logged); other addresses still log in', async (t) => {
  const dir = await tempFolderFor(t);
  const usersFile = await makeUsersFile(dir, [{ name: 'ada', password: 'ada-password', root: dir }]);
  const log = recordingLogger();
  const throttle = new LoginThrottle({ maxFailures: 4, windowMs: 60_000, blockMs: 60_000, baseDelayMs: 20, maxDelayMs: 1000 });
  const served = await startTestServer({ authenticate: createAuthenticator({ usersFile, throttle, log }), logger: log });
  t.after(() => served.cleanup());

  const attacker = '127.0.0.2';
  const replies = [];
  for (let i = 0; i < 6; i += 1) replies.push(await handshakeFrom(served.port, attacker, password('ada', `guess-${i}`)));
  const codes = replies.map((r) => (r.op === 'FAIL' ? r.code : r.op));
  assert.deepEqual(codes, [ErrorCode.AUTH, ErrorCode.AUTH, ErrorCode.AUTH, ErrorCode.AUTH, ErrorCode.LIMIT, ErrorCode.LIMIT]);
  const delays = log.lines.filter((l) => l.message === 'login failed').map((l) => l.fields.delayMs);
  assert.deepEqual(delays, [20, 40, 80, 160], 'each failure waits twice as long as the one before');
  assert.ok(log.lines.some((l) => l.level === 'warn' && /blocked/.test(l.message) && l.fields.remote === attacker), 'the block is logged');

  // The right password from the blocked address is refused too: the block is on the address.
  const blocked = await handshakeFrom(served.port, attacker, password('ada', 'ada-password'));
  assert.ok(blocked.op === 'FAIL' && blocked.code === ErrorCode.LIMIT && /try again/.test(blocked.message));
  const elsewhere = await handshakeFrom(served.port, '127.0.0.3', password('ada', 'ada-password'));
  assert.ok(elsewhere.op === 'CONN' && elsewhere.user === 'ada');

  // Parallel guessing buys nothing: at most maxFailures attempts are checked per window.
  const parallel = await Promise.all(Array.from({ length: 12 }, (_, i) => handshakeFrom(served.port, '127.0.0.4', password('ada', `p-${i}`))));
  const checked = parallel.filter((r) => r.op === 'FAIL' && r.code === ErrorCode.AUTH).length;
  const limited = parallel.filter((r) => r.op === 'FAIL' && r.code === ErrorCode.LIMIT).length;
  assert.equal(checked, 4);
  assert.equal(limited, 8);
});
