/**
 * ssh2 builds an optional native binding for its ciphers when it is
 * installed (its install script runs because package.json's allowScripts
 * lets it; it needs a C++ compiler and Node's headers). Without it ssh2
 * deciphers each packet through a fresh node:crypto object, and an SFTP
 * download costs Ferry about 1.6 × the CPU (docs/PERFORMANCE.md). The SFTP
 * kind works either way, so elsewhere a missing binding is only reported; a
 * CI run, which installs the way a newcomer does, must have built it.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const ssh2Crypto = createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as { bindingAvailable?: boolean };

void describe('ssh2 native crypto binding', () => {
  const built = ssh2Crypto.bindingAvailable === true;
  const skip = built || process.env.CI === 'true' ? false : 'ssh2 was installed without its native binding (no compiler?): SFTP works, more slowly';
  void it('was built when the dependencies were installed', { skip }, () => {
    assert.equal(built, true, 'npm ci did not build ssh2\'s binding: check allowScripts in package.json, g++ and make');
  });
});
