import React, { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { Box } from 'ink';
import type { Entry } from '../../protocol/messages.js';
import { EntryKind } from '../../protocol/messages.js';
import type { FerryClientApi } from '../../client/types.js';
import { computeLayout } from '../layout.js';
import { matchCommand, type Command } from '../keys/keymap.js';
import { dispatchKey, isTextInput, type KeyHandler } from '../keys/dispatcher.js';
import type { KeyPress } from '../keys/parse-key.js';
import { useKeypress } from '../hooks/use-keypress.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { usePane, type PaneController } from '../hooks/use-pane.js';
import { useSyncedState } from '../hooks/use-synced-state.js';
import { createLocalFs } from '../fs/local-fs.js';
import { createRemoteFs } from '../fs/remote-fs.js';
import type { PaneFs, PaneSide } from '../fs/pane-fs.js';
import { currentEntry, isDirectory, paneView, targetEntries } from '../state/pane.js';
import { isFinished, type TransferRequest } from '../state/transfers.js';
import { editTextField, textField, type TextFieldState } from '../state/text-field.js';
import { TransferQueue } from '../transfers/transfer-queue.js';
import { describeError } from '../describe-error.js';
import { createFingerprintVerifier, type TrustStore } from '../trust.js';
import { DEFAULT_PORT, formatAddress, type ConnectFunction, type ConnectParams } from '../session.js';
import { Pane } from './Pane.js';
import { TransferPanel } from './TransferPanel.js';
import { StatusLine, type ConnectionStatus } from './StatusLine.js';
import { HintBar } from './HintBar.js';
import { ConnectDialog, connectFieldOrder, type ConnectField, type ConnectFields } from './ConnectDialog.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { InputDialog } from './InputDialog.js';
import { ConflictDialog, conflictChoicesFor } from './ConflictDialog.js';
import { TrustDialog } from './TrustDialog.js';
import { HelpOverlay, helpScrollLimit } from './HelpOverlay.js';

/** Props of the whole TUI. */
export interface AppProps {
  /** Folder the local pane starts in. */
  localPath: string;
  /** Connect to this at start (from `ferry URL` or the demo); otherwise the connect dialog opens. */
  initial?: ConnectParams | undefined;
  /** Fills the connect dialog when there is no `initial` (a URL that lacks the password). */
  prefill?: ConnectParams | undefined;
  /** Opens a session (FerryClient.connect). */
  connect: ConnectFunction;
  /** Known TLS fingerprints (trust on first use). */
  trustStore: TrustStore;
  /** Called once everything is closed; the caller unmounts and restores the terminal. */
  onQuit: () => void;
  /**
   * Aborted by the caller to end the program from outside (SIGTERM, SIGHUP, a
   * SIGINT sent by another process, a fatal error): the App quits at once,
   * without asking, through the same path as the quit key.
   */
  shutdown?: AbortSignal | undefined;
}

type Dialog =
  | { kind: 'connect'; fields: ConnectFields; focus: ConnectField; error?: string | undefined }
  | { kind: 'help'; offset: number }
  | { kind: 'delete'; side: PaneSide; folder: string; entries: Entry[]; choice: 'yes' | 'no' }
  | { kind: 'mkdir'; side: PaneSide; folder: string; field: TextFieldState; error?: string | undefined }
  | { kind: 'rename'; side: PaneSide; folder: string; from: string; field: TextFieldState; error?: string | undefined }
  | { kind: 'trust'; host: string; port: number; fingerprint: string; choice: 'yes' | 'no'; answer: (trust: boolean) => void }
  | { kind: 'conflict'; choiceIndex: number; applyToAll: boolean }
  /** Quitting or disconnecting while transfers are unfinished: both cancel them, so both ask first. */
  | { kind: 'quit'; unfinished: number; choice: 'yes' | 'no'; leaving: 'quit' | 'disconnect' };

interface Connection {
  status: ConnectionStatus;
  params?: ConnectParams | undefined;
  client?: FerryClientApi | undefined;
  remoteFs?: PaneFs | undefined;
}

function fieldsFrom(params: ConnectParams | undefined): ConnectFields {
  return {
    host: textField(params?.host ?? '127.0.0.1'),
    port: textField(String(params?.port ?? DEFAULT_PORT)),
    user: textField(params?.user ?? ''),
    password: textField(params?.password ?? ''),
  };
}

const localFs = createLocalFs();

/** `2 uploads`, `1 download`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The remote pane's header: the server and folder only while a session is open (or just lost). */
function remoteHeader(connection: Connection, path: string): string {
  const params = connection.params;
  if (connection.status === 'connected' && connection.remoteFs) return connection.remoteFs.label(path);
  if (connection.status === 'connecting' && params) return `remote: connecting to ${formatAddress(params)}…`;
  if (connection.status === 'lost' && params) return `${formatAddress(params)}:${path} (connection lost)`;
  return 'remote: not connected';
}

/** The dual-pane file transfer UI: local pane, remote pane, transfer queue, status, hints, dialogs. */
export function App({ localPath, initial, prefill, connect, trustStore, onQuit, shutdown }: AppProps): React.JSX.Element {
  const size = useTerminalSize();
  const [message, setMessage] = useState<{ text: string; kind: 'info' | 'error' }>({
    text: 'F1 or ? for help',
    kind: 'info',
  });
  const info = useCallback((text: string) => setMessage({ text, kind: 'info' }), []);
  /** The "N uploads queued" message and the first id of its batch: replaced by a summary once the batch is done. */
  const queuedBatch = useRef<{ message: { text: string; kind: 'info' | 'error' }; firstId: number } | undefined>(undefined);
  const fail = useCallback((text: string) => setMessage({ text, kind: 'error' }), []);

  const local = usePane(localPath, fail);
  const remote = usePane(initial?.path ?? '/', fail);
  // Read through refs in key handlers: keys may arrive before the next render.
  const [activeSide, setActiveSide, activeSideRef] = useSyncedState<PaneSide>(initial ? 'remote' : 'local');
  const [focus, setFocus, focusRef] = useSyncedState<'panes' | 'queue'>('panes');
  const [queueCursor, setQueueCursor, queueCursorRef] = useSyncedState(0);
  const [filtering, setFiltering, filteringRef] = useSyncedState<PaneSide | undefined>(undefined);
  const [dialog, setDialog, dialogRef] = useSyncedState<Dialog | undefined>(
    initial ? undefined : { kind: 'connect', fields: fieldsFrom(prefill), focus: prefill?.user ? 'password' : 'host' },
  );
  // With `initial` the session opens right after the first frame, which already says so.
  const [connection, setConnection] = useState<Connection>({ status: initial ? 'connecting' : 'disconnected', params: initial ?? prefill });
  const connectionRef = useRef(connection);
  connectionRef.current = connection;
  const quitting = useRef(false);

  const panes: Record<PaneSide, PaneController> = { local, remote };
  const fsOf = useCallback(
    (side: PaneSide): PaneFs | undefined => (side === 'local' ? localFs : connectionRef.current.remoteFs),
    [],
  );

  const localRef = useRef(local);
  localRef.current = local;
  const remoteRef = useRef(remote);
  remoteRef.current = remote;

  // Refresh after transfers, batched so a queue of many small files lists each side once.
  const refreshTimer = useRef<NodeJS.Timeout | undefined>(undefined);
  const pendingRefresh = useRef(new Set<PaneSide>());
  const refreshSoon = useCallback((side: PaneSide) => {
    pendingRefresh.current.add(side);
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = undefined;
      for (const pending of pendingRefresh.current) {
        const pane = pending === 'local' ? localRef.current : remoteRef.current;
        const paneFs = pending === 'local' ? localFs : connectionRef.current.remoteFs;
        if (paneFs) void pane.load(paneFs, pane.current().path);
      }
      pendingRefresh.current.clear();
    }, 150);
  }, []);

  const queue = useMemo(
    () =>
      new TransferQueue({
        client: () => connectionRef.current.client,
        local: localFs,
        remote: () => connectionRef.current.remoteFs,
        onFinished: (item) => refreshSoon(item.direction === 'upload' ? 'remote' : 'local'),
      }),
    [refreshSoon],
  );
  const transfers = useSyncExternalStore(queue.subscribe, queue.getState);
  const conflictItem = transfers.items.find((item) => item.status === 'conflict');

  const layout = computeLayout(size, transfers.items.length);
  const screenSize = { columns: layout.columns, rows: layout.rows };
  const { dispatch: dispatchLocal } = local;
  const { dispatch: dispatchRemote } = remote;
  useEffect(() => {
    dispatchLocal({ type: 'resize', height: layout.listRows });
    dispatchRemote({ type: 'resize', height: layout.listRows });
  }, [layout.listRows, dispatchLocal, dispatchRemote]);


  // Once every transfer of the last batch has ended, its "queued" message
  // gives way to what happened (unless another message replaced it already).
  useEffect(() => {
    const batch = queuedBatch.current;
    if (!batch || message !== batch.message) return;
    const items = transfers.items.filter((item) => item.id >= batch.firstId);
    if (items.length === 0 || !items.every(isFinished)) return;
    queuedBatch.current = undefined;
    const count = (status: string): number => items.filter((item) => item.status === status).length;
    const parts = [`${count('done')} done`, ...(['failed', 'cancelled', 'skipped'] as const).filter((status) => count(status) > 0).map((status) => `${count(status)} ${status}`)];
    const text = `${plural(items.length, 'transfer')} finished: ${parts.join(', ')}`;
    if (count('failed') > 0) fail(`${text} (p: see why)`);
    else info(text);
  }, [transfers, message, info, fail]);

  // ---- connection -------------------------------------------------------

  const askTrust = useCallback(
    (request: { host: string; port: number; fingerprint: string }) =>
      new Promise<boolean>((resolve) => {
        setDialog({ kind: 'trust', ...request, choice: 'no', answer: resolve });
      }),
    [],
  );

  const openSession = useCallback(
    async (params: ConnectParams, keepPath: boolean): Promise<boolean> => {
      setConnection({ status: 'connecting', params });
      info(`connecting to ${formatAddress(params)}…`);
      try {
        const verifyFingerprint = createFingerprintVerifier(trustStore, askTrust);
        const client = await connect({
          host: params.host,
          port: params.port,
          user: params.user || undefined,
          password: params.password || undefined,
          tls: params.tls,
          verifyFingerprint,
        });
        if (quitting.current) {
          client.close('quit');
          return false;
        }
        const remoteFs = createRemoteFs(client, params);
        client.onClose((error) => {
          if (connectionRef.current.client !== client) return;
          if (error) {
            setConnection((current) => ({ ...current, status: 'lost', client: undefined, remoteFs: undefined }));
            fail(`connection lost: ${describeError(error)} — press ^O to reconnect`);
          } else {
            setConnection((current) => ({ ...current, status: 'disconnected', client: undefined, remoteFs: undefined }));
          }
        });
        const next: Connection = { status: 'connected', params, client, remoteFs };
        connectionRef.current = next;
        setConnection(next);
        const who = client.info.user ? ` as ${client.info.user}` : '';
        info(`connected to ${formatAddress(params)}${who}${client.info.tls ? ' (TLS)' : ''}${client.info.readOnly ? ', read-only' : ''}`);
        const path = keepPath ? remoteRef.current.current().path : params.path;
        const loaded = await remoteRef.current.load(remoteFs, path);
        if (!loaded && path !== '/') await remoteRef.current.load(remoteFs, '/');
        queue.pump();
        return true;
      } catch (error) {
        const text = `cannot connect to ${formatAddress(params)}: ${describeError(error)}`;
        setConnection({ status: 'disconnected', params });
        fail(text);
        setDialog({ kind: 'connect', fields: fieldsFrom(params), focus: 'host', error: describeError(error) });
        return false;
      }
    },
    [askTrust, connect, fail, info, queue, trustStore],
  );

  const disconnect = useCallback(async () => {
    const current = connectionRef.current;
    queue.cancelAll();
    const next: Connection = { status: 'disconnected', params: current.params };
    connectionRef.current = next;
    setConnection(next);
    remote.dispatch({ type: 'clear', path: '/' });
    if (current.client) {
      try {
        await current.client.quit();
      } catch {
        current.client.close('disconnect');
      }
    }
    info('disconnected');
    setDialog({ kind: 'connect', fields: fieldsFrom(current.params), focus: 'host' });
  }, [info, queue, remote]);

  const quit = useCallback(async () => {
    if (quitting.current) return;
    quitting.current = true;
    queue.cancelAll();
    const client = connectionRef.current.client;
    connectionRef.current = { status: 'disconnected' };
    if (client) {
      const polite = client.quit().catch(() => undefined);
      const timeout = new Promise((resolve) => setTimeout(resolve, 500).unref());
      await Promise.race([polite, timeout]);
      client.close('quit');
    }
    onQuit();
  }, [onQuit, queue]);

  /** The quit and disconnect keys: ask first while transfers are unfinished (leaving cancels them). */
  const requestLeaving = (leaving: 'quit' | 'disconnect'): void => {
    const unfinished = queue.getState().items.filter((item) => !isFinished(item)).length;
    if (unfinished > 0) setDialog({ kind: 'quit', unfinished, choice: 'no', leaving });
    else if (leaving === 'quit') void quit();
    else void disconnect();
  };
  const requestQuit = (): void => requestLeaving('quit');

  // Quit from outside goes the same way as the quit key: the queue is
  // cancelled, the server gets QUIT, then onQuit restores the terminal.
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
      queue.cancelAll();
      connectionRef.current.client?.close('the UI closed');
    },
    [queue],
  );

  // Start: list the local folder, connect when a URL was given.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void localRef.current.load(localFs, localPath);
    if (initial) void openSession(initial, false);
  }, [initial, localPath, openSession]);

  // ---- pane operations --------------------------------------------------

  const otherSide = (side: PaneSide): PaneSide => (side === 'local' ? 'remote' : 'local');

  const requireRemote = (): PaneFs | undefined => {
    const remoteFs = connectionRef.current.remoteFs;
    if (!remoteFs) fail(connectionRef.current.status === 'lost' ? 'connection lost — press ^O to reconnect' : 'not connected — press ^O to connect');
    return remoteFs;
  };

  const enqueueTransfers = (from: PaneSide): void => {
    const remoteFs = requireRemote();
    if (!remoteFs) return;
    const source = panes[from];
    const target = panes[otherSide(from)];
    const sourceFs = from === 'local' ? localFs : remoteFs;
    const targetFs = from === 'local' ? remoteFs : localFs;
    const entries = targetEntries(source.current()).filter(
      (entry) => entry.kind === EntryKind.FILE || entry.kind === EntryKind.DIRECTORY,
    );
    if (entries.length === 0) {
      fail('nothing to copy (only files and folders are transferred)');
      return;
    }
    let requests: TransferRequest[];
    try {
      requests = entries.map((entry) => ({
        direction: from === 'local' ? 'upload' : 'download',
        name: entry.name,
        source: sourceFs.child(source.current().path, entry.name),
        target: targetFs.child(target.current().path, entry.name),
        isFolder: isDirectory(entry),
      }));
    } catch (error) {
      fail(`nothing queued: ${describeError(error)}`);
      return;
    }
    const firstId = queue.getState().nextId;
    queue.enqueue(requests);
    source.dispatch({ type: 'clear-selection' });
    const queued = { text: `${plural(requests.length, from === 'local' ? 'upload' : 'download')} queued`, kind: 'info' as const };
    queuedBatch.current = { message: queued, firstId };
    setMessage(queued);
  };

  const enterEntry = (side: PaneSide): void => {
    const pane = panes[side];
    const fs = fsOf(side);
    const entry = currentEntry(pane.current());
    if (!fs || !entry) return;
    if (entry.kind === EntryKind.DIRECTORY || entry.kind === EntryKind.SYMLINK) {
      let folder: string;
      try {
        folder = fs.child(pane.current().path, entry.name);
      } catch (error) {
        fail(describeError(error));
        return;
      }
      setFiltering(undefined);
      void pane.load(fs, folder);
    }
  };

  const goParent = (side: PaneSide): void => {
    const pane = panes[side];
    const fs = fsOf(side);
    if (!fs) return;
    const parent = fs.parent(pane.current().path);
    if (parent === pane.current().path) return;
    setFiltering(undefined);
    void pane.load(fs, parent, fs.basename(pane.current().path));
  };

  const runPaneCommand = (command: Command, side: PaneSide): boolean => {
    const pane = panes[side];
    const fs = fsOf(side);
    switch (command) {
      case 'up':
        pane.dispatch({ type: 'move', delta: -1 });
        return true;
      case 'down':
        pane.dispatch({ type: 'move', delta: 1 });
        return true;
      case 'page-up':
        pane.dispatch({ type: 'page', direction: -1 });
        return true;
      case 'page-down':
        pane.dispatch({ type: 'page', direction: 1 });
        return true;
      case 'home':
        pane.dispatch({ type: 'home' });
        return true;
      case 'end':
        pane.dispatch({ type: 'end' });
        return true;
      case 'enter':
        enterEntry(side);
        return true;
      case 'parent':
        goParent(side);
        return true;
      case 'switch-pane':
        setFiltering(undefined);
        setActiveSide(otherSide(side));
        return true;
      case 'filter':
        setFiltering(side);
        return true;
      case 'toggle-hidden':
        pane.dispatch({ type: 'toggle-hidden' });
        return true;
      case 'sort-name':
        pane.dispatch({ type: 'set-sort', key: 'name' });
        return true;
      case 'sort-size':
        pane.dispatch({ type: 'set-sort', key: 'size' });
        return true;
      case 'sort-time':
        pane.dispatch({ type: 'set-sort', key: 'time' });
        return true;
      case 'reverse-sort':
        pane.dispatch({ type: 'reverse-sort' });
        return true;
      case 'refresh':
        if (fs) void pane.load(fs, pane.current().path).then((ok) => ok && info(`refreshed ${fs.label(pane.current().path)}`));
        else requireRemote();
        return true;
      case 'select':
        pane.dispatch({ type: 'toggle-select' });
        return true;
      case 'select-all':
        pane.dispatch({ type: 'select-all' });
        return true;
      case 'invert-selection':
        pane.dispatch({ type: 'invert-selection' });
        return true;
      case 'copy':
        enqueueTransfers(side);
        return true;
      case 'upload':
        enqueueTransfers('local');
        return true;
      case 'download':
        enqueueTransfers('remote');
        return true;
      case 'mkdir':
        if (!fs) return Boolean(requireRemote());
        setDialog({ kind: 'mkdir', side, folder: pane.current().path, field: textField() });
        return true;
      case 'rename': {
        if (!fs) return Boolean(requireRemote());
        const entry = currentEntry(pane.current());
        if (!entry) return true;
        setDialog({ kind: 'rename', side, folder: pane.current().path, from: entry.name, field: textField(entry.name) });
        return true;
      }
      case 'delete': {
        if (!fs) return Boolean(requireRemote());
        const entries = targetEntries(pane.current());
        if (entries.length === 0) return true;
        // The safe answer is the default: Enter keeps everything, `y` deletes.
        setDialog({ kind: 'delete', side, folder: pane.current().path, entries, choice: 'no' });
        return true;
      }
      default:
        return false;
    }
  };

  // ---- dialogs ----------------------------------------------------------

  const runDelete = async (side: PaneSide, folder: string, entries: Entry[]): Promise<void> => {
    const fs = fsOf(side);
    if (!fs) return;
    let deleted = 0;
    for (const entry of entries) {
      try {
        await fs.remove(fs.child(folder, entry.name), entry);
        deleted += 1;
      } catch (error) {
        fail(`cannot delete ${entry.name}: ${describeError(error)}`);
        break;
      }
    }
    if (deleted === entries.length) info(`deleted ${deleted} item${deleted === 1 ? '' : 's'}`);
    panes[side].dispatch({ type: 'clear-selection' });
    await panes[side].load(fs, panes[side].current().path);
  };

  const submitInput = async (current: Extract<Dialog, { kind: 'mkdir' | 'rename' }>): Promise<void> => {
    const fs = fsOf(current.side);
    const name = current.field.value.trim();
    if (!fs) return;
    if (!name) {
      setDialog({ ...current, error: 'type a name' });
      return;
    }
    try {
      const target = fs.resolve(current.folder, name);
      if (current.kind === 'mkdir') {
        await fs.mkdir(target);
        info(`created ${name}`);
      } else {
        if (name === current.from) {
          setDialog(undefined);
          return;
        }
        await fs.rename(fs.child(current.folder, current.from), target);
        info(`renamed ${current.from} → ${name}`);
      }
      setDialog(undefined);
      const pane = panes[current.side];
      await pane.load(fs, pane.current().path, name.includes('/') ? undefined : name);
    } catch (error) {
      setDialog({ ...current, error: describeError(error) });
    }
  };

  const submitConnect = (current: Extract<Dialog, { kind: 'connect' }>): void => {
    const fields = { host: current.fields.host.value, port: current.fields.port.value, user: current.fields.user.value, password: current.fields.password.value };
    const port = Number(fields.port || DEFAULT_PORT);
    if (!fields.host.trim()) {
      setDialog({ ...current, error: 'host is required' });
      return;
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      setDialog({ ...current, error: 'port must be a number from 1 to 65535' });
      return;
    }
    const previous = connectionRef.current.params;
    const params: ConnectParams = {
      host: fields.host.trim(),
      port,
      user: fields.user,
      password: fields.password,
      path: previous?.path ?? '/',
      tls: previous?.tls ?? 'auto',
    };
    setDialog(undefined);
    void openSession(params, false);
  };

  /** A yes/no question: 'yes' or 'no' when answered, the new highlighted button, or undefined for other keys. */
  const answerQuestion = (press: KeyPress, choice: 'yes' | 'no'): { answer: 'yes' | 'no' } | { highlight: 'yes' | 'no' } | undefined => {
    switch (matchCommand(press, 'question')) {
      case 'answer-yes':
        return { answer: 'yes' };
      case 'answer-no':
        return { answer: 'no' };
      case 'confirm':
        return { answer: choice };
      case 'toggle-answer':
        return { highlight: choice === 'yes' ? 'no' : 'yes' };
      default:
        return undefined;
    }
  };

  const dialogHandler = (current: Dialog): KeyHandler => (press) => {
    switch (current.kind) {
      case 'help': {
        const limit = helpScrollLimit(screenSize);
        const scrollTo = (offset: number): void => setDialog({ ...current, offset: Math.max(0, Math.min(limit, offset)) });
        switch (matchCommand(press, 'help')) {
          case 'scroll-up':
            scrollTo(current.offset - 1);
            break;
          case 'scroll-down':
            scrollTo(current.offset + 1);
            break;
          case 'scroll-page-up':
            scrollTo(current.offset - 10);
            break;
          case 'scroll-page-down':
            scrollTo(current.offset + 10);
            break;
          case 'dismiss':
            setDialog(undefined);
            break;
          default:
            break;
        }
        return true;
      }
      case 'connect': {
        const edited = editTextField(current.fields[current.focus], press);
        if (edited) {
          setDialog({ ...current, fields: { ...current.fields, [current.focus]: edited } });
          return true;
        }
        const index = connectFieldOrder.indexOf(current.focus);
        switch (matchCommand(press, 'dialog')) {
          case 'confirm':
            submitConnect(current);
            break;
          case 'dismiss':
            setDialog(undefined);
            info('local pane only — press ^O to connect');
            break;
          case 'next-field':
            setDialog({ ...current, focus: connectFieldOrder[(index + 1) % connectFieldOrder.length] as ConnectField });
            break;
          case 'previous-field':
            setDialog({ ...current, focus: connectFieldOrder[(index + connectFieldOrder.length - 1) % connectFieldOrder.length] as ConnectField });
            break;
          case 'quit':
            requestQuit();
            break;
          default:
            break;
        }
        return true;
      }
      case 'delete': {
        const step = answerQuestion(press, current.choice);
        if (step && 'highlight' in step) setDialog({ ...current, choice: step.highlight });
        else if (step?.answer === 'yes') {
          setDialog(undefined);
          void runDelete(current.side, current.folder, current.entries);
        } else if (step?.answer === 'no') {
          setDialog(undefined);
          info('delete cancelled');
        }
        return true;
      }
      case 'trust': {
        const step = answerQuestion(press, current.choice);
        if (step && 'highlight' in step) setDialog({ ...current, choice: step.highlight });
        else if (step) {
          setDialog(undefined);
          current.answer(step.answer === 'yes');
        }
        return true;
      }
      case 'quit': {
        const step = answerQuestion(press, current.choice);
        if (step && 'highlight' in step) setDialog({ ...current, choice: step.highlight });
        else if (step?.answer === 'yes' && current.leaving === 'quit') void quit();
        else if (step?.answer === 'yes') {
          setDialog(undefined);
          void disconnect();
        } else if (step?.answer === 'no') {
          setDialog(undefined);
          info('still running — p shows the transfers');
        }
        return true;
      }
      case 'mkdir':
      case 'rename': {
        const edited = editTextField(current.field, press);
        if (edited) {
          setDialog({ ...current, field: edited, error: undefined });
          return true;
        }
        const command = matchCommand(press, 'dialog');
        if (command === 'confirm') void submitInput(current);
        else if (command === 'dismiss') setDialog(undefined);
        return true;
      }
      case 'conflict': {
        if (!conflictItem) {
          // Nothing to ask about any more (answered, or cancelled): the key is not this dialog's.
          setDialog(undefined);
          return false;
        }
        const command = matchCommand(press, 'conflict');
        const choices = conflictChoicesFor(conflictItem);
        const byKey = choices.findIndex((entry) => entry.command === command);
        const count = choices.length;
        let chosen: number | undefined;
        if (byKey >= 0) chosen = byKey;
        else if (command === 'confirm') chosen = current.choiceIndex;
        else if (command === 'apply-to-all') setDialog({ ...current, applyToAll: !current.applyToAll });
        else if (command === 'previous-choice') setDialog({ ...current, choiceIndex: (current.choiceIndex + count - 1) % count });
        else if (command === 'next-choice') setDialog({ ...current, choiceIndex: (current.choiceIndex + 1) % count });
        if (chosen !== undefined) {
          const choice = choices[chosen]?.choice ?? 'skip';
          setDialog(undefined);
          void queue.resolveConflict(conflictItem.id, choice, current.applyToAll);
        }
        return true;
      }
      default: {
        const unreachable: never = current;
        return Boolean(unreachable);
      }
    }
  };

  // A conflict in the queue opens its dialog when no other dialog is up; the
  // dialog closes as soon as no item waits for an answer (answered, cancelled).
  useEffect(() => {
    if (conflictItem && !dialog) setDialog({ kind: 'conflict', choiceIndex: 0, applyToAll: false });
    else if (!conflictItem && dialog?.kind === 'conflict') setDialog(undefined);
  }, [conflictItem, dialog, setDialog]);

  // ---- keys ---------------------------------------------------------------

  const filterHandler: KeyHandler = (press) => {
    const side = filteringRef.current;
    if (!side) return false;
    const pane = panes[side];
    switch (matchCommand(press, 'filter')) {
      case 'filter-clear':
        pane.dispatch({ type: 'set-filter', filter: '' });
        setFiltering(undefined);
        return true;
      case 'filter-keep':
        setFiltering(undefined);
        return true;
      case 'filter-erase':
        pane.dispatch({ type: 'erase-filter' });
        return true;
      default:
        break;
    }
    if (isTextInput(press)) {
      pane.dispatch({ type: 'append-filter', text: press.name === 'space' ? ' ' : press.sequence });
      return true;
    }
    return false;
  };

  const paneHandler: KeyHandler = (press) => {
    if (focusRef.current === 'queue') {
      const command = matchCommand(press, 'queue');
      const queueCursor = queueCursorRef.current;
      const item = queue.getState().items[queueCursor];
      switch (command) {
        case 'up':
          setQueueCursor(Math.max(0, queueCursor - 1));
          return true;
        case 'down':
          setQueueCursor(Math.max(0, Math.min(queue.getState().items.length - 1, queueCursor + 1)));
          return true;
        case 'cancel-transfer':
          if (item) queue.cancel(item.id);
          return true;
        case 'retry-transfer':
          if (item) queue.retry(item.id);
          return true;
        case 'clear-finished':
          queue.clearFinished();
          setQueueCursor(0);
          return true;
        case 'dismiss':
          setFocus('panes');
          return true;
        default:
          return false;
      }
    }
    if (filterHandler(press)) return true;
    const command = matchCommand(press, 'pane');
    return command ? runPaneCommand(command, activeSideRef.current) : false;
  };

  const globalHandler: KeyHandler = (press) => {
    switch (matchCommand(press, 'global')) {
      case 'quit':
        requestQuit();
        return true;
      case 'help':
        setDialog({ kind: 'help', offset: 0 });
        return true;
      case 'disconnect':
        if (connectionRef.current.status === 'connected' || connectionRef.current.status === 'lost') requestLeaving('disconnect');
        else setDialog({ kind: 'connect', fields: fieldsFrom(connectionRef.current.params), focus: 'host' });
        return true;
      case 'reconnect': {
        const current = connectionRef.current;
        if (current.status === 'lost' && current.params) {
          void openSession(current.params, true).then((connected) => {
            // The same server again: what the drop interrupted goes on from where it stopped.
            const resumed = connected ? queue.resumeLost() : 0;
            if (resumed > 0) info(`reconnected — resuming ${plural(resumed, 'transfer')}`);
          });
        }
        else if (current.status !== 'connected' && current.status !== 'connecting')
          setDialog({ kind: 'connect', fields: fieldsFrom(current.params), focus: 'host' });
        else info(`already connected to ${current.params ? formatAddress(current.params) : 'the server'}`);
        return true;
      }
      case 'focus-queue':
        if (focusRef.current === 'queue') setFocus('panes');
        else if (transfers.items.length > 0) {
          setFocus('queue');
          const firstOpen = transfers.items.findIndex((item) => !isFinished(item));
          setQueueCursor(firstOpen >= 0 ? firstOpen : transfers.items.length - 1);
        } else info('no transfers');
        return true;
      default:
        return false;
    }
  };

  useKeypress((press) => {
    // Ctrl-C quits cleanly whatever has the focus: it asks first while
    // transfers run, and a second Ctrl-C at that question quits.
    if (matchCommand(press, 'anywhere') === 'quit') {
      const asking = dialogRef.current;
      if (asking?.kind === 'quit' && asking.leaving === 'quit') void quit();
      else requestQuit();
      return;
    }
    const currentDialog = dialogRef.current;
    dispatchKey(press, {
      dialog: currentDialog ? dialogHandler(currentDialog) : undefined,
      pane: paneHandler,
      global: globalHandler,
    });
  });

  // ---- render -------------------------------------------------------------

  const params = connection.params;
  const remoteLocation = remoteHeader(connection, remote.state.path);
  const remotePlaceholder =
    connection.status === 'connected'
      ? undefined
      : connection.status === 'connecting'
        ? 'connecting…'
        : connection.status === 'lost'
          ? 'connection lost — ^O reconnects (local pane keeps working)'
          : 'not connected — ^O to connect, F10 to quit';
  const activePane = panes[activeSide].state;
  const localView = useMemo(() => paneView(local.state), [local.state]);
  const remoteView = useMemo(() => paneView(remote.state), [remote.state]);
  const counts = `${activePane.selected.size > 0 ? `${activePane.selected.size} selected · ` : ''}${activePane.cursor + (activePane.view.length ? 1 : 0)}/${activePane.view.length}`;
  const screen = { columns: layout.columns, rows: layout.rows };

  return (
    <Box flexDirection="column" width={layout.columns} height={layout.rows - 1}>
      <Box>
        <Pane
          view={localView}
          location={`local:${local.state.path}`}
          active={activeSide === 'local' && focus === 'panes' && !dialog}
          width={layout.paneWidths[0]}
          height={layout.paneHeight}
          longTime={layout.longTime}
          filtering={filtering === 'local'}
        />
        <Pane
          view={remoteView}
          location={remoteLocation}
          active={activeSide === 'remote' && focus === 'panes' && !dialog}
          width={layout.paneWidths[1]}
          height={layout.paneHeight}
          longTime={layout.longTime}
          filtering={filtering === 'remote'}
          placeholder={remotePlaceholder}
        />
      </Box>
      <TransferPanel
        items={transfers.items}
        rows={layout.transferRows}
        width={layout.columns}
        focused={focus === 'queue'}
        cursor={queueCursor}
      />
      <StatusLine
        connection={connection.status}
        address={params && connection.status !== 'disconnected' ? formatAddress(params) : ''}
        message={message.text}
        messageKind={message.kind}
        counts={counts}
        width={layout.columns}
      />
      <HintBar width={layout.columns} />
      {dialog ? renderDialog(dialog) : null}
    </Box>
  );

  function renderDialog(current: Dialog): React.JSX.Element | null {
    switch (current.kind) {
      case 'connect':
        return (
          <ConnectDialog
            fields={current.fields}
            focus={current.focus}
            error={current.error}
            connecting={connection.status === 'connecting'}
            screen={screen}
          />
        );
      case 'help':
        return <HelpOverlay screen={screen} offset={current.offset} />;
      case 'delete': {
        const fs = fsOf(current.side);
        const shown = current.entries.slice(0, 6).map((entry) => `  ${entry.name}${isDirectory(entry) ? '/  (folder and everything in it)' : ''}`);
        const more = current.entries.length > shown.length ? [`  … and ${current.entries.length - shown.length} more`] : [];
        return (
          <ConfirmDialog
            title={`Delete ${current.entries.length} item${current.entries.length === 1 ? '' : 's'}?`}
            lines={[`From ${fs ? fs.label(current.folder) : current.folder}:`, ...shown, ...more]}
            choice={current.choice}
            yesLabel="Delete"
            screen={screen}
          />
        );
      }
      case 'mkdir':
      case 'rename':
        return (
          <InputDialog
            title={current.kind === 'mkdir' ? 'Make folder' : `Rename/move ${current.from}`}
            prompt={current.kind === 'mkdir' ? `New folder in ${current.folder}:` : 'New name, or a path relative to this folder:'}
            field={current.field}
            error={current.error}
            screen={screen}
          />
        );
      case 'quit':
        return (
          <ConfirmDialog
            title={current.leaving === 'quit' ? 'Quit Ferry?' : 'Disconnect?'}
            lines={[
              `${plural(current.unfinished, 'transfer')} still running or waiting;`,
              `${current.leaving === 'quit' ? 'quitting' : 'disconnecting'} cancels them. Copying them again`,
              'later resumes where they stopped.',
            ]}
            choice={current.choice}
            yesLabel={current.leaving === 'quit' ? 'Quit' : 'Disconnect'}
            screen={screen}
          />
        );
      case 'trust':
        return <TrustDialog host={current.host} port={current.port} fingerprint={current.fingerprint} choice={current.choice} screen={screen} />;
      case 'conflict':
        return conflictItem ? (
          <ConflictDialog item={conflictItem} choiceIndex={current.choiceIndex} applyToAll={current.applyToAll} screen={screen} />
        ) : null;
      default: {
        const unreachable: never = current;
        return unreachable;
      }
    }
  }
}
