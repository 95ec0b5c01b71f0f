/**
 * The dual-pane UI assembled: the feature hooks (connection, status message,
 * panes, transfer queue), the one key dispatcher in front of the dialog up,
 * the pane or queue, and the global keys, and the screen's layout. What each
 * key does lives in actions/ and dialogs/.
 */
import React, { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { Box } from 'ink';
import { computeLayout } from '../layout.js';
import { matchCommand } from '../keys/keymap.js';
import { dispatchKey } from '../keys/dispatcher.js';
import { useKeypress } from '../hooks/use-keypress.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { usePane, type PaneController } from '../hooks/use-pane.js';
import { useSyncedState } from '../hooks/use-synced-state.js';
import { useStatusMessage } from '../hooks/use-status-message.js';
import { useBatchedRefresh } from '../hooks/use-batched-refresh.js';
import { useConnection, type Connection } from '../hooks/use-connection.js';
import { useStartupProblems } from '../hooks/use-startup-problems.js';
import { useSavedQueue, type SavedQueueControl } from '../hooks/use-saved-queue.js';
import { rightPaneIsLocal, useLocalRightPane } from '../hooks/use-local-right-pane.js';
import type { ReconnectWait } from '../hooks/use-auto-reconnect.js';
import { plural } from '../format.js';
import { defaultTuiConfig, type TuiConfig } from '../config/config-file.js';
import { useTerminalHandoff } from '../hooks/use-terminal-handoff.js';
import { createLocalFs } from '../fs/local-fs.js';
import { paneName, type PaneFs, type PaneSide } from '../fs/pane-fs.js';
import { paneView } from '../state/pane.js';
import { selectionSummary } from '../state/selection-summary.js';
import { TransferQueue, targetPaneOf } from '../transfers/transfer-queue.js';
import { formatAddress, formatTarget, schemeOf, type ConnectFunction, type ConnectParams } from '../connect-params.js';
import type { PresentedKey } from '../../remote/open-remote.js';
import { useLeftSession } from '../hooks/use-left-session.js';
import { useConnectChoices } from '../hooks/use-connect-choices.js';
import { secretDialog } from '../dialogs/secret-dialog.js';
import { dialogKey, renderDialog, type Dialog } from '../dialogs/all-dialogs.js';
import { connectDialog } from '../dialogs/connect-dialog.js';
import { trustDialog } from '../dialogs/trust-dialog.js';
import { conflictDialog } from '../dialogs/conflict-dialog.js';
import type { DialogHost } from '../dialogs/dialog.js';
import type { ActionContext } from '../actions/action-context.js';
import { requestLeaving } from '../actions/leave.js';
import { runPaneCommand } from '../actions/pane-commands.js';
import { filterKey } from '../actions/filter-keys.js';
import { queueKey } from '../actions/queue-commands.js';
import { globalKey } from '../actions/global-commands.js';
import { Pane } from './Pane.js';
import { TransferPanel } from './TransferPanel.js';
import { StatusLine } from './StatusLine.js';
import { HintBar } from './HintBar.js';
import { TooSmallScreen } from './TooSmallScreen.js';

/** Props of the whole TUI. */
export interface AppProps {
  /** Folder the local pane starts in. */
  localPath: string;
  /** Connect to this at start (from `ferry URL` or the demo); otherwise the connect dialog opens. */
  initial?: ConnectParams | undefined;
  /** Fills the connect dialog when there is no `initial` (a URL that lacks the password). */
  prefill?: ConnectParams | undefined;
  /** Opens a session of any kind (openRemote; keys met for the first time are asked about in the trust dialog). */
  connect: ConnectFunction;
  /** Bookmarks and recent connections (bookmarks.json): listed in the connect dialog, a connect recorded; undefined: neither. */
  savedConnectionsFile?: string | undefined;
  /** ~/.ssh/config, whose Host aliases the connect dialog lists; undefined: not listed. */
  sshConfigFile?: string | undefined;
  /** Called once everything is closed; the caller unmounts and restores the terminal. */
  onQuit: () => void;
  /**
   * Aborted by the caller to end the program from outside (SIGTERM, SIGHUP, a
   * SIGINT sent by another process, a fatal error): the App quits at once,
   * without asking, through the same path as the quit key.
   */
  shutdown?: AbortSignal | undefined;
  /** The config file's settings (config/config-file.ts); the defaults when missing. */
  config?: TuiConfig | undefined;
  /** Where unfinished transfers are kept across restarts (transfers/saved-queue.ts); undefined: not kept. */
  savedQueueFile?: string | undefined;
  /** What was wrong in the config file, one line each: shown once the start is over. */
  configProblems?: readonly string[] | undefined;
}

const localFs = createLocalFs();
const noProblems: readonly string[] = [];

/** The remote pane's header: the server and folder only while a session is open (or just lost). */
function remoteHeader(connection: Connection, path: string): string {
  const params = connection.params;
  if (rightPaneIsLocal(connection.status)) return `local:${path}`;
  if (connection.status === 'connected' && connection.remoteFs) return connection.remoteFs.label(path);
  if (connection.status === 'connecting' && params) return `remote: connecting to ${formatTarget(params)}…`;
  if (connection.status === 'lost' && params) return `${formatTarget(params)}:${path} (connection lost)`;
  return 'remote: not connected';
}

/** What a pane on a server (either one) shows instead of a listing while there is no session. */
function remotePlaceholder(status: Connection['status'], wait?: ReconnectWait): string | undefined {
  if (status === 'lost' && wait) return `connection lost — reconnecting in ${wait.seconds} s (try ${wait.attempt}/${wait.tries}; ^O: now)`;
  switch (status) {
    case 'connected':
      return undefined;
    case 'connecting':
      return 'connecting…';
    case 'lost':
      return 'connection lost — ^O reconnects (the other pane keeps working)';
    default:
      // A local pane (use-local-right-pane.ts, use-left-session.ts).
      return undefined;
  }
}

/** Quick search moves the pane's cursor while it is up, so the pane keeps showing it. */
const keepsPaneActive = (dialog: Dialog | undefined): boolean => !dialog || dialog.kind === 'quick-search';

/** The dual-pane file transfer UI: local pane, remote pane, transfer queue, status, hints, dialogs. */
export function App({
  localPath, initial, prefill, connect, onQuit, shutdown, config = defaultTuiConfig, configProblems = noProblems, savedQueueFile,
  savedConnectionsFile, sshConfigFile,
}: AppProps): React.JSX.Element {
  const size = useTerminalSize();
  // Read through refs (and `current()`) in key handlers: keys may arrive before the next render.
  const [activeSide, setActiveSide, activeSideRef] = useSyncedState<PaneSide>(initial ? 'remote' : 'local');
  const firstSessionOpened = useRef(false);
  const paneChosen = useRef(false);
  const [focus, setFocus, focusRef] = useSyncedState<'panes' | 'queue'>('panes');
  const [queueCursor, setQueueCursor, queueCursorRef] = useSyncedState(0);
  const [filtering, setFiltering, filteringRef] = useSyncedState<PaneSide | undefined>(undefined);
  const [dialog, setDialog, dialogRef] = useSyncedState<Dialog | undefined>(
    initial ? undefined : connectDialog(prefill, { focus: prefill?.user ? 'password' : 'host' }),
  );

  // The queue comes first (the status message and the session use it); it
  // reaches the session and the refresh, made further down, through refs.
  const sessionRef = useRef<() => Connection>(() => ({ status: 'disconnected' }));
  const leftRef = useRef<() => Connection>(() => ({ status: 'disconnected' }));
  const refreshRef = useRef<(side: PaneSide) => void>(() => undefined);
  const savedRef = useRef<SavedQueueControl>({ freeze: () => undefined, follow: () => undefined });
  const queue = useMemo(
    () =>
      new TransferQueue({
        client: () => sessionRef.current().client,
        local: localFs,
        remote: () => sessionRef.current().remoteFs,
        leftClient: () => leftRef.current().client,
        leftRemote: () => leftRef.current().remoteFs,
        onFinished: (item) => {
          refreshRef.current(targetPaneOf(item));
          // A copy between two local panes may show one folder in both.
          if (item.direction === 'copy') refreshRef.current(targetPaneOf(item) === 'local' ? 'remote' : 'local');
        },
        concurrency: config.concurrency,
        rateLimit: config.rateLimit,
      }),
    // The queue lives as long as the App; the config is read once at start.
    [],
  );
  // Ending the App ends the queue: the kept list is frozen first (what quitting cancels stays in it), then
  // what runs is cancelled and every staged copy between two servers removed (none is kept across a restart).
  useEffect(() => () => {
    savedRef.current.freeze();
    void queue.close();
  }, [queue]);
  const transfers = useSyncExternalStore(queue.subscribe, queue.getState);
  const conflictItem = transfers.items.find((item) => item.status === 'conflict');
  const { message, info, fail, announceBatch, messageLog } = useStatusMessage(transfers.items);

  const local = usePane(localPath, fail);
  const remote = usePane(initial?.path ?? '/', fail, info);
  const panes: Record<PaneSide, PaneController> = { local, remote };
  const panesRef = useRef(panes);
  panesRef.current = panes;
  const remoteRef = useRef(remote);
  remoteRef.current = remote;

  // Start: list the local folder (the session, when there is one, opens in useConnection).
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void panesRef.current.local.load(localFs, localPath);
  }, [localPath]);

  const askTrust = useCallback(
    (key: PresentedKey) => new Promise<boolean>((resolve) => setDialog(trustDialog(key, resolve))),
    [setDialog],
  );
  const askSecret = useCallback(
    (prompt: string) => new Promise<string | undefined>((resolve) => setDialog(secretDialog(prompt, resolve))),
    [setDialog],
  );
  const { choices: connectChoices, recordRecent } = useConnectChoices({ bookmarksFile: savedConnectionsFile, sshConfigFile }, fail);
  // Either pane's session back on the server it lost: what the drop interrupted through it goes on from where it
  // stopped, whether it came back by itself, through ^O or the connect dialog.
  const resumeThrough = (side: PaneSide, sameServerAsLost: boolean): void => {
    const resumed = sameServerAsLost ? queue.resumeLost(side) : 0;
    if (resumed > 0) info(`${paneName(side)}: reconnected — resuming ${plural(resumed, 'transfer')}`);
    queue.pump();
  };
  // Either pane's session ending. Quitting keeps the kept list as it is for the next start (frozen before
  // everything is cancelled); a disconnect cancels what goes through that session only, and the list drops it.
  const leaving = (side: PaneSide, why: 'disconnect' | 'quit'): void => {
    if (why === 'disconnect') {
      queue.cancelThrough(side);
      return;
    }
    savedRef.current.freeze();
    queue.cancelAll();
  };
  const session = useConnection({
    side: 'remote',
    reconnectTries: config.reconnectTries,
    initial,
    prefill,
    connect,
    askTrust,
    askSecret,
    recordRecent,
    remotePane: remoteRef,
    info,
    fail,
    offerConnect: (params, error, focus) => setDialog(connectDialog(params, { error, ...(focus ? { focus } : {}) })),
    onConnected: (sameServerAsLost) => {
      // The first session makes the remote pane active, whether its password came from
      // the command line, FERRY_PASSWORD or the connect dialog (unless Tab chose a pane already).
      if (!firstSessionOpened.current) {
        firstSessionOpened.current = true;
        if (!paneChosen.current) setActiveSide('remote');
      }
      savedRef.current.follow();
      resumeThrough('remote', sameServerAsLost);
    },
    onLeaving: (why) => leaving('remote', why),
    onQuit,
    shutdown,
  });
  const { connection } = session;
  const localRef = useRef(local);
  localRef.current = local;
  const leftSession = useLeftSession({
    connect,
    askTrust,
    askSecret,
    recordRecent,
    info,
    fail,
    offerConnect: (params, error, focus) => setDialog(connectDialog(params, { error, side: 'local', ...(focus ? { focus } : {}) })),
    leftPane: localRef,
    localFs,
    reconnectTries: config.reconnectTries,
    onConnected: (sameServerAsLost) => resumeThrough('local', sameServerAsLost),
    onLeaving: (why) => leaving('local', why),
  });
  leftRef.current = leftSession.current;
  const leftConnection = leftSession.connection;
  useStartupProblems(configProblems, connection.status, fail);
  useLocalRightPane(connection.status, local, remote, localFs, localPath, leftConnection.status === 'disconnected');
  const saved = useSavedQueue({
    file: savedQueueFile, queue, connection, leftConnection, show: setDialog, dialogOpen: dialog !== undefined, info, fail,
    current: (side) => (side === 'local' ? leftSession : session).current(),
  });
  savedRef.current = saved;
  sessionRef.current = session.current;

  const currentConnection = session.current;
  const currentLeft = leftSession.current;
  const fsOf = useCallback(
    (side: PaneSide): PaneFs | undefined => {
      const { remoteFs, status } = side === 'local' ? currentLeft() : currentConnection();
      return remoteFs ?? (rightPaneIsLocal(status) ? localFs : undefined);
    },
    [currentConnection, currentLeft],
  );
  refreshRef.current = useBatchedRefresh(panesRef, fsOf);

  const layout = computeLayout(size, transfers.items.length);
  const screen = { columns: layout.columns, rows: layout.rows };
  const { dispatch: dispatchLocal } = local;
  const { dispatch: dispatchRemote } = remote;
  useEffect(() => {
    dispatchLocal({ type: 'resize', height: layout.listRows });
    dispatchRemote({ type: 'resize', height: layout.listRows });
  }, [layout.listRows, dispatchLocal, dispatchRemote]);

  // A conflict in the queue opens its dialog when no other dialog is up; the
  // dialog closes as soon as no item waits for an answer (answered, cancelled).
  useEffect(() => {
    if (conflictItem && !dialog) setDialog(conflictDialog());
    else if (!conflictItem && dialog?.kind === 'conflict') setDialog(undefined);
  }, [conflictItem, dialog, setDialog]);

  const host: DialogHost = {
    screen,
    show: setDialog,
    info,
    fail,
    messageLog,
    panes,
    fsOf,
    queue,
    conflictItem,
    connection: session.current,
    leftConnection: leftSession.current,
    sessionOf: (side) => (side === 'local' ? leftSession.current() : session.current()).client,
    openSession: (params, side) => void (side === 'local' ? leftSession : session).open(params, false),
    connectChoices: () => connectChoices,
    requestQuit: () => requestLeaving('quit', host),
    // The left pane's session ends first: the right one's quit ends the program.
    quit: () => void leftSession.quit().finally(() => session.quit()),
    disconnect: (side = 'remote') => void (side === 'local' ? leftSession : session).disconnect(),
  };
  const runInTerminal = useTerminalHandoff();
  const context: ActionContext = {
    ...host,
    runInTerminal,
    announceBatch,
    filtering: () => filteringRef.current,
    setFiltering,
    setActiveSide: (side) => {
      paneChosen.current = true;
      setActiveSide(side);
    },
    focus: () => focusRef.current,
    setFocus,
    queueCursor: () => queueCursorRef.current,
    setQueueCursor,
    reconnect: (side) => {
      const control = side === 'local' ? leftSession : session;
      const params = control.current().params;
      return params ? control.open(params, true) : Promise.resolve(false);
    },
    activeSide: () => activeSideRef.current,
  };

  useKeypress((press) => {
    // Ctrl-C quits cleanly whatever has the focus: it asks first while
    // transfers run, and a second Ctrl-C at that question quits.
    if (matchCommand(press, 'anywhere') === 'quit') {
      const asking = dialogRef.current;
      if (asking?.kind === 'quit' && asking.leaving === 'quit') host.quit();
      else host.requestQuit();
      return;
    }
    const currentDialog = dialogRef.current;
    // Below the minimum size nothing but the too-small screen shows, so only
    // quitting (and its question, which that screen shows) takes keys.
    if (layout.tooSmall) {
      if (currentDialog?.kind === 'quit') dialogKey(currentDialog, press, host);
      else if (matchCommand(press, 'global') === 'quit') host.requestQuit();
      return;
    }
    dispatchKey(press, {
      dialog: currentDialog ? (key) => dialogKey(currentDialog, key, host) : undefined,
      pane: (key) => {
        if (focusRef.current === 'queue') return queueKey(key, context);
        if (filterKey(key, context)) return true;
        const command = matchCommand(key, 'pane');
        return command ? runPaneCommand(command, activeSideRef.current, context) : false;
      },
      global: (key) => globalKey(key, context),
    });
  });

  // The status line speaks of the active pane's session when that pane has one, else of the right pane's.
  const shown = activeSide === 'local' && leftConnection.status !== 'disconnected' ? leftConnection : connection;
  const activePane = panes[activeSide].state;
  const localView = useMemo(() => paneView(local.state), [local.state]);
  const remoteView = useMemo(() => paneView(remote.state), [remote.state]);
  const selection = useMemo(() => selectionSummary(activePane), [activePane.entries, activePane.selected]);
  // The parent row is cursor -1: position 0, as in an empty folder.
  const position = Math.max(0, activePane.cursor + (activePane.view.length ? 1 : 0));
  const counts = `${selection ? `${selection} · ` : ''}${position}/${activePane.view.length}`;

  if (layout.tooSmall) {
    const question = dialog?.kind === 'quit'
      ? `${dialog.leaving === 'quit' ? 'Quit' : 'Disconnect'}? ${dialog.unfinished} unfinished — y/n`
      : undefined;
    return <TooSmallScreen size={size} question={question} />;
  }

  return (
    <Box flexDirection="column" width={layout.columns} height={layout.rows - 1}>
      <Box>
        <Pane
          view={localView}
          location={remoteHeader(leftConnection, local.state.path)}
          active={activeSide === 'local' && focus === 'panes' && keepsPaneActive(dialog)}
          width={layout.paneWidths[0]}
          height={layout.paneHeight}
          filtering={filtering === 'local'}
          placeholder={remotePlaceholder(leftConnection.status, leftSession.reconnectWait)}
        />
        <Pane
          view={remoteView}
          location={remoteHeader(connection, remote.state.path)}
          active={activeSide === 'remote' && focus === 'panes' && keepsPaneActive(dialog)}
          width={layout.paneWidths[1]}
          height={layout.paneHeight}
          filtering={filtering === 'remote'}
          placeholder={remotePlaceholder(connection.status, session.reconnectWait)}
        />
      </Box>
      <TransferPanel items={transfers.items} rows={layout.transferRows} width={layout.columns} focused={focus === 'queue'} cursor={queueCursor} concurrency={transfers.concurrency} rateLimit={transfers.rateLimit} />
      <StatusLine
        connection={shown.status}
        address={shown.params && shown.status !== 'disconnected' ? formatAddress(shown.params) : ''}
        message={message.text}
        messageKind={message.kind}
        secure={shown.client?.description.encrypted}
        kind={shown.params ? schemeOf(shown.params) : undefined}
        encryption={shown.client?.description.kind === 'sftp' ? 'SSH' : 'TLS'}
        counts={counts}
        width={layout.columns}
      />
      <HintBar width={layout.columns} />
      {dialog ? renderDialog(dialog, host) : null}
    </Box>
  );
}
