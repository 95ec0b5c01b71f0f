/**
 * Ferry URLs: `ferry://[user[:password]@]host[:port]/path` and `ferrys://...`.
 * `ferry://` uses TLS unless the host is a loopback address (plain TCP there),
 * `ferrys://` always uses TLS. User, password and path are percent-decoded;
 * IPv6 hosts are written in brackets (`ferry://[::1]:7070/`).
 */
import net from 'node:net';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { isLoopbackHost } from '../net/host.js';
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
  const bad = (why: string): FerryError => new FerryError(ErrorCode.INVALID_PATH, `not a Ferry URL (${why}): ${redact(url)}`);
  const schemeMatch = /^(ferrys?):\/\//i.exec(url);
  if (!schemeMatch) throw bad('it must start with ferry:// or ferrys://');
  const scheme = schemeMatch[1]!.toLowerCase() as 'ferry' | 'ferrys';
  const rest = url.slice(schemeMatch[0].length);
  if (/[?#]/.test(rest)) throw bad('queries and fragments are not part of a Ferry URL; write ? and # as %3F and %23');
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const rawPath = slash < 0 ? '/' : rest.slice(slash);

  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : authority.slice(0, at);
  const hostPort = at < 0 ? authority : authority.slice(at + 1);

  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) throw bad('unclosed [ in the host');
    host = hostPort.slice(1, close);
    if (!net.isIPv6(host)) throw bad(`${host} is not an IPv6 address`);
    const after = hostPort.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw bad('unexpected text after the IPv6 address');
      portText = after.slice(1);
    }
  } else {
    const colon = hostPort.indexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    portText = colon < 0 ? undefined : hostPort.slice(colon + 1);
    if (host.includes(':')) throw bad('write IPv6 addresses in brackets');
  }
  if (host === '') throw bad('no host');
  if (!/^[A-Za-z0-9._:%-]+$/.test(host)) throw bad(`bad host ${JSON.stringify(host)}`);

  let port = DEFAULT_PORT;
  if (portText !== undefined && portText !== '') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw bad(`bad port ${portText}`);
    port = Number(portText);
  }

  const parsed: FerryUrl = {
    scheme, host, port, path: decode(rawPath, 'path', bad),
    tls: scheme === 'ferrys' || !isLoopbackHost(host),
  };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon), 'user', bad);
    if (user !== '') parsed.user = user;
    if (colon >= 0) parsed.password = decode(userinfo.slice(colon + 1), 'password', bad);
  }
  return parsed;
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
  return url.replace(/^([a-z]+:\/\/[^/@:]*):[^/]*@/i, '$1:***@');
}

function decode(text: string, what: string, bad: (why: string) => FerryError): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw bad(`bad percent-encoding in the ${what}`);
  }
}
