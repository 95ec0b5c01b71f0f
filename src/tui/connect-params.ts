/** What the UI needs to open a session: the connect dialog's fields, a start-up URL, or the demo. */
import type { ConnectOptions, FerryClientApi } from '../client/types.js';

export interface ConnectParams {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Remote folder to open. */
  path: string;
  tls: 'auto' | 'require' | 'off';
}

export type ConnectFunction = (options: ConnectOptions) => Promise<FerryClientApi>;

/** A demo server the command line started for `ferry --demo` (src/cli/demo.ts). */
export interface StartedDemo {
  /** Where to connect. */
  initial: ConnectParams;
  /** The local pane's folder. */
  localPath: string;
  /** Stops the server and removes the demo folders. */
  close: () => Promise<void>;
}

/** `host:port` with IPv6 hosts in brackets. */
export function formatAddress(params: { host: string; port: number }): string {
  return `${params.host.includes(':') ? `[${params.host}]` : params.host}:${params.port}`;
}

/** Whether two sessions reach the same files: the same server (host and port) as the same user. */
export function sameServer(a: ConnectParams | undefined, b: ConnectParams | undefined): boolean {
  return a !== undefined && b !== undefined && a.host === b.host && a.port === b.port && a.user === b.user;
}
