/**
 * Trust on first use for the scriptable `ferry` commands, for every kind of
 * key a server presents (openRemote's `verifyNewKey`): a TLS certificate
 * (ferrys://, ftps://, ferry:// off loopback) and an SSH host key (sftp://).
 * The kind checks its store first (Ferry's known_hosts, ~/.ssh/known_hosts):
 * a known key passes and a changed one is refused without asking, so only a
 * key met for the first time comes here. It is trusted with `--trust-new`,
 * or when the user answers yes at a terminal prompt (showing the fingerprint,
 * and for SSH the key type, as OpenSSH does); the kind then remembers it.
 * Scripts (stdin or stderr not a terminal) are never asked: the command fails
 * with TRUST saying how to go on.
 */
import os from 'node:os';
import path from 'node:path';
import { defaultKnownHostsFile, unknownFingerprintError } from '../client/known-hosts.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import type { PresentedKey } from '../remote/open-remote.js';
import { escapeControlCharacters } from '../terminal/control-characters.js';

export interface CliTrustOptions {
  /** `--trust-new`: remember an unknown server without asking. */
  trustNew: boolean;
  /** Locates the known-hosts files (XDG_CONFIG_HOME, HOME) for the messages. */
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
  /** Asked when it is a terminal; default process.stdin. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Ends an open question (the connection attempt is over: timeout, server gone). */
  signal?: AbortSignal;
}

export function createCliKeyVerifier(options: CliTrustOptions): (key: PresentedKey) => Promise<boolean> {
  const stdin = options.stdin ?? process.stdin;
  const knownHosts = (key: PresentedKey): string => (key.kind === 'ssh' ? sshKnownHostsFile(options.env) : defaultKnownHostsFile(options.env));
  return async (key) => {
    const fingerprint = escapeControlCharacters(key.fingerprint);
    if (options.trustNew) {
      options.stderr.write(`ferry: trusting ${describeHost(key)} for the first time (${describeKey(key)} ${fingerprint}); `
        + `remembered in ${knownHosts(key)}\n`);
      return true;
    }
    if (stdin.isTTY !== true || (options.stderr as { isTTY?: boolean }).isTTY !== true) throw refusal(key, knownHosts(key));
    // Loaded only when there is a question to ask: every other command run would compile it for nothing.
    const readline = await import('node:readline/promises');
    const prompt = readline.createInterface({ input: stdin, output: options.stderr, terminal: true });
    try {
      options.stderr.write(key.kind === 'ssh'
        ? `ferry: the authenticity of host '${describeHost(key)}' can't be established.\n`
          + `${describeKey(key)} key fingerprint is ${fingerprint}.\n`
          + 'Compare it with the one the server\'s administrator gives (ssh-keygen -lf on its host key).\n'
        : `ferry: ${describeHost(key)} is not a known server. Its certificate's SHA-256 fingerprint is\n  ${fingerprint}\n`
          + 'Compare it with the one the server printed when it started.\n');
      const question = key.kind === 'ssh' ? `Trust this host and remember its key in ${knownHosts(key)}? [y/N] ` : 'Trust this server and remember it? [y/N] ';
      // Without the signal an open prompt would keep stdin, and so the process, alive after the command failed.
      const answer = await prompt.question(question, options.signal ? { signal: options.signal } : {});
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      prompt.close();
    }
  };
}

/** The refusal a script gets: what was met and how to go on. */
function refusal(key: PresentedKey, file: string): FerryError {
  if (key.kind === 'tls') return unknownFingerprintError(key.host, key.port, key.fingerprint);
  return new FerryError(
    ErrorCode.TRUST,
    `${describeHost(key)} is not a known host (${describeKey(key)} key ${escapeControlCharacters(key.fingerprint)}). `
      + 'Compare that fingerprint with the server\'s (ssh-keygen -lf on its host key), '
      + `then connect again with --trust-new to remember it in ${file}.`,
  );
}

/** `host:port` (TLS); for SSH as OpenSSH writes it: `host`, or `[host]:port` off port 22. */
function describeHost(key: PresentedKey): string {
  const host = escapeControlCharacters(key.host);
  if (key.kind === 'ssh') return key.port === 22 ? host : `[${host}]:${key.port}`;
  return host.includes(':') ? `[${host}]:${key.port}` : `${host}:${key.port}`;
}

/** The key type as OpenSSH names it (`ED25519`, `RSA`, `ECDSA`), or the certificate's hash. */
function describeKey(key: PresentedKey): string {
  if (key.kind === 'tls') return 'certificate SHA-256';
  const algorithm = key.algorithm ?? '';
  if (algorithm === 'ssh-ed25519') return 'ED25519';
  if (algorithm === 'ssh-ed448') return 'ED448';
  if (algorithm === 'ssh-rsa' || algorithm.startsWith('rsa-sha2-')) return 'RSA';
  if (algorithm.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (algorithm === 'ssh-dss') return 'DSA';
  return algorithm === '' ? 'host' : escapeControlCharacters(algorithm);
}

/** ~/.ssh/known_hosts, found as src/remote/ssh-config.ts finds ~/.ssh (not imported: it loads the ssh-config parser). */
function sshKnownHostsFile(env: NodeJS.ProcessEnv): string {
  return path.join(env.HOME && env.HOME !== '' ? env.HOME : os.homedir(), '.ssh', 'known_hosts');
}
