/** "Delete N items?" (F8): names what goes; No is the default answer. */
import type { Entry } from '../../protocol/messages.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { isDirectory } from '../state/pane.js';
import { describeError } from '../describe-error.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { answerQuestion, type Answer } from './question.js';
import type { DialogHost, DialogModule } from './dialog.js';

export interface DeleteDialogState {
  kind: 'delete';
  side: PaneSide;
  folder: string;
  entries: Entry[];
  choice: Answer;
}

/** Entries named in the dialog; the rest are counted. */
const SHOWN_ENTRIES = 6;

export function deleteDialog(side: PaneSide, folder: string, entries: Entry[]): DeleteDialogState {
  // The safe answer is the default: Enter keeps everything, `y` deletes.
  return { kind: 'delete', side, folder, entries, choice: 'no' };
}

/** How often the status line says how far a long delete got. */
const PROGRESS_INTERVAL_MS = 200;

/**
 * Deletes one entry after the other, off the key path (the keys go on while it
 * runs), saying on the status line how far it got: entries removed for a local
 * folder, the time it has taken for a remote one (the server removes a tree in
 * one request and says nothing until it is done). Stops at the first failure,
 * which it reports.
 */
async function deleteEntries({ side, folder, entries }: DeleteDialogState, host: DialogHost): Promise<void> {
  const fs = host.fsOf(side);
  if (!fs) return;
  let deleted = 0;
  for (const entry of entries) {
    const started = Date.now();
    let removed: number | undefined;
    let shownAt = 0;
    const show = (): void => {
      shownAt = Date.now();
      const seconds = Math.floor((shownAt - started) / 1000);
      const sofar = removed !== undefined ? ` ${removed.toLocaleString('en-US')} removed` : seconds > 0 ? ` ${seconds} s` : '';
      host.info(`deleting ${entry.name}${isDirectory(entry) ? '/' : ''}…${sofar}`);
    };
    show();
    const ticker = setInterval(show, 1000);
    ticker.unref();
    try {
      await fs.remove(fs.child(folder, entry.name), entry, (count) => {
        removed = count;
        if (Date.now() - shownAt >= PROGRESS_INTERVAL_MS) show();
      });
      deleted += 1;
    } catch (error) {
      host.fail(`cannot delete ${entry.name}: ${describeError(error)}`);
      break;
    } finally {
      clearInterval(ticker);
    }
  }
  if (deleted === entries.length) host.info(`deleted ${deleted} item${deleted === 1 ? '' : 's'}`);
  const pane = host.panes[side];
  pane.dispatch({ type: 'clear-selection' });
  await pane.load(fs, pane.current().path);
}

export const deleteDialogModule: DialogModule<DeleteDialogState> = {
  onKey(state, press, host) {
    const step = answerQuestion(press, state.choice);
    if (step && 'highlight' in step) host.show({ ...state, choice: step.highlight });
    else if (step?.answer === 'yes') {
      host.show(undefined);
      void deleteEntries(state, host);
    } else if (step?.answer === 'no') {
      host.show(undefined);
      host.info('delete cancelled');
    }
    return true;
  },
  render(state, host) {
    const fs = host.fsOf(state.side);
    const shown = state.entries.slice(0, SHOWN_ENTRIES).map((entry) => `  ${entry.name}${isDirectory(entry) ? '/  (folder and everything in it)' : ''}`);
    const more = state.entries.length > shown.length ? [`  … and ${state.entries.length - shown.length} more`] : [];
    return (
      <ConfirmDialog
        title={`Delete ${state.entries.length} item${state.entries.length === 1 ? '' : 's'}?`}
        lines={[`From ${fs ? fs.label(state.folder) : state.folder}:`, ...shown, ...more]}
        choice={state.choice}
        yesLabel="Delete"
        screen={host.screen}
      />
    );
  },
};
