/**
 * Trust on first use for TLS servers, seen from the TUI: the client calls
 * `verifyFingerprint`; a known fingerprint passes, a changed one is refused,
 * and an unknown one is put to the user in the trust dialog before it is
 * remembered. The store itself is the client's (src/client/known-hosts.ts); this
 * file is the adapter between the two.
 */

import {
  createFingerprintVerifier as createKnownHostsVerifier,
  normaliseFingerprint,
  openKnownHosts,
  type KnownHostsStore,
} from '../client/known-hosts.js';

/** The client's known-hosts store (`~/.config/ferry/known_hosts`), or a memory one in tests. */
export type TrustStore = KnownHostsStore;

/** A store that forgets when the program ends (tests). */
export function createMemoryTrustStore(): TrustStore {
  const known = new Map<string, string>();
  const keyOf = (host: string, port: number): string => `${host.toLowerCase()}:${port}`;
  const lookup = (host: string, port: number): Promise<string | undefined> => Promise.resolve(known.get(keyOf(host, port)));
  return {
    file: '(memory)',
    lookup,
    check: async (host, port, fingerprint) => {
      const stored = await lookup(host, port);
      return stored === undefined ? 'unknown' : stored === normaliseFingerprint(fingerprint) ? 'trusted' : 'changed';
    },
    remember: (host, port, fingerprint) => {
      known.set(keyOf(host, port), normaliseFingerprint(fingerprint));
      return Promise.resolve();
    },
  };
}

/** Asks the user about an unknown fingerprint (the trust dialog); resolves true to trust it. */
export type AskTrust = (request: { host: string; port: number; fingerprint: string }) => Promise<boolean>;

/**
 * The verifyFingerprint callback for ConnectOptions: a known fingerprint
 * passes, a changed one is refused with code TRUST (the message names both
 * fingerprints and the file), an unknown one goes to the dialog and is
 * remembered when the user trusts it.
 */
export function createFingerprintVerifier(
  store: TrustStore,
  ask: AskTrust,
): (fingerprint: string, host: string, port: number) => Promise<boolean> {
  return createKnownHostsVerifier({ store, askUnknown: ask });
}

/** The user's known-hosts file. */
export async function loadTrustStore(): Promise<TrustStore> {
  return Promise.resolve(openKnownHosts());
}
