/**
 * Several ferryd processes on one shared root and config folder behind
 * HAProxy (docs/DEPLOY.md): what one instance does must never hurt another's
 * work. Each property is checked against the instances' own ports, so which
 * instance serves what is known rather than left to the balancer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryClient } from '../../src/client/client.js';
import { ErrorCode, errorCodeName, isFerryError } from '../../src/protocol/errors.js';
import { addUser, removeUser, usersFilePath } from '../../src/security/users.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { codeNameOf, RawClient, sha256 } from '../server/raw-client.js';
import { filesBelow, startCluster, type Cluster } from './cluster.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { startFerryd } from './ferryd-instances.js';

/** Skipped with a message without HAProxy; under CI=true, failing instead. */
const haproxyMissing = skipUnlessInstalled('haproxy');

const tempFolder = tempFolderMaker();
let cluster: Cluster;
let dir: string;

before(async () => {
  if (haproxyMissing) return;
  dir = await tempFolder('ferry-cluster-');
  // --anonymous: anonymous sessions beside the users the tests add and remove.
  cluster = await startCluster(dir, 3, ['--anonymous']);
});

after(async () => {
  // Undefined when HAProxy is missing or the start failed.
  await (cluster as Cluster | undefined)?.stop();
});

const plain = (port: number, extra: { user?: string; password?: string } = {}): Promise<FerryClient> =>
  FerryClient.connect({ host: '127.0.0.1', port, tls: 'off', ...extra });

/** Sends `part` bytes of an upload and waits until the server has written them (its WIND for them). */
async function sendPart(client: RawClient, id: number, content: Buffer, from: number, to: number): Promise<void> {
  client.send({ op: 'DATA', id, offset: from, data: content.subarray(from, to) });
  let granted = 0;
  while (granted < to - from) {
    const msg = await client.nextFor(id);
    assert.equal(msg.op, 'WIND', `expected WIND, got ${JSON.stringify(msg)}`);
    if (msg.op === 'WIND') granted += msg.increment;
  }
}

void test('every instance serves the same TLS certificate, generated once in the shared config folder by instances started together', { skip: haproxyMissing }, async () => {
  const fingerprints: string[] = [];
  for (const instance of cluster.instances) {
    const client = await FerryClient.connect({
      host: '127.0.0.1', port: instance.port, tls: 'require',
      verifyFingerprint: (fingerprint) => {
        fingerprints.push(fingerprint);
        return Promise.resolve(true);
      },
    });
    await client.quit();
  }
  assert.equal(fingerprints.length, 3);
  assert.equal(new Set(fingerprints).size, 1, `fingerprints differ: ${fingerprints.join(' ')}`);
  // Through the balancer too: whichever instance answers, the pinned fingerprint holds.
  for (let i = 0; i < 3; i++) {
    const client = await FerryClient.connect({
      host: '127.0.0.1', port: cluster.haproxy.port, tls: 'require',
      verifyFingerprint: (fingerprint) => Promise.resolve(fingerprint === fingerprints[0]),
    });
    await client.quit();
  }
});

void test('a users-file change reaches every instance without a restart', { skip: haproxyMissing }, async () => {
  const usersFile = usersFilePath(cluster.configDir);
  const login = async (port: number): Promise<string> => {
    try {
      const client = await plain(port, { user: 'mira', password: 'correct horse battery' });
      const user = client.info.user;
      await client.quit();
      return user;
    } catch (error) {
      return isFerryError(error) ? errorCodeName(error.code) : String(error);
    }
  };
  for (const instance of cluster.instances) assert.equal(await login(instance.port), 'AUTH');
  await addUser(usersFile, { name: 'mira', password: 'correct horse battery', root: cluster.root });
  for (const instance of cluster.instances) assert.equal(await login(instance.port), 'mira');
  await removeUser(usersFile, 'mira');
  for (const instance of cluster.instances) assert.equal(await login(instance.port), 'AUTH');
});

void test('an upload cut off on one instance resumes through another', { skip: haproxyMissing }, async () => {
  const [first, second] = cluster.instances;
  const content = randomBytes(3_000_000);
  const cut = await RawClient.open(first!.port);
  cut.send({ op: 'UPLD', id: 7, path: 'cut-off.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
  assert.equal((await cut.nextFor(7)).op, 'OPEN');
  await sendPart(cut, 7, content, 0, 1_200_000);
  cut.destroy();
  await cut.closed;

  const source = path.join(dir, 'cut-off.bin');
  await fs.writeFile(source, content);
  // The first instance may still be letting go of the upload: a coded BUSY is an answer, and worth a retry.
  for (let attempt = 1; ; attempt++) {
    const client = await plain(second!.port);
    try {
      const result = await client.upload(source, 'cut-off.bin', { resume: true });
      assert.equal(result.resumedFrom, 1_200_000);
      break;
    } catch (error) {
      if (!(isFerryError(error) && error.code === ErrorCode.BUSY) || attempt === 50) throw error;
      await sleep(100);
    } finally {
      await client.quit().catch(() => undefined);
    }
  }
  assert.deepEqual(sha256(await fs.readFile(path.join(cluster.root, 'cut-off.bin'))), sha256(content));
  assert.deepEqual((await filesBelow(cluster.root)).filter((name) => name.includes('cut-off')), ['cut-off.bin']);
});

/*
 * Needs cross-process upload locking (exclusive creation of `.NAME.ferry-part`
 * and a lock other ferryd processes see): with only a per-process registry,
 * both instances write the same temporary file.
 */
void test('two instances receiving the same target at once: one wins whole, the other gets a coded error', { skip: haproxyMissing }, async () => {
  const [first, second] = cluster.instances;
  const a = randomBytes(1_000_000);
  const b = randomBytes(1_000_000);
  const clientA = await RawClient.open(first!.port);
  const clientB = await RawClient.open(second!.port);
  try {
    const overwrite = 1;
    clientA.send({ op: 'UPLD', id: 3, path: 'contested.bin', size: a.length, mtimeMs: 0, mode: 0, flags: overwrite });
    const openA = await clientA.nextFor(3);
    assert.equal(openA.op, 'OPEN');
    clientB.send({ op: 'UPLD', id: 3, path: 'contested.bin', size: b.length, mtimeMs: 0, mode: 0, flags: overwrite });
    const openB = await clientB.nextFor(3);
    const outcomes: string[] = [];
    if (openB.op === 'OPEN') {
      // Both were let in: interleave their bytes, the worst case for a shared temporary file.
      await sendPart(clientA, 3, a, 0, 400_000);
      await sendPart(clientB, 3, b, 0, 600_000);
      await sendPart(clientA, 3, a, 400_000, a.length);
      await sendPart(clientB, 3, b, 600_000, b.length);
      clientA.send({ op: 'HASH', id: 3, hash: sha256(a) });
      clientB.send({ op: 'HASH', id: 3, hash: sha256(b) });
      outcomes.push(codeNameOf(await clientA.next((msg) => msg.id === 3 && msg.op !== 'WIND')));
      outcomes.push(codeNameOf(await clientB.next((msg) => msg.id === 3 && msg.op !== 'WIND')));
    } else {
      outcomes.push('(A running)', codeNameOf(openB));
      await sendPart(clientA, 3, a, 0, a.length);
      clientA.send({ op: 'HASH', id: 3, hash: sha256(a) });
      outcomes[0] = codeNameOf(await clientA.next((msg) => msg.id === 3 && msg.op !== 'WIND'));
    }
    const final = sha256(await fs.readFile(path.join(cluster.root, 'contested.bin')));
    const winners = [final.equals(sha256(a)) ? 'A' : '', final.equals(sha256(b)) ? 'B' : ''].join('');
    assert.ok(winners === 'A' || winners === 'B', `contested.bin is neither upload whole (outcomes ${outcomes.join(', ')})`);
    const winnerOutcome = outcomes[winners === 'A' ? 0 : 1];
    const loserOutcome = outcomes[winners === 'A' ? 1 : 0];
    assert.equal(winnerOutcome, 'DONE', `outcomes ${outcomes.join(', ')}`);
    assert.ok(loserOutcome !== 'DONE' && loserOutcome !== 'INTERNAL', `the other upload must get a coded error, got ${outcomes.join(', ')}`);
  } finally {
    clientA.destroy();
    clientB.destroy();
  }
  assert.deepEqual((await filesBelow(cluster.root)).filter((name) => name.includes('contested')), ['contested.bin']);
});

/*
 * Needs cross-process upload locking: the sweep of another process must see
 * that the temporary file belongs to a live upload, however old its mtime.
 */
void test('the temporary-file sweep of one instance spares another instance\'s live upload', { skip: haproxyMissing }, async () => {
  const [first] = cluster.instances;
  const content = randomBytes(800_000);
  const client = await RawClient.open(first!.port);
  try {
    client.send({ op: 'UPLD', id: 9, path: 'slow.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
    assert.equal((await client.nextFor(9)).op, 'OPEN');
    await sendPart(client, 9, content, 0, 300_000);
    // The upload waits on its client long enough to look stale to an instance with a short --temp-max-age.
    const tempName = (await filesBelow(cluster.root)).find((name) => name.startsWith('.slow.bin') && name.includes('ferry-part'));
    assert.ok(tempName !== undefined, 'the upload has a temporary file');
    const temp = path.join(cluster.root, tempName);
    const old = new Date(Date.now() - 3_600_000);
    await fs.utimes(temp, old, old);
    // A fourth instance on the same root sweeps at start-up (--temp-max-age 0.01 h = 36 s).
    const sweeper = await startFerryd({ root: cluster.root, configDir: cluster.configDir, extra: ['--anonymous', '--temp-max-age', '0.01', '--log-level', 'info'] });
    // The start-up sweep runs beside the listener; a session through it shows it is under way, then give it time.
    const probe = await plain(sweeper.port);
    await probe.list('/');
    await probe.quit();
    await sleep(1000);
    await sweeper.stop();
    await sendPart(client, 9, content, 300_000, content.length);
    client.send({ op: 'HASH', id: 9, hash: sha256(content) });
    assert.equal(codeNameOf(await client.next((msg) => msg.id === 9 && msg.op !== 'WIND')), 'DONE',
      `the live upload failed; the sweeper logged:\n${sweeper.stderr()}`);
  } finally {
    client.destroy();
  }
  assert.deepEqual(sha256(await fs.readFile(path.join(cluster.root, 'slow.bin'))), sha256(content));
});

void test('HAProxy spreads sessions over every instance (round robin) and all see one tree', { skip: haproxyMissing }, async () => {
  const sessionsBefore = await cluster.haproxy.serverStates();
  const names: string[] = [];
  for (let i = 0; i < 6; i++) {
    const client = await plain(cluster.haproxy.port);
    const name = `rr-${i}.txt`;
    const source = path.join(dir, name);
    await fs.writeFile(source, `file ${i}\n`);
    await client.upload(source, name);
    names.push(name);
    const listed = (await client.list('/')).map((entry) => entry.name);
    for (const earlier of names) assert.ok(listed.includes(earlier), `${earlier} missing from a listing through HAProxy`);
    await client.quit();
  }
  const sessionsAfter = await cluster.haproxy.serverStates();
  for (const [name, state] of sessionsAfter) {
    assert.equal(state.sessions - (sessionsBefore.get(name)?.sessions ?? 0), 2, `${name} got ${state.sessions} sessions`);
  }
});
