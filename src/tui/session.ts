/** What the TUI needs to open a session, and how the connect dialog's fields map to it. */
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

export const DEFAULT_PORT = 7070;

/** `host:port` with IPv6 hosts in brackets. */
export function formatAddress(params: { host: string; port: number }): string {
  return `${params.host.includes(':') ? `[${params.host}]` : params.host}:${params.port}`;
}
