/**
 * One pane's session with a server, from connect to quit: opening it (trust
 * questions go to `askTrust`), noticing a drop, reconnecting (by itself:
 * use-auto-reconnect.ts; or ^O), disconnecting, and quitting — from the quit
 * key or from outside (`shutdown`) — so that the queue is cancelled, the
 * server gets QUIT and `onQuit` runs once. The right pane's session and the
 * left pane's (use-left-session.ts) are both one of these.
 *
 * Everything here is read through `current()` in key handlers and the
 * transfer queue: keys and transfer events may come before the next render.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Remote } from '../../remote/remote.js';
import type { PresentedKey } from '../../remote/open-remote.js';
import { createRemoteFs } from '../fs/remote-fs.js';
import { paneName, type PaneFs, type PaneSide } from '../fs/pane-fs.js';
import { describeError } from '../describe-error.js';
import { formatTarget, remoteUrlOf, sameServer, type ConnectFunction, type ConnectParams } from '../connect-params.js';
import type { ConnectionStatus } from '../components/StatusLine.js';
import type { PaneController } from './use-pane.js';
import type { ConnectField } from '../components/ConnectDialog.js';
import { ErrorCode, isFerryError, isLoginFailed } from '../../protocol/errors.js';
import { useAutoReconnect, type ReconnectWait } from './use-auto-reconnect.js';

export interface Connection {
  status: ConnectionStatus;
  params?: ConnectParams | undefined;
  /** The session, of whatever kind (src/remote/remote.ts). */
  client?: Remote | undefined;
  remoteFs?: PaneFs | undefined;
  /** Why the connection was lost (status `lost`). */
  lostReason?: string | undefined;
}

/** How long a quitting client waits for the server's answer to QUIT. */
const QUIT_ANSWER_MS = 500;

export interface ConnectionOptions {
  /** The pane whose session this is (`local`: the left pane): messages about the session name it. */
  side: PaneSide;
  /** Tries of the automatic reconnect after a drop (the config's `reconnectTries`); 0: only ^O. */
  reconnectTries: number;
  /** Connect to this right after the first frame. */
  initial?: ConnectParams | undefined;
  /** What the connect dialog starts with when there is no `initial`. */
  prefill?: ConnectParams | undefined;
  connect: ConnectFunction;
  /** Puts a key met for the first time (a TLS certificate, an SSH host key) to the user; true trusts it. */
  askTrust: (key: PresentedKey) => Promise<boolean>;
  /** Asks for a secret the login needs (password, keyboard-interactive answer, key passphrase); undefined: cancelled. */
  askSecret: (prompt: string) => Promise<string | undefined>;
  /** A session opened: it goes first in the recent connections (without its password). */
  recordRecent?: ((params: ConnectParams) => void) | undefined;
  /** The pane this session lists: listed once connected, cleared on disconnect. */
  remotePane: { readonly current: PaneController };
  info: (text: string) => void;
  fail: (text: string) => void;
  /**
   * A connection attempt failed (`error` says why) or the user disconnected: the connect dialog, filled with
   * `params`, its cursor in `focus` (the field to correct).
   */
  offerConnect: (params: ConnectParams | undefined, error?: string, focus?: ConnectField) => void;
  /**
   * Connected: queued transfers may start. `sameServerAsLost`: this is the
   * server whose connection was lost (however it was reopened: by itself, ^O
   * or the connect dialog), so what the drop interrupted can go on.
   */
  onConnected: (sameServerAsLost: boolean) => void;
  /**
   * Unfinished transfers end: `disconnect` (^D) those of this session, `quit` (the quit key, a shutdown,
   * unmounting) all of them.
   */
  onLeaving: (why: 'disconnect' | 'quit') => void;
  /** Everything is closed. */
  onQuit: () => void;
  /** Aborted from outside (a signal, a fatal error): quit at once, as the quit key does. */
  shutdown?: AbortSignal | undefined;
}

export interface ConnectionControl {
  connection: Connection;
  /** The latest connection, including changes not rendered yet. */
  current: () => Connection;
  /**
   * Opens a session; `keepPath` lists the remote folder shown before (a reconnect). Resolves whether it
   * connected. `retrying`: an automatic reconnect, whose failure leaves the session `lost` and reports
   * nothing (the caller says what happens next) instead of offering the connect dialog.
   */
  open: (params: ConnectParams, keepPath: boolean, retrying?: boolean) => Promise<boolean>;
  disconnect: () => Promise<void>;
  quit: () => Promise<void>;
  /** While the session is lost: the automatic reconnect's next try, waited for. */
  reconnectWait: ReconnectWait | undefined;
}

export function useConnection(options: ConnectionOptions): ConnectionControl {
  const { initial, prefill } = options;
  // Callbacks change identity on every render; the session outlives renders.
  const latest = useRef(options);
  latest.current = options;
  // With `initial` the session opens right after the first frame, which already says so.
  const [connection, setConnection] = useState<Connection>({ status: initial ? 'connecting' : 'disconnected', params: initial ?? prefill });
  const connectionRef = useRef(connection);
  connectionRef.current = connection;
  const quitting = useRef(false);
  /** The server of the last session that was lost (not closed on purpose), until it is reached again. */
  const lostFrom = useRef<ConnectParams | undefined>(undefined);
  const current = useCallback(() => connectionRef.current, []);

  const open = useCallback(async (params: ConnectParams, keepPath: boolean, retrying = false): Promise<boolean> => {
    const { connect, info, fail } = latest.current;
    const lostReason = connectionRef.current.lostReason;
    setConnection({ status: 'connecting', params });
    if (!retrying) info(`connecting to ${formatTarget(params)}…`);
    try {
      const client = await connect(remoteUrlOf(params), {
        ...(params.password ? { password: params.password } : {}),
        ...(params.identityFile ? { identityFile: params.identityFile } : {}),
        askSecret: (prompt) => latest.current.askSecret(prompt),
        verifyNewKey: (key) => latest.current.askTrust(key),
      });
      if (quitting.current) {
        client.close('quit');
        return false;
      }
      const remoteFs = createRemoteFs(client);
      client.onClose((error) => {
        if (connectionRef.current.client !== client) return;
        if (error) {
          lostFrom.current = params;
          setConnection((previous) => ({ ...previous, status: 'lost', client: undefined, remoteFs: undefined, lostReason: describeError(error) }));
          latest.current.fail(`${paneName(latest.current.side)}: connection lost: ${describeError(error)} — ^O in it reconnects`);
        } else {
          setConnection((previous) => ({ ...previous, status: 'disconnected', client: undefined, remoteFs: undefined }));
        }
      });
      const next: Connection = { status: 'connected', params, client, remoteFs };
      connectionRef.current = next;
      setConnection(next);
      const { description } = client;
      const who = description.user ? ` as ${description.user}` : '';
      const encryption = description.encrypted ? (description.kind === 'sftp' ? ' (SSH)' : ' (TLS)') : '';
      info(`connected to ${formatTarget(params)}${who}${encryption}${description.readOnly ? ', read-only' : ''}`);
      latest.current.recordRecent?.(params);
      const sameServerAsLost = sameServer(lostFrom.current, params);
      if (sameServerAsLost) lostFrom.current = undefined;
      const remote = latest.current.remotePane.current;
      // Back on the server that was lost: the remote pane stays in its folder.
      const path = keepPath || sameServerAsLost ? remote.current().path : params.path;
      const loaded = await remote.load(remoteFs, path);
      if (!loaded && path !== '/') await latest.current.remotePane.current.load(remoteFs, '/');
      latest.current.onConnected(sameServerAsLost);
      return true;
    } catch (error) {
      if (retrying && !quitting.current) {
        const still: Connection = { status: 'lost', params, lostReason };
        connectionRef.current = still;
        setConnection(still);
        return false;
      }
      setConnection({ status: 'disconnected', params });
      fail(`cannot connect to ${formatTarget(params)}: ${describeError(error)}`);
      // A refused login is corrected in the credentials, not the host: a wrong password is typed again from empty.
      const refused = isFerryError(error, ErrorCode.AUTH);
      const retyped = isLoginFailed(error) ? { ...params, password: '' } : params;
      latest.current.offerConnect(retyped, describeError(error), refused ? (params.user ? 'password' : 'user') : 'host');
      return false;
    }
  }, []);

  const disconnect = useCallback(async () => {
    const previous = connectionRef.current;
    // Disconnecting ends what was interrupted too: a later session does not take it up.
    lostFrom.current = undefined;
    latest.current.onLeaving('disconnect');
    const next: Connection = { status: 'disconnected', params: previous.params };
    connectionRef.current = next;
    setConnection(next);
    latest.current.remotePane.current.dispatch({ type: 'clear', path: '/' });
    if (previous.client) {
      try {
        await previous.client.quit();
      } catch {
        previous.client.close('disconnect');
      }
    }
    latest.current.info('disconnected');
    latest.current.offerConnect(previous.params);
  }, []);

  const quit = useCallback(async () => {
    if (quitting.current) return;
    quitting.current = true;
    latest.current.onLeaving('quit');
    const client = connectionRef.current.client;
    connectionRef.current = { status: 'disconnected' };
    if (client) {
      const polite = client.quit().catch(() => undefined);
      const timeout = new Promise((resolve) => setTimeout(resolve, QUIT_ANSWER_MS).unref());
      await Promise.race([polite, timeout]);
      client.close('quit');
    }
    latest.current.onQuit();
  }, []);

  // Quit from outside goes the same way as the quit key: the queue is
  // cancelled, the server gets QUIT, then onQuit restores the terminal.
  const { shutdown } = options;
  useEffect(() => {
    if (!shutdown) return;
    const onShutdown = (): void => void quit();
    if (shutdown.aborted) onShutdown();
    shutdown.addEventListener('abort', onShutdown);
    return () => shutdown.removeEventListener('abort', onShutdown);
  }, [shutdown, quit]);

  // Unmounted without quitting (a rendering error took the tree down): stop
  // the transfers and close the session, so nothing keeps the process alive.
  useEffect(
    () => () => {
      latest.current.onLeaving('quit');
      connectionRef.current.client?.close('the UI closed');
    },
    [],
  );

  // Connect at start when a URL (or the demo) was given.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (initial) void open(initial, false);
  }, [initial, open]);

  const reconnectWait = useAutoReconnect({
    connection,
    side: options.side,
    tries: options.reconnectTries,
    reconnect: (params) => open(params, true, true),
    fail: options.fail,
  });

  return { connection, current, open, disconnect, quit, reconnectWait };
}
