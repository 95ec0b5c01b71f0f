/**
 * The commands' answer to a key met for the first time (src/cli/trust-prompt.ts),
 * for a TLS certificate and an SSH host key: --trust-new, the question at a
 * terminal (with the fingerprint, and the key type for SSH, as OpenSSH shows
 * them), and the refusal a script gets. The end-to-end runs against ferryd
 * are in test/security/tls-trust.test.ts and test/cli/remotes.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { createCliKeyVerifier } from '../../src/cli/trust-prompt.js';
import { requireFeature } from '../../src/cli/open-target.js';
import type { PresentedKey } from '../../src/remote/open-remote.js';

const SSH_KEY: PresentedKey = { kind: 'ssh', host: 'files.example.org', port: 2222, fingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU', algorithm: 'ssh-ed25519' };
const TLS_KEY: PresentedKey = { kind: 'tls', host: '::1', port: 7070, fingerprint: `AB${':CD'.repeat(31)}` };
const env = { HOME: '/home/u', XDG_CONFIG_HOME: '' };

/** A stream that says it is a terminal, collecting what is written. */
function terminalStream(): PassThrough & { isTTY: true; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY: true; text: () => string };
  let written = '';
  stream.on('data', (chunk: Buffer) => { written += chunk.toString(); });
  stream.isTTY = true;
  stream.text = () => written;
  return stream;
}

void test('scripts are never asked: TRUST saying how to go on, for SSH and for TLS', async () => {
  const stderr = new PassThrough();
  const verify = createCliKeyVerifier({ trustNew: false, env, stderr, stdin: Object.assign(new PassThrough(), { isTTY: false }) });
  await assert.rejects(verify(SSH_KEY), (error: unknown) => {
    assert.ok(error instanceof FerryError && error.code === ErrorCode.TRUST);
    assert.equal(error.message, '[files.example.org]:2222 is not a known host (ED25519 key SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU). '
      + 'Compare that fingerprint with the server\'s (ssh-keygen -lf on its host key), then connect again with --trust-new to remember it in /home/u/.ssh/known_hosts.');
    return true;
  });
  await assert.rejects(verify(TLS_KEY), (error: unknown) =>
    error instanceof FerryError && error.code === ErrorCode.TRUST && error.message.includes(TLS_KEY.fingerprint) && /--trust-new/.test(error.message));
});

void test('--trust-new trusts without asking, and says which key and where it is remembered', async () => {
  const stderr = terminalStream();
  const verify = createCliKeyVerifier({ trustNew: true, env, stderr });
  assert.equal(await verify({ ...SSH_KEY, port: 22 }), true);
  assert.equal(await verify(TLS_KEY), true);
  assert.equal(stderr.text(),
    'ferry: trusting files.example.org for the first time (ED25519 SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU); remembered in /home/u/.ssh/known_hosts\n'
    + `ferry: trusting [::1]:7070 for the first time (certificate SHA-256 ${TLS_KEY.fingerprint}); remembered in /home/u/.config/ferry/known_hosts\n`);
});

void test('at a terminal the SSH question shows the key type and fingerprint as OpenSSH does; only yes trusts', async () => {
  for (const [answer, trusted] of [['yes', true], ['y', true], ['', false], ['no', false]] as const) {
    const stdin = terminalStream();
    const stderr = terminalStream();
    const verify = createCliKeyVerifier({ trustNew: false, env, stderr, stdin });
    const decided = verify({ ...SSH_KEY, algorithm: 'ecdsa-sha2-nistp256' });
    // Answered once the question is up, as a person would: readline loads only when there is a question.
    while (!stderr.text().includes('[y/N] ')) await new Promise((resolve) => setImmediate(resolve));
    stdin.write(`${answer}\n`);
    assert.equal(await decided, trusted, answer);
    assert.match(stderr.text(), /^ferry: the authenticity of host '\[files\.example\.org\]:2222' can't be established\.\nECDSA key fingerprint is SHA256:47DEQ[^\n]*\.\n/);
    assert.match(stderr.text(), /Trust this host and remember its key in \/home\/u\/\.ssh\/known_hosts\? \[y\/N\] /);
  }
});

void test('an open question ends when the connection attempt does', async () => {
  const attempt = new AbortController();
  const verify = createCliKeyVerifier({ trustNew: false, env, stderr: terminalStream(), stdin: terminalStream(), signal: attempt.signal });
  const decided = verify(TLS_KEY);
  attempt.abort();
  await assert.rejects(decided);
});

void test('a kind without a feature: UNSUPPORTED naming what the session is connected to', () => {
  const remote = {
    description: { kind: 'ftp', host: 'h', port: 21, user: 'bob', origin: 'ftp://bob@h', encrypted: false, readOnly: false, verification: 'size' },
    features: { chmod: false, find: false, checksums: false, linkTargets: false, resume: true, uploadMtime: true },
  } as const;
  assert.doesNotThrow(() => requireFeature(remote, 'resume', 'resuming'));
  assert.throws(() => requireFeature(remote, 'chmod', 'chmod'), (error: unknown) =>
    error instanceof FerryError && error.code === ErrorCode.UNSUPPORTED && error.message === 'chmod is not available on ftp://bob@h (ftp servers do not offer it)');
});
