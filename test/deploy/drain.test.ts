/**
 * The Ferry-level health check of docs/DEPLOY.md and SIGTERM draining: a
 * draining instance answers new sessions FAIL LIMIT, HAProxy's check marks it
 * DOWN and sends new sessions to the others, and the transfer already
 * running on it finishes before the process exits cleanly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryClient } from '../../src/client/client.js';
import { decodeClientMessage, FrameDecoder } from '../../src/protocol/codec.js';
import { HANDSHAKE_MAX_FRAME } from '../../src/protocol/constants.js';
import { addUser, usersFilePath } from '../../src/security/users.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { codeNameOf, RawClient, sha256 } from '../server/raw-client.js';
import { startCluster, type Cluster } from './cluster.js';
import { deployGuideConfig } from '../helpers/haproxy.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';

/** Skipped with a message without HAProxy; under CI=true, failing instead. */
const haproxyMissing = skipUnlessInstalled('haproxy');

const tempFolder = tempFolderMaker();
const USER = { user: 'ops', password: 'drain me gently' };
let cluster: Cluster;

before(async () => {
  if (haproxyMissing) return;
  const dir = await tempFolder('ferry-drain-');
  // Accounts only: the health check's anonymous CONN is answered FAIL AUTH, which the check counts as up.
  await fs.mkdir(path.join(dir, 'root'));
  await addUser(usersFilePath(path.join(dir, 'config')), { name: USER.user, password: USER.password, root: path.join(dir, 'root') });
  cluster = await startCluster(dir, 3, ['--drain', '10', '--grace', '20']);
});

after(async () => {
  // Undefined when HAProxy is missing or the start failed.
  await (cluster as Cluster | undefined)?.stop();
});

void test('the guide\'s health check sends an anonymous CONN frame', { skip: haproxyMissing }, async () => {
  const config = await deployGuideConfig();
  const hex = /tcp-check send-binary ([0-9a-f]+)/.exec(config)?.[1];
  assert.ok(hex !== undefined);
  const frames = new FrameDecoder(HANDSHAKE_MAX_FRAME).push(Buffer.from(hex, 'hex'));
  assert.equal(frames.length, 1);
  const message = decodeClientMessage(frames[0]!);
  assert.equal(message.op, 'CONN');
  assert.ok(message.op === 'CONN' && message.authMethod === 'none' && message.minVersion === 1);
});

void test('SIGTERM drains: HAProxy marks the instance DOWN and sends new sessions elsewhere while its running upload finishes', { skip: haproxyMissing }, async () => {
  const [draining] = cluster.instances;
  const content = randomBytes(2_000_000);
  const upload = await RawClient.open(draining!.port, { authMethod: 'password', user: USER.user, secret: USER.password });
  upload.send({ op: 'UPLD', id: 4, path: 'during-drain.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
  const open = await upload.nextFor(4);
  assert.equal(open.op, 'OPEN');
  assert.ok(open.op === 'OPEN' && open.window >= 500_000);
  upload.send({ op: 'DATA', id: 4, offset: 0, data: content.subarray(0, 500_000) });
  for (let written = 0; written < 500_000;) {
    const wind = await upload.nextFor(4);
    assert.equal(wind.op, 'WIND');
    if (wind.op === 'WIND') written += wind.increment;
  }

  draining!.child.kill('SIGTERM');
  // The instance still listens but takes no new session, whoever asks.
  for (;;) {
    const probe = await RawClient.connect(draining!.port);
    const reply = await probe.handshake({ authMethod: 'password', user: USER.user, secret: USER.password });
    probe.destroy();
    if (reply.op === 'FAIL') {
      assert.equal(codeNameOf(reply), 'LIMIT');
      break;
    }
    await sleep(50);
  }
  await cluster.haproxy.waitForState('ferryd-1', 'DOWN');
  const before = (await cluster.haproxy.serverStates()).get('ferryd-1')!.sessions;
  for (let i = 0; i < 6; i++) {
    const client = await FerryClient.connect({ host: '127.0.0.1', port: cluster.haproxy.port, tls: 'off', ...USER });
    await client.list('/');
    await client.quit();
  }
  assert.equal((await cluster.haproxy.serverStates()).get('ferryd-1')!.sessions, before, 'HAProxy still sent sessions to the draining instance');

  // The upload that was running goes on to the end.
  await upload.sendContent(4, content, 500_000, open.window);
  upload.send({ op: 'HASH', id: 4, hash: sha256(content) });
  assert.equal(codeNameOf(await upload.next((msg) => msg.id === 4 && msg.op !== 'WIND', 30_000)), 'DONE');
  await upload.quit();
  assert.deepEqual(sha256(await fs.readFile(path.join(cluster.root, 'during-drain.bin'))), sha256(content));
  assert.deepEqual(await draining!.exited, { code: 0, signal: null }, draining!.stderr());
});

void test('a hung instance, whose kernel still accepts connections, fails the check and comes back when it runs again', { skip: haproxyMissing }, async () => {
  const hung = cluster.instances[1]!;
  hung.child.kill('SIGSTOP');
  try {
    await cluster.haproxy.waitForState('ferryd-2', 'DOWN');
  } finally {
    hung.child.kill('SIGCONT');
  }
  await cluster.haproxy.waitForState('ferryd-2', 'UP');
  const client = await FerryClient.connect({ host: '127.0.0.1', port: hung.port, tls: 'off', ...USER });
  await client.quit();
});
