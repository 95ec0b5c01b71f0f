/**
 * Ferry URLs: `ferry://[user[:password]@]host[:port]/path` and `ferrys://...`.
 * `ferry://` uses TLS unless the host is a loopback address (plain TCP there),
 * `ferrys://` always uses TLS. User, password and path are percent-decoded;
 * IPv6 hosts are written in brackets (`ferry://[::1]:7070/`).
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { parseRemoteUrl, redactUrl } from '../remote/remote-url.js';
import type { ConnectOptions } from './types.js';

export interface FerryUrl {
  scheme: 'ferry' | 'ferrys';
  /** Host name or address, IPv6 without brackets. */
  host: string;
  port: number;
  user?: string;
  password?: string;
  /** Remote path, `/`-rooted and percent-decoded (`/` when the URL has none). */
  path: string;
  /** Whether the session runs over TLS. */
  tls: boolean;
}

export function parseFerryUrl(url: string): FerryUrl {
  const parsed = parseRemoteUrl(url);
  if (parsed.scheme !== 'ferry' && parsed.scheme !== 'ferrys') {
    throw new FerryError(ErrorCode.INVALID_PATH, `not a Ferry URL (it must start with ferry:// or ferrys://): ${redact(url)}`);
  }
  const { kind: _kind, ...ferry } = parsed;
  return { ...ferry, scheme: parsed.scheme };
}

/** ConnectOptions for a parsed URL (the caller adds verifyFingerprint, timeouts, a password from elsewhere). */
export function connectOptionsFromUrl(url: FerryUrl): ConnectOptions {
  return {
    host: url.host,
    port: url.port,
    tls: url.scheme === 'ferrys' ? 'require' : 'auto',
    ...(url.user !== undefined ? { user: url.user } : {}),
    ...(url.password !== undefined ? { password: url.password } : {}),
  };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return redactUrl(url);
}
