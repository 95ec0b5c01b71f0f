/**
 * The Ferry kind: a FerryClient is already a Remote (src/client/client.ts);
 * this opens one from a URL with the shared options, checking TLS
 * certificates against Ferry's known_hosts store (src/client/known-hosts.ts)
 * and asking for the password of a named user who gave none.
 */
import { FerryClient } from '../../client/client.js';
import { createFingerprintVerifier, defaultKnownHostsFile, openKnownHosts } from '../../client/known-hosts.js';
import type { OpenRemoteOptions } from '../open-remote.js';
import type { Remote } from '../remote.js';
import { formatOrigin, type RemoteUrl } from '../remote-url.js';

export async function openFerryRemote(url: RemoteUrl, options: OpenRemoteOptions): Promise<Remote> {
  const verifyNewKey = options.verifyNewKey;
  const verifyFingerprint = createFingerprintVerifier({
    store: openKnownHosts(defaultKnownHostsFile(options.env)),
    ...(verifyNewKey
      ? { askUnknown: ({ host, port, fingerprint }) => verifyNewKey({ kind: 'tls', host, port, fingerprint }) }
      : {}),
  });
  let password = url.password ?? options.password;
  // A user without a password: asked before connecting, as the connect dialog does (cancel: none, and AUTH says why).
  if (password === undefined && url.user !== undefined && options.askSecret) {
    password = await options.askSecret(`Password for ${formatOrigin(url)}: `);
  }
  return FerryClient.connect({
    host: url.host,
    port: url.port,
    tls: url.scheme === 'ferrys' ? 'require' : 'auto',
    ...(url.user !== undefined ? { user: url.user } : {}),
    ...(password !== undefined ? { password } : {}),
    verifyFingerprint,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.keepAlive ? { keepAlive: true } : {}),
  });
}
