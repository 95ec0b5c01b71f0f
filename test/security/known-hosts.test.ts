import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { createFingerprintVerifier, hostKey, normaliseFingerprint, openKnownHosts } from '../../src/client/known-hosts.js';

const FP_A = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
const FP_B = Array.from({ length: 32 }, (_, i) => (255 - i).toString(16).padStart(2, '0').toUpperCase()).join(':');

async function knownHostsFile(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-kh-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'ferry', 'known_hosts');
}

void test('store: unknown, remember, trusted, changed; keeps comments; one line per host', async (t) => {
  const file = await knownHostsFile(t);
  const store = openKnownHosts(file);
  assert.equal(await store.check('Example.org', 7070, FP_A), 'unknown');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, '# my servers\n');
  await store.remember('Example.org', 7070, FP_A.toLowerCase());
  await store.remember('::1', 7443, FP_B);
  assert.equal(await store.check('example.org', 7070, FP_A), 'trusted');
  assert.equal(await store.check('example.org', 7071, FP_A), 'unknown', 'the port is part of the key');
  assert.equal(await store.check('example.org', 7070, FP_B), 'changed');
  assert.equal(await store.check('[::1]', 7443, FP_B), 'trusted');
  await store.remember('example.org', 7070, FP_B);
  assert.equal(await fs.readFile(file, 'utf8'), `# my servers\nexample.org:7070 ${FP_B}\n[::1]:7443 ${FP_B}\n`);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
});

void test('normalising fingerprints and host keys', () => {
  assert.equal(normaliseFingerprint(FP_A.replace(/:/g, '').toLowerCase()), FP_A);
  assert.throws(() => normaliseFingerprint('AB:CD'), (e: FerryError) => e.code === ErrorCode.TRUST);
  assert.equal(hostKey('[::1]', 1), '[::1]:1');
  assert.equal(hostKey('LOCALHOST', 2), 'localhost:2');
});

void test('verifier: known passes; unknown refused without consent (TRUST) or remembered with it; changed refused naming both and the file', async (t) => {
  const file = await knownHostsFile(t);
  const store = openKnownHosts(file);
  const refuse = createFingerprintVerifier({ store });
  await assert.rejects(refuse(FP_A, 'h', 1), (e: FerryError) => e.code === ErrorCode.TRUST && /--trust-new/.test(e.message) && e.message.includes(FP_A));
  assert.equal(await store.lookup('h', 1), undefined, 'a refused server is not remembered');

  const asked: string[] = [];
  const consent = createFingerprintVerifier({ store, askUnknown: async ({ fingerprint }) => { asked.push(fingerprint); return true; } });
  assert.equal(await consent(FP_A, 'h', 1), true);
  assert.deepEqual(asked, [FP_A]);
  assert.equal(await refuse(FP_A, 'h', 1), true, 'now known');
  await assert.rejects(consent(FP_B, 'h', 1), (e: FerryError) =>
    e.code === ErrorCode.TRUST && e.message.includes(FP_A) && e.message.includes(FP_B) && e.message.includes(file) && /CHANGED/.test(e.message));
  assert.deepEqual(asked, [FP_A], 'a changed fingerprint is never put to the user');
});
