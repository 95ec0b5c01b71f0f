import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateCertificate } from '../../src/security/certificate.js';

void test('a certificate is generated on first use (EC P-256, key 0600), then reused with the same fingerprint', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-cert-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const configDir = path.join(dir, 'ferry');
  const first = await loadOrCreateCertificate({ configDir });
  assert.equal(first.generated, true);
  assert.match(first.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.equal((await fs.stat(first.keyPath)).mode & 0o777, 0o600);
  const cert = new X509Certificate(first.cert);
  assert.equal(cert.fingerprint256, first.fingerprint);
  assert.equal(createPrivateKey(first.key).asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.ok(cert.checkPrivateKey(createPrivateKey(first.key)));

  const second = await loadOrCreateCertificate({ configDir });
  assert.equal(second.generated, false);
  assert.equal(second.fingerprint, first.fingerprint);

  // The operator's own pair is used as given.
  const own = await loadOrCreateCertificate({ configDir: path.join(dir, 'other'), certFile: first.certPath, keyFile: first.keyPath });
  assert.equal(own.fingerprint, first.fingerprint);
});

void test('broken certificate setups are refused with a message naming the problem', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-cert-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const a = await loadOrCreateCertificate({ configDir: path.join(dir, 'a') });
  const b = await loadOrCreateCertificate({ configDir: path.join(dir, 'b') });
  await assert.rejects(loadOrCreateCertificate({ configDir: dir, certFile: a.certPath }), /both --tls-cert and --tls-key/);
  await assert.rejects(loadOrCreateCertificate({ configDir: dir, certFile: a.certPath, keyFile: b.keyPath }), /does not belong/);
  await assert.rejects(loadOrCreateCertificate({ configDir: dir, certFile: a.keyPath, keyFile: a.keyPath }), /not a PEM certificate/);
  await assert.rejects(loadOrCreateCertificate({ configDir: dir, certFile: path.join(dir, 'nope'), keyFile: a.keyPath }), /does not exist/);
  await fs.rm(a.certPath);
  await assert.rejects(loadOrCreateCertificate({ configDir: path.join(dir, 'a') }), /only one of/);
});

void test('ferryd processes starting together on one config folder end up with one certificate', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-cert-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const pairs = await Promise.all(Array.from({ length: 4 }, () => loadOrCreateCertificate({ configDir: dir })));
  assert.equal(new Set(pairs.map((pair) => pair.fingerprint)).size, 1);
  assert.equal(pairs.filter((pair) => pair.generated).length, 1);
  const onDisk = await loadOrCreateCertificate({ configDir: dir });
  assert.equal(onDisk.fingerprint, pairs[0]!.fingerprint);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['tls-cert.pem', 'tls-key.pem']);
});
