/**
 * URLs of every remote kind:
 *
 *   ferry://[user[:password]@]host[:port]/path    Ferry, TLS unless the host is loopback (7070)
 *   ferrys://...                                  Ferry, always TLS (7070)
 *   sftp://[user@]host[:port]/path                SSH's SFTP subsystem (22)
 *   ftp://[user[:password]@]host[:port]/path      plain FTP (21)
 *   ftps://...                                    FTP with explicit TLS, AUTH TLS on 21
 *
 * User, password and path are percent-decoded; IPv6 hosts are written in
 * brackets. A bare `host` in an sftp:// URL may be a `Host` alias of
 * ~/.ssh/config, resolved when connecting (src/remote/ssh-config.ts).
 */
import net from 'node:net';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { isLoopbackHost } from '../net/host.js';
import type { RemoteKind } from './remote.js';

export type RemoteScheme = 'ferry' | 'ferrys' | 'sftp' | 'ftp' | 'ftps';

export const SCHEME_KIND: Readonly<Record<RemoteScheme, RemoteKind>> = {
  ferry: 'ferry', ferrys: 'ferry', sftp: 'sftp', ftp: 'ftp', ftps: 'ftp',
};

export const DEFAULT_PORTS: Readonly<Record<RemoteScheme, number>> = {
  ferry: DEFAULT_PORT, ferrys: DEFAULT_PORT, sftp: 22, ftp: 21, ftps: 21,
};

export interface RemoteUrl {
  scheme: RemoteScheme;
  kind: RemoteKind;
  /** Host name or address, IPv6 without brackets. */
  host: string;
  port: number;
  /** Whether the URL named the port (an ssh config alias's Port applies only when it did not). */
  portGiven?: boolean;
  user?: string;
  password?: string;
  /** Remote path, `/`-rooted and percent-decoded (`/` when the URL has none). */
  path: string;
  /** Whether the session is encrypted: TLS for Ferry and FTPS, SSH for SFTP. */
  tls: boolean;
}

/** Whether `text` starts like one of the remote URLs (a local path never does). */
export function isRemoteUrl(text: string): boolean {
  return /^(ferrys?|sftp|ftps?):\/\//i.test(text);
}

export function parseRemoteUrl(url: string): RemoteUrl {
  const bad = (why: string): FerryError => new FerryError(ErrorCode.INVALID_PATH, `not a remote URL (${why}): ${redactUrl(url)}`);
  const schemeMatch = /^(ferrys?|sftp|ftps?):\/\//i.exec(url);
  if (!schemeMatch) throw bad('it must start with ferry://, ferrys://, sftp://, ftp:// or ftps://');
  const scheme = schemeMatch[1]!.toLowerCase() as RemoteScheme;
  const rest = url.slice(schemeMatch[0].length);
  if (/[?#]/.test(rest)) throw bad('queries and fragments are not part of the URL; write ? and # as %3F and %23');
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

  let port = DEFAULT_PORTS[scheme];
  const portGiven = portText !== undefined && portText !== '';
  if (portGiven) {
    if (!/^\d{1,5}$/.test(portText!) || Number(portText) < 1 || Number(portText) > 65535) throw bad(`bad port ${portText}`);
    port = Number(portText);
  }

  const parsed: RemoteUrl = {
    scheme, kind: SCHEME_KIND[scheme], host, port, path: decode(rawPath, 'path', bad),
    tls: scheme === 'ferrys' || scheme === 'ftps' || scheme === 'sftp' || (scheme === 'ferry' && !isLoopbackHost(host)),
    ...(portGiven ? { portGiven: true } : {}),
  };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon), 'user', bad);
    if (user !== '') parsed.user = user;
    if (colon >= 0) parsed.password = decode(userinfo.slice(colon + 1), 'password', bad);
  }
  return parsed;
}

/** `scheme://[user@]host[:port]` — no password, no path; IPv6 in brackets; the port only when not the default. */
export function formatOrigin(url: Pick<RemoteUrl, 'scheme' | 'host' | 'port' | 'user'>): string {
  const host = url.host.includes(':') ? `[${url.host}]` : url.host;
  const user = url.user !== undefined && url.user !== '' ? `${encodeURIComponent(url.user)}@` : '';
  const port = url.port === DEFAULT_PORTS[url.scheme] ? '' : `:${url.port}`;
  return `${url.scheme}://${user}${host}${port}`;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^/@:]*):[^/]*@/i, '$1:***@');
}

function decode(text: string, what: string, bad: (why: string) => FerryError): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw bad(`bad percent-encoding in the ${what}`);
  }
}
