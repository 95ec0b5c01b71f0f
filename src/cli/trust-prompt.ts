/**
 * Trust on first use for the scriptable `ferry` commands. A known server with
 * the same fingerprint passes; a changed one is always refused (TRUST, naming
 * both fingerprints and the known_hosts file). An unknown one is trusted only
 * with `--trust-new`, or when the user answers yes at a terminal prompt;
 * otherwise the command fails with TRUST and says how to go on. Scripts
 * (stdin not a terminal) are never asked.
 */
import readline from 'node:readline/promises';
import { createFingerprintVerifier, defaultKnownHostsFile, openKnownHosts } from '../client/known-hosts.js';
import type { PresentedKey } from '../remote/open-remote.js';

export interface CliTrustOptions {
  /** `--trust-new`: remember an unknown server without asking. */
  trustNew: boolean;
  /** Locates known_hosts (XDG_CONFIG_HOME, HOME). */
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
  /** Asked when it is a terminal; default process.stdin. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function createCliFingerprintVerifier(
  options: CliTrustOptions,
): (fingerprint: string, host: string, port: number, signal?: AbortSignal) => Promise<boolean> {
  const store = openKnownHosts(defaultKnownHostsFile(options.env));
  return createFingerprintVerifier({ store, askUnknown: (question) => askToTrust(options, question) });
}

/**
 * The same decision as `verifyNewKey` for openRemote (src/remote/open-remote.ts),
 * which checks the known keys itself and asks only about a new one.
 */
export function createCliKeyApprover(options: CliTrustOptions): (key: PresentedKey) => Promise<boolean> {
  const file = defaultKnownHostsFile(options.env);
  return (key) => askToTrust(options, { host: key.host, port: key.port, fingerprint: key.fingerprint, file });
}

async function askToTrust(
  options: CliTrustOptions,
  { host, port, fingerprint, file, signal }: { host: string; port: number; fingerprint: string; file: string; signal?: AbortSignal },
): Promise<boolean> {
  const stdin = options.stdin ?? process.stdin;
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (options.trustNew) {
    options.stderr.write(`ferry: trusting ${where} for the first time (certificate SHA-256 ${fingerprint}); remembered in ${file}\n`);
    return true;
  }
  if (stdin.isTTY !== true || (options.stderr as { isTTY?: boolean }).isTTY !== true) return false;
  const prompt = readline.createInterface({ input: stdin, output: options.stderr, terminal: true });
  try {
    options.stderr.write(
      `ferry: ${where} is not a known server. Its certificate's SHA-256 fingerprint is\n  ${fingerprint}\n` +
        'Compare it with the one ferryd printed when it started.\n',
    );
    // The signal ends the question when the connection attempt is over (timeout, server gone): without
    // it the open prompt keeps stdin, and so the process, alive after the command has already failed.
    const answer = await prompt.question('Trust this server and remember it? [y/N] ', signal ? { signal } : {});
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
