/**
 * The FTP kind: opens a session from an ftp:// or ftps:// URL. ftps:// is
 * explicit TLS (AUTH TLS on the control port, 21 by default); its
 * certificate is checked before the password is sent (ftp-login.ts), against
 * Ferry's known_hosts like ferrys:// when no public authority vouches for it.
 * Without a user in the URL the login is anonymous; the password comes from
 * the URL, options.password, or options.askSecret, in that order.
 */
import { createFingerprintVerifier, defaultKnownHostsFile, openKnownHosts } from '../../client/known-hosts.js';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import type { OpenRemoteOptions } from '../open-remote.js';
import type { Remote } from '../remote.js';
import { formatOrigin, type RemoteUrl } from '../remote-url.js';
import { openFtpConnection, type FtpLogin, type SettledTrust } from './ftp-login.js';
import { FtpPool, DEFAULT_POOL_SIZE } from './ftp-pool.js';
import { FtpRemote } from './ftp-remote.js';
import { sha256CommandOf } from './ftp-hash.js';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface OpenFtpOptions extends OpenRemoteOptions {
  /** Connections kept at most (default 8). */
  poolSize?: number;
}

export async function openFtpRemote(url: RemoteUrl, options: OpenFtpOptions = {}): Promise<Remote> {
  const user = url.user ?? '';
  let password = url.password ?? options.password;
  if (user !== '' && password === undefined) {
    if (!options.askSecret) throw new FerryError(ErrorCode.AUTH, `a password is needed for ${user}@${url.host}`);
    password = await options.askSecret(`Password for ${formatOrigin(url)}: `);
    if (password === undefined) throw new FerryError(ErrorCode.AUTH, 'the login was cancelled');
  }
  const verifyNewKey = options.verifyNewKey;
  const verifyFingerprint = createFingerprintVerifier({
    store: openKnownHosts(defaultKnownHostsFile(options.env)),
    ...(verifyNewKey
      ? { askUnknown: ({ host, port, fingerprint }) => verifyNewKey({ kind: 'tls', host, port, fingerprint }) }
      : {}),
  });
  const login: FtpLogin = {
    host: url.host,
    port: url.port,
    secure: url.scheme === 'ftps',
    user,
    password: password ?? '',
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    trustCertificate: (fingerprint) => verifyFingerprint(fingerprint, url.host, url.port),
  };
  // The first connection asks what the server offers; every later one logs in as the same user.
  const first = await openFtpConnection({ ...login, askAbilities: true });
  const settled: SettledTrust | undefined = first.trust;
  // Later connections are opened without the caller's signal: it bounded only the opening.
  const later: FtpLogin = { ...login };
  delete later.signal;
  const pool = new FtpPool(async () => (await openFtpConnection(later, settled)).client, options.poolSize ?? DEFAULT_POOL_SIZE, first.client);
  return new FtpRemote({
    kind: 'ftp',
    host: url.host,
    port: url.port,
    user,
    origin: formatOrigin(url),
    encrypted: url.scheme === 'ftps',
    ...(settled ? { fingerprint: settled.fingerprint } : {}),
    readOnly: false,
    // With the server's own SHA-256 (ftp-hash.ts) every transfer is checked by content as well as size.
    verification: sha256CommandOf(first.abilities!.features) ? 'size+sha256' : 'size',
  }, pool, first.abilities!);
}
