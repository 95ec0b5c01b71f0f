/**
 * What the key commands act on: everything a dialog reaches, plus the UI's
 * focus (which pane, the queue, the filter). Commands are plain functions of
 * this context, so the App only wires keys to them.
 */
import type { PaneSide } from '../fs/pane-fs.js';
import type { DialogHost } from '../dialogs/dialog.js';
import type { RunInTerminal } from '../hooks/use-terminal-handoff.js';

export interface ActionContext extends DialogHost {
  /** Shows `text` until the transfers from `firstId` on have ended, then their summary. */
  announceBatch: (text: string, firstId: number) => void;
  /** The pane whose `/` filter takes typed characters, if any. */
  filtering: () => PaneSide | undefined;
  setFiltering: (side: PaneSide | undefined) => void;
  setActiveSide: (side: PaneSide) => void;
  focus: () => 'panes' | 'queue';
  setFocus: (focus: 'panes' | 'queue') => void;
  queueCursor: () => number;
  setQueueCursor: (index: number) => void;
  /** Lends the terminal to a program (the editor) until it ends. */
  runInTerminal: RunInTerminal;
  /** Opens the session of a pane (`local`: the left one) to its last server again, keeping the folder it showed. */
  reconnect: (side: PaneSide) => Promise<boolean>;
  /** The pane with the cursor. */
  activeSide: () => PaneSide;
}
