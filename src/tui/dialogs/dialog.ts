/**
 * What a dialog is: a module owning its state (a plain value with a `kind`),
 * what its keys do, and what it does when answered. The App holds whichever
 * dialog is up and hands it every key first (keys/dispatcher.ts); a dialog
 * reaches the rest of the UI only through the DialogHost.
 */
import type React from 'react';
import type { KeyPress } from '../keys/parse-key.js';
import type { PaneFs, PaneSide } from '../fs/pane-fs.js';
import type { PaneController } from '../hooks/use-pane.js';
import type { Connection } from '../hooks/use-connection.js';
import type { TransferQueue } from '../transfers/transfer-queue.js';
import type { TransferItem } from '../state/transfers.js';
import type { ConnectParams } from '../connect-params.js';
import type { Remote } from '../../remote/remote.js';
import type { ConnectChoice } from '../saved-connections.js';
import type { Dialog } from './all-dialogs.js';
import type { LogEntry } from '../state/message-log.js';

export interface DialogHost {
  screen: { columns: number; rows: number };
  /** Replaces the dialog that is up (undefined closes it). */
  show: (dialog: Dialog | undefined) => void;
  info: (text: string) => void;
  fail: (text: string) => void;
  /** Every message of the session so far, oldest first (the message log). */
  messageLog: () => readonly LogEntry[];
  panes: Record<PaneSide, PaneController>;
  /** The filesystem of a pane; the remote one only while connected. */
  fsOf: (side: PaneSide) => PaneFs | undefined;
  queue: TransferQueue;
  /** The queue's transfer waiting for a "target exists" answer, if any. */
  conflictItem: TransferItem | undefined;
  connection: () => Connection;
  /** The left pane's session (it may be connected to a server too; `disconnected` while it is local). */
  leftConnection: () => Connection;
  /** The session of the server a pane shows, if it shows one (either pane may). */
  sessionOf: (side: PaneSide) => Remote | undefined;
  /** Opens a session for a pane (the right one unless `side` says otherwise). */
  openSession: (params: ConnectParams, side?: PaneSide) => void;
  /** What the connect dialog offers to pick: bookmarks, recent connections, ~/.ssh/config hosts. */
  connectChoices: () => readonly ConnectChoice[];
  /** The quit key: asks first while transfers are unfinished. */
  requestQuit: () => void;
  quit: () => void;
  /** Ends a pane's session (the right one's unless `side` says otherwise) and cancels the transfers through it. */
  disconnect: (side?: PaneSide) => void;
}

export interface DialogModule<State> {
  /** Handles a key while the dialog is up; false only when the key is not the dialog's (it passes to the layers below). */
  onKey: (state: State, press: KeyPress, host: DialogHost) => boolean;
  render: (state: State, host: DialogHost) => React.JSX.Element | null;
}
