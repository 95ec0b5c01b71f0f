/**
 * TLS and trust on first use, end to end: a real ferryd with a generated
 * certificate, the client library with the known_hosts verifier, and the
 * `ferry` binary, which refuses an unknown server without --trust-new and a
 * changed fingerprint always.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as pty from 'node-pty';
import { FerryClient } from '../../src/client/client.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { loadOrCreateCertificate } from '../../src/security/certificate.js';
import { createFingerprintVerifier, openKnownHosts } from '../../src/client/known-hosts.js';
import { startTestServer } from '../helpers/server.js';
import { tempFolderFor } from '../helpers/temp-folders.js';

const run = promisify(execFile);
const FERRY = fileURLToPath(new URL('../../src/bin/ferry.js', import.meta.url));
const FERRYD = fileURLToPath(new URL('../../src/bin/ferryd.js', import.meta.url));

async function ferry(args: string[], configHome: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [FERRY, ...args], {
      env: { ...process.env, XDG_CONFIG_HOME: configHome, FERRY_PASSWORD: '' }, timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

void test('client library: an unknown server is remembered once trusted; a changed fingerprint is refused with TRUST naming both', async (t) => {
  const dir = await tempFolderFor(t);
  const first = await loadOrCreateCertificate({ configDir: path.join(dir, 'one') });
  const second = await loadOrCreateCertificate({ configDir: path.join(dir, 'two') });
  assert.notEqual(first.fingerprint, second.fingerprint);
  const served = await startTestServer({ tls: { key: first.key, cert: first.cert } });
  t.after(() => served.cleanup());
  await fs.writeFile(path.join(served.root, 'hello.txt'), 'hello\n');

  const store = openKnownHosts(path.join(dir, 'known_hosts'));
  let asked = 0;
  const verifyFingerprint = createFingerprintVerifier({ store, askUnknown: async () => { asked += 1; return true; } });
  const client = await FerryClient.connect({ host: '127.0.0.1', port: served.port, tls: 'require', verifyFingerprint });
  assert.equal(client.info.tls, true);
  assert.equal(client.info.fingerprint, first.fingerprint);
  assert.deepEqual((await client.list('/')).map((e) => e.name), ['hello.txt']);
  await client.quit();
  assert.equal(await store.lookup('127.0.0.1', served.port), first.fingerprint);

  const again = await FerryClient.connect({ host: '127.0.0.1', port: served.port, tls: 'require', verifyFingerprint });
  await again.quit();
  assert.equal(asked, 1, 'a known server is not asked about again');

  // Same host and port, another certificate: what an interceptor would present.
  await store.remember('127.0.0.1', served.port, second.fingerprint);
  const refused = await FerryClient.connect({ host: '127.0.0.1', port: served.port, tls: 'require', verifyFingerprint }).catch((e: unknown) => e);
  assert.ok(refused instanceof FerryError && refused.code === ErrorCode.TRUST, String(refused));
  assert.ok(refused.message.includes(first.fingerprint) && refused.message.includes(second.fingerprint) && refused.message.includes(store.file));
  assert.equal(asked, 1, 'a changed fingerprint is never offered for trust');
});

void test('ferry CLI: unknown server refused without --trust-new, trusted and remembered with it, changed one refused', async (t) => {
  const dir = await tempFolderFor(t);
  const configHome = path.join(dir, 'config');
  const certificate = await loadOrCreateCertificate({ configDir: path.join(dir, 'server') });
  const served = await startTestServer({ tls: { key: certificate.key, cert: certificate.cert } });
  t.after(() => served.cleanup());
  await fs.writeFile(path.join(served.root, 'a.txt'), 'a');
  const url = `ferrys://127.0.0.1:${served.port}/`;
  const knownHosts = path.join(configHome, 'ferry', 'known_hosts');

  const unknown = await ferry(['ls', url], configHome);
  assert.equal(unknown.code, 1, unknown.stderr);
  assert.match(unknown.stderr, /TRUST/);
  assert.match(unknown.stderr, /--trust-new/);
  assert.ok(unknown.stderr.includes(certificate.fingerprint), 'the fingerprint is shown for comparison');
  await assert.rejects(fs.access(knownHosts), 'nothing remembered without consent');

  const trusted = await ferry(['ls', '--trust-new', url], configHome);
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.match(trusted.stdout, /a\.txt/);
  assert.equal(await fs.readFile(knownHosts, 'utf8'), `127.0.0.1:${served.port} ${certificate.fingerprint}\n`);

  const known = await ferry(['ls', url], configHome);
  assert.equal(known.code, 0, known.stderr);

  const other = await loadOrCreateCertificate({ configDir: path.join(dir, 'other') });
  await fs.writeFile(knownHosts, `127.0.0.1:${served.port} ${other.fingerprint}\n`);
  const changed = await ferry(['ls', '--trust-new', url], configHome);
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /TRUST: .*CHANGED/);
  assert.ok(changed.stderr.includes(other.fingerprint) && changed.stderr.includes(certificate.fingerprint) && changed.stderr.includes(knownHosts));
});

void test('ferryd refuses to listen on a network address without authentication, with a clear message and exit 1', async (t) => {
  const dir = await tempFolderFor(t);
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config') };
  // Documentation addresses (TEST-NET, 2001:db8::/32): were the check missing, listening would fail
  // (the message would differ and the test fail) instead of exposing anything.
  for (const args of [['--host', '192.0.2.1'], ['--host', '2001:db8::1'], ['--host', '192.0.2.1', '--anonymous']]) {
    const result = await run(process.execPath, [FERRYD, '--root', dir, '--port', '0', ...args], { env, timeout: 20_000 })
      .then(() => ({ code: 0, stderr: '' }), (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }));
    assert.equal(result.code, 1, args.join(' '));
    assert.match(result.stderr, /refusing to listen on .* without authentication.*--insecure-allow-anonymous-on-network/s);
  }
});

/** Terminal control sequences (cursor moves, line clears) readline writes around its prompt. */
// The ESC byte is built from its code so the pattern holds no control character literally.
const TERMINAL_ESCAPES = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;?]*[A-Za-z]`, 'g');
/** Time after which a `ferry` at the terminal is killed: the test then fails instead of hanging. */
const TERMINAL_KILL_MS = 30_000;

/**
 * Runs `ferry` in a pseudo-terminal, answering the trust prompt with `answer`
 * (undefined: never answer). Always settles: a child still alive after
 * TERMINAL_KILL_MS is killed and reported with code -1.
 */
function ferryAtTerminal(args: string[], configHome: string, answer: string | undefined): Promise<{ code: number; output: string; asked: boolean }> {
  return new Promise((resolve) => {
    const child = pty.spawn(process.execPath, [FERRY, ...args], {
      cols: 200, rows: 30, env: { ...process.env, XDG_CONFIG_HOME: configHome, FERRY_PASSWORD: '' } as Record<string, string>,
    });
    let output = '';
    let asked = false;
    let killed = false;
    const killTimer = setTimeout(() => { killed = true; child.kill(); }, TERMINAL_KILL_MS);
    child.onData((data) => {
      output += data;
      // The prompt is followed by a cursor move, so it is looked for in the text without escapes, not at the end.
      if (!asked && output.replace(TERMINAL_ESCAPES, '').includes('[y/N] ')) {
        asked = true;
        if (answer !== undefined) child.write(`${answer}\r`);
      }
    });
    child.onExit(({ exitCode }) => {
      clearTimeout(killTimer);
      resolve({ code: killed ? -1 : exitCode, output: killed ? `${output}\n(killed after ${TERMINAL_KILL_MS} ms)` : output, asked });
    });
  });
}

void test('ferry CLI at a terminal asks about an unknown server: no refuses, yes remembers', { timeout: 120_000 }, async (t) => {
  const dir = await tempFolderFor(t);
  const configHome = path.join(dir, 'config');
  const certificate = await loadOrCreateCertificate({ configDir: path.join(dir, 'server') });
  const served = await startTestServer({ tls: { key: certificate.key, cert: certificate.cert } });
  t.after(() => served.cleanup());
  await fs.writeFile(path.join(served.root, 'b.txt'), 'b');
  const url = `ferrys://127.0.0.1:${served.port}/`;
  const knownHosts = path.join(configHome, 'ferry', 'known_hosts');

  const declined = await ferryAtTerminal(['ls', url], configHome, 'n');
  assert.equal(declined.code, 1, declined.output);
  assert.ok(declined.asked, declined.output);
  assert.match(declined.output, /TRUST/);
  assert.ok(declined.output.includes(certificate.fingerprint), 'the prompt shows the fingerprint');
  await assert.rejects(fs.access(knownHosts));

  const accepted = await ferryAtTerminal(['ls', url], configHome, 'yes');
  assert.equal(accepted.code, 0, accepted.output);
  assert.ok(accepted.asked, accepted.output);
  assert.match(accepted.output, /b\.txt/);
  assert.equal(await fs.readFile(knownHosts, 'utf8'), `127.0.0.1:${served.port} ${certificate.fingerprint}\n`);
});

void test('ferry CLI at a terminal exits with an error when the connection attempt ends while the trust question is unanswered', { timeout: 120_000 }, async (t) => {
  const dir = await tempFolderFor(t);
  const configHome = path.join(dir, 'config');
  const certificate = await loadOrCreateCertificate({ configDir: path.join(dir, 'server') });
  // Nobody answers: the attempt ends (the client's connect timeout, or the server giving up on a session
  // without a Ferry handshake), and the command must then fail rather than wait at the prompt forever.
  const served = await startTestServer({ tls: { key: certificate.key, cert: certificate.cert }, limits: { handshakeTimeoutMs: 500 } });
  t.after(() => served.cleanup());

  const unanswered = await ferryAtTerminal(['ls', `ferrys://127.0.0.1:${served.port}/`], configHome, undefined);
  assert.ok(unanswered.asked, unanswered.output);
  assert.equal(unanswered.code, 1, unanswered.output);
  assert.match(unanswered.output, /ferry: (TIMEOUT|CONNECTION_LOST): /);
  await assert.rejects(fs.access(path.join(configHome, 'ferry', 'known_hosts')), 'nothing remembered without an answer');
});
