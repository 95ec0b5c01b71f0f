/**
 * The TUI's links to the client library and the server, loaded when first
 * needed: `ferry` without `--demo` never loads the server code, and the
 * client loads only once the UI is on screen.
 */
import type { ConnectFunction } from './session.js';
import type { ServerOptions, FerryServer } from '../server/server.js';

export interface ParsedFerryUrl {
  host: string;
  port?: number | undefined;
  user?: string | undefined;
  password?: string | undefined;
  path: string;
  scheme: 'ferry' | 'ferrys';
}

export interface ClientModule {
  connect: ConnectFunction;
  parseFerryUrl: (url: string) => ParsedFerryUrl;
}

/** Only the URL parser (small), for the start-up URL: the client itself loads after the first frame. */
export async function loadUrlParser(): Promise<ClientModule['parseFerryUrl']> {
  return (await import('../client/url.js')).parseFerryUrl;
}

export async function loadClientModule(): Promise<ClientModule> {
  const [{ FerryClient }, { parseFerryUrl }] = await Promise.all([
    import('../client/client.js'),
    import('../client/url.js'),
  ]);
  // A UI may sit open for hours while its user browses the local pane: keep its session alive.
  return { connect: (options) => FerryClient.connect({ keepAlive: true, ...options }), parseFerryUrl };
}

export interface ServerModule {
  startServer: (options: ServerOptions) => Promise<FerryServer>;
  /** The demo server must not write over the screen. */
  silentLogger: NonNullable<ServerOptions['logger']>;
}

export async function loadServerModule(): Promise<ServerModule> {
  const [{ startServer }, { silentLogger }] = await Promise.all([import('../server/server.js'), import('../server/log.js')]);
  return { startServer, silentLogger };
}
