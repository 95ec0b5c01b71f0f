/**
 * The UI's link to the remote kinds, loaded when first needed: the session
 * modules (open-remote and, through it, the kind's own module) load only once
 * the UI is on screen, and the URL parser alone for a start-up URL; the saved
 * connections and ~/.ssh/config only for the connect dialog's list.
 * (scripts/bundle-tui.ts splits the bundle at these imports.)
 */
import type { ConnectFunction } from './connect-params.js';
import type { RemoteUrl } from '../remote/remote-url.js';

/** Only the URL parser (small), for the start-up URL: the session modules load after the first frame. */
export async function loadUrlParser(): Promise<(url: string) => RemoteUrl> {
  return (await import('../remote/remote-url.js')).parseRemoteUrl;
}

/** openRemote, keeping the sessions of the UI alive: it may sit open for hours while its user browses the local pane. */
export async function loadRemoteOpener(): Promise<ConnectFunction> {
  const { openRemote } = await import('../remote/open-remote.js');
  return (url, options) => openRemote(url, { keepAlive: true, ...options });
}
