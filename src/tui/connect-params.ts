/** What the UI needs to open a session: the connect dialog's fields, a start-up URL, or the demo. */
import type { OpenRemoteOptions } from '../remote/open-remote.js';
import type { Remote } from '../remote/remote.js';
import { DEFAULT_PORTS, SCHEME_KIND, type RemoteScheme, type RemoteUrl } from '../remote/remote-url.js';
import { isLoopbackHost } from '../net/host.js';

export interface ConnectParams {
  /** The kind of server (default: `ferrys` when `tls` is `require`, else `ferry`). */
  scheme?: RemoteScheme | undefined;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Remote folder to open. */
  path: string;
  /** Ferry only: `require` is ferrys://; `auto` is TLS off loopback. */
  tls: 'auto' | 'require' | 'off';
  /** SFTP: a private key file, tried before the agent and ~/.ssh/id_*. */
  identityFile?: string | undefined;
}

/** Opens a session of any kind (src/remote/open-remote.ts, or a test's stand-in). */
export type ConnectFunction = (url: RemoteUrl, options: OpenRemoteOptions) => Promise<Remote>;

/** A demo server the command line started for `ferry --demo` (src/cli/demo.ts). */
export interface StartedDemo {
  /** Where to connect. */
  initial: ConnectParams;
  /** The local pane's folder. */
  localPath: string;
  /** Stops the server and removes the demo folders. */
  close: () => Promise<void>;
}

export function schemeOf(params: Pick<ConnectParams, 'scheme' | 'tls'>): RemoteScheme {
  return params.scheme ?? (params.tls === 'require' ? 'ferrys' : 'ferry');
}

/** `host:port` with IPv6 hosts in brackets. */
export function formatAddress(params: { host: string; port: number }): string {
  return `${params.host.includes(':') ? `[${params.host}]` : params.host}:${params.port}`;
}

/** Where a session goes, for messages: `host:port` for Ferry (as always), `sftp://host:port` for the other kinds. */
export function formatTarget(params: ConnectParams): string {
  const scheme = schemeOf(params);
  return SCHEME_KIND[scheme] === 'ferry' ? formatAddress(params) : `${scheme}://${formatAddress(params)}`;
}

/** The URL the parameters stand for (the password stays out: it is handed over as an option). */
export function remoteUrlOf(params: ConnectParams): RemoteUrl {
  const scheme = schemeOf(params);
  return {
    scheme,
    kind: SCHEME_KIND[scheme],
    host: params.host,
    port: params.port,
    // An ~/.ssh/config alias's Port applies only when the port is not the kind's default.
    ...(params.port !== DEFAULT_PORTS[scheme] ? { portGiven: true } : {}),
    ...(params.user !== '' ? { user: params.user } : {}),
    path: params.path || '/',
    tls: scheme === 'ferrys' || scheme === 'ftps' || scheme === 'sftp' || (scheme === 'ferry' && !isLoopbackHost(params.host)),
  };
}

/** What the dialog and the session use for a parsed URL (`ferry URL`, a bookmark, a recent connection). */
export function paramsOfUrl(url: RemoteUrl, extra: { password?: string | undefined; identityFile?: string | undefined } = {}): ConnectParams {
  return {
    scheme: url.scheme,
    host: url.host,
    port: url.port,
    user: url.user ?? '',
    password: url.password ?? extra.password ?? '',
    path: url.path || '/',
    tls: url.scheme === 'ferrys' ? 'require' : 'auto',
    ...(extra.identityFile ? { identityFile: extra.identityFile } : {}),
  };
}

/** Whether two sessions reach the same files: the same kind of server (host and port) as the same user. */
export function sameServer(a: ConnectParams | undefined, b: ConnectParams | undefined): boolean {
  return a !== undefined && b !== undefined && a.host === b.host && a.port === b.port && a.user === b.user &&
    SCHEME_KIND[schemeOf(a)] === SCHEME_KIND[schemeOf(b)];
}
