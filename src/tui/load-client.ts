/**
 * The UI's link to the client library, loaded when first needed: the client
 * loads only once the UI is on screen, and the URL parser alone for a
 * start-up URL. (scripts/bundle-tui.ts splits the bundle at these imports.)
 */
import type { ConnectFunction } from './connect-params.js';
import type { FerryUrl } from '../client/url.js';

export interface ClientModule {
  connect: ConnectFunction;
  parseFerryUrl: (url: string) => FerryUrl;
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
