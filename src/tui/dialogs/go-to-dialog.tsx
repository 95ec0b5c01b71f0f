/**
 * Go to a path (^G) on either pane: a folder opens; a file opens its folder
 * with the cursor on it. Relative paths start from the pane's folder; on the
 * local pane `~` is the home folder. A path that cannot be opened keeps the
 * dialog open with the reason, so it can be corrected.
 */
import os from 'node:os';
import { textField, type TextFieldState } from '../state/text-field.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { EntryKind } from '../../protocol/messages.js';
import { describeError } from '../describe-error.js';
import { InputDialog } from '../components/InputDialog.js';
import type { DialogHost, DialogModule } from './dialog.js';
import { submitOrClose } from './input-keys.js';

export interface GoToDialogState {
  kind: 'go-to';
  side: PaneSide;
  folder: string;
  field: TextFieldState;
  error?: string | undefined;
}

export function goToDialog(side: PaneSide, folder: string): GoToDialogState {
  return { kind: 'go-to', side, folder, field: textField(folder) };
}

function expandHome(side: PaneSide, typed: string): string {
  if (side !== 'local') return typed;
  if (typed === '~') return os.homedir();
  return typed.startsWith('~/') ? os.homedir() + typed.slice(1) : typed;
}

async function submit(state: GoToDialogState, host: DialogHost): Promise<void> {
  const fs = host.fsOf(state.side);
  const typed = state.field.value.trim();
  if (!fs || !typed) {
    host.show(fs ? { ...state, error: 'type a path' } : undefined);
    return;
  }
  try {
    const target = fs.resolve(state.folder, expandHome(state.side, typed));
    const entry = await fs.stat(target);
    if (!entry) {
      host.show({ ...state, error: `nothing at ${fs.label(target)}` });
      return;
    }
    const pane = host.panes[state.side];
    const isFolder = entry.kind === EntryKind.DIRECTORY || entry.kind === EntryKind.SYMLINK;
    // A symlink is tried as a folder first; if it is not one, its folder opens on it.
    const opened = isFolder && (await pane.load(fs, target));
    if (!opened) {
      const parent = fs.parent(target);
      if (!(await pane.load(fs, parent, fs.basename(target)))) return;
    }
    host.show(undefined);
  } catch (error) {
    host.show({ ...state, error: describeError(error) });
  }
}

export const goToDialogModule: DialogModule<GoToDialogState> = {
  onKey: submitOrClose(submit),
  render: (state, host) => (
    <InputDialog
      title={`Go to (${state.side} pane)`}
      prompt={state.side === 'local' ? 'Folder or file; relative to this folder, ~ for home:' : 'Folder or file; relative to this folder:'}
      field={state.field}
      error={state.error}
      screen={host.screen}
    />
  ),
};
