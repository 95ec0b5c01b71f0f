/**
 * A session over TLS with a real ferryd: the fingerprint check happens
 * before the handshake, and transfers work the same as over plain TCP.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { patternBytes } from './files.js';
import { tempFolderSync } from '../helpers/temp-folders.js';

void describe('FerryClient over TLS', () => {
  let local: string;
  let server: TestServer | undefined;
  let fingerprint = '';

  before(async () => {
    local = tempFolderSync('ferry-client-tls-');
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', path.join(local, 'key.pem'), '-out', path.join(local, 'cert.pem'), '-days', '1', '-subj', '/CN=ferry-test'],
      { stdio: 'ignore' });
    } catch {
      return;
    }
    const cert = fs.readFileSync(path.join(local, 'cert.pem'), 'utf8');
    fingerprint = new X509Certificate(cert).fingerprint256;
    server = await startTestServer({ tls: { key: fs.readFileSync(path.join(local, 'key.pem'), 'utf8'), cert } });
  });
  after(async () => {
    await server?.cleanup();
    fs.rmSync(local, { recursive: true, force: true });
  });

  void it('transfers over TLS once the fingerprint is trusted', async (t) => {
    if (!server) return t.skip('openssl is not installed');
    const untrusted = FerryClient.connect({ host: '127.0.0.1', port: server.port, tls: 'require' });
    await assert.rejects(untrusted, (error: unknown) => error instanceof FerryError && error.code === ErrorCode.TRUST
      && error.message.includes(fingerprint));

    const client = await FerryClient.connect({
      host: '127.0.0.1', port: server.port, tls: 'require',
      verifyFingerprint: (seen) => Promise.resolve(seen === fingerprint),
    });
    try {
      assert.equal(client.info.tls, true);
      assert.equal(client.info.fingerprint, fingerprint);
      const data = patternBytes(5 * 1024 * 1024 + 3, 8);
      fs.writeFileSync(path.join(local, 'f.bin'), data);
      await client.upload(path.join(local, 'f.bin'), 'f.bin');
      await client.download('f.bin', path.join(local, 'g.bin'));
      assert.ok(fs.readFileSync(path.join(local, 'g.bin')).equals(data));
    } finally {
      await client.quit();
    }
    // `auto` on a loopback address is plain TCP, which the server accepts from loopback.
    const plain = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    assert.equal(plain.info.tls, false);
    await plain.quit();
  });
});
