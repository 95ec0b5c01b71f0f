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
 * How long a folder's delete waits after its first count is shown: longer than
 * Ink's frame interval (33 ms), so that count is drawn before the delete can
 * end, however fast it goes (a fast delete otherwise only ever showed
 * "deleting big/…" and then "deleted").
 */
const FIRST_COUNT_SHOWN_MS = 100;

/** A folder is big enough to wait for its count to be seen once this many entries are gone (small ones go at once). */
const BIG_FOLDER_ENTRIES = 256;

/**
 * Deletes one entry after the other, off the key path (the keys go on while it
 * runs), saying on the status line how far it got: entries removed so far, for
 * a local folder and a remote one alike (remove-remote-tree.ts deletes a
 * remote tree file by file so it can count). Stops at the first failure, which
 * it reports; the final message says how many entries went.
 */
async function deleteEntries({ side, folder, entries }: DeleteDialogState, host: DialogHost): Promise<void> {
  const fs = host.fsOf(side);
  if (!fs) return;
  let deleted = 0;
  let removedInAll = 0;
  for (const entry of entries) {
    const started = Date.now();
    let removed: number | undefined;
    let shownAt = 0;
    let firstCountShown = false;
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
        if (!firstCountShown && count >= BIG_FOLDER_ENTRIES) {
          firstCountShown = true;
          show();
          return new Promise<void>((resolve) => setTimeout(resolve, FIRST_COUNT_SHOWN_MS));
        }
        if (Date.now() - shownAt >= PROGRESS_INTERVAL_MS) show();
        return undefined;
      });
      deleted += 1;
      removedInAll += removed ?? 1;
    } catch (error) {
      const sofar = removed !== undefined ? ` after removing ${removed.toLocaleString('en-US')} entries` : '';
      host.fail(`cannot delete ${entry.name}${sofar}: ${describeError(error)}`);
      break;
    } finally {
      clearInterval(ticker);
    }
  }
  if (deleted === entries.length) {
    const inAll = removedInAll > deleted ? ` (${removedInAll.toLocaleString('en-US')} entries with what the folders held)` : '';
    host.info(`deleted ${deleted} item${deleted === 1 ? '' : 's'}${inAll}`);
  }
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
