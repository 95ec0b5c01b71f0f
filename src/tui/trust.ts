/**
 * Trust on first use for TLS servers, seen from the TUI: the client calls
 * `verifyFingerprint`; a known fingerprint passes, a changed one is refused,
 * and an unknown one is put to the user in the trust dialog before it is
 * remembered. The store itself belongs to src/security (known-hosts); this
 * file is the adapter between the two.
 */

export type TrustVerdict = 'trusted' | 'unknown' | 'changed';

export interface TrustStore {
  check(host: string, port: number, fingerprint: string): Promise<TrustVerdict>;
  remember(host: string, port: number, fingerprint: string): Promise<void>;
}

/** A store that forgets when the program ends (tests, and the fallback). */
export function createMemoryTrustStore(): TrustStore {
  const known = new Map<string, string>();
  const keyOf = (host: string, port: number): string => `${host}:${port}`;
  return {
    check: (host, port, fingerprint) => {
      const stored = known.get(keyOf(host, port));
      return Promise.resolve(stored === undefined ? 'unknown' : stored === fingerprint ? 'trusted' : 'changed');
    },
    remember: (host, port, fingerprint) => {
      known.set(keyOf(host, port), fingerprint);
      return Promise.resolve();
    },
  };
}

/** Asks the user about an unknown fingerprint; resolves true to trust it. */
export type AskTrust = (request: { host: string; port: number; fingerprint: string }) => Promise<boolean>;

/** The verifyFingerprint callback for ConnectOptions, built from a store and the dialog. */
export function createFingerprintVerifier(
  store: TrustStore,
  ask: AskTrust,
  onChanged: (message: string) => void,
): (fingerprint: string, host: string, port: number) => Promise<boolean> {
  return async (fingerprint, host, port) => {
    const verdict = await store.check(host, port, fingerprint);
    if (verdict === 'trusted') return true;
    if (verdict === 'changed') {
      onChanged(`the certificate of ${host}:${port} CHANGED since it was trusted (now ${fingerprint}); refusing to connect`);
      return false;
    }
    if (!(await ask({ host, port, fingerprint }))) return false;
    await store.remember(host, port, fingerprint);
    return true;
  };
}

/**
 * The store the TUI uses by default. Until the known-hosts store of
 * src/security is wired in here, trust lasts for the running program only.
 */
export async function loadTrustStore(): Promise<TrustStore> {
  return createMemoryTrustStore();
}
