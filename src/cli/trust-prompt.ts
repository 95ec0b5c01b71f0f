/**
 * Trust on first use for the scriptable `ferry` commands. A known server with
 * the same fingerprint passes; a changed one is always refused (TRUST, naming
 * both fingerprints and the known_hosts file). An unknown one is trusted only
 * with `--trust-new`, or when the user answers yes at a terminal prompt;
 * otherwise the command fails with TRUST and says how to go on. Scripts
 * (stdin not a terminal) are never asked.
 */
import { createFingerprintVerifier, defaultKnownHostsFile, openKnownHosts } from '../client/known-hosts.js';

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
  const stdin = options.stdin ?? process.stdin;
  return createFingerprintVerifier({
    store,
    askUnknown: async ({ host, port, fingerprint, file, signal }) => {
      const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      if (options.trustNew) {
        options.stderr.write(`ferry: trusting ${where} for the first time (certificate SHA-256 ${fingerprint}); remembered in ${file}\n`);
        return true;
      }
      if (stdin.isTTY !== true || (options.stderr as { isTTY?: boolean }).isTTY !== true) return false;
      // Loaded only when there is a question to ask: every other command run would compile it for nothing.
      const readline = await import('node:readline/promises');
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
    },
  });
}
