/**
 * How the `ferry` commands decide whether to trust a TLS server's certificate
 * fingerprint: trust on first use with the client's known_hosts store (src/client/known-hosts.ts)
 * (--trust-new, or a yes at a terminal prompt, for a server met the first time;
 * a changed fingerprint is always refused with TRUST).
 */
import { createCliFingerprintVerifier, type CliTrustOptions } from './trust-prompt.js';

export type FingerprintCheck = (fingerprint: string, host: string, port: number) => Promise<boolean>;

export function createTrustCheck(options: CliTrustOptions): FingerprintCheck {
  return createCliFingerprintVerifier(options);
}
