/**
 * F6 with a selection: "Move N items to folder:" (as mc asks for a target
 * folder). The selected entries move into the typed folder, on the same side,
 * keeping their names; nothing is replaced.
 */
import { textField, type TextFieldState } from '../state/text-field.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { EntryKind } from '../../protocol/messages.js';
import { describeError } from '../describe-error.js';
import { plural } from '../format.js';
import { InputDialog } from '../components/InputDialog.js';
import type { DialogHost, DialogModule } from './dialog.js';
import { submitOrClose } from './input-keys.js';

export interface MoveDialogState {
  kind: 'move';
  side: PaneSide;
  folder: string;
  names: readonly string[];
  field: TextFieldState;
  error?: string | undefined;
}

/** The field starts with the current folder: the user edits it into the target. */
export function moveDialog(side: PaneSide, folder: string, names: readonly string[]): MoveDialogState {
  return { kind: 'move', side, folder, names, field: textField(folder) };
}

/**
 * Moves every entry that can move; those that cannot (a name taken in the
 * target, no permission) stay in the dialog with the first one's reason, so
 * the target can be corrected and Enter tried again for them.
 */
async function submit(state: MoveDialogState, host: DialogHost): Promise<void> {
  const fs = host.fsOf(state.side);
  const typed = state.field.value.trim();
  if (!fs) return;
  if (!typed) {
    host.show({ ...state, error: 'type the folder to move them to' });
    return;
  }
  const pane = host.panes[state.side];
  let target: string;
  try {
    target = fs.resolve(state.folder, typed);
    const found = await fs.stat(target);
    if (!found || found.kind !== EntryKind.DIRECTORY) {
      host.show({ ...state, error: `${typed} is not a folder${found ? '' : ' (make it with F7 first)'}` });
      return;
    }
  } catch (error) {
    host.show({ ...state, error: describeError(error) });
    return;
  }
  if (target === state.folder) {
    host.show(undefined);
    return;
  }
  const failed: { name: string; why: string }[] = [];
  for (const name of state.names) {
    try {
      await fs.rename(fs.child(state.folder, name), fs.child(target, name));
    } catch (error) {
      failed.push({ name, why: describeError(error) });
    }
  }
  const moved = state.names.length - failed.length;
  if (failed.length === 0) {
    host.show(undefined);
    host.info(`moved ${plural(moved, 'item')} to ${typed}`);
    pane.dispatch({ type: 'clear-selection' });
  } else {
    host.show({
      ...state, names: failed.map((entry) => entry.name),
      error: `moved ${moved}; cannot move ${plural(failed.length, 'item')}: ${failed[0]!.name}: ${failed[0]!.why}`,
    });
  }
  await pane.load(fs, pane.current().path);
}

export const moveDialogModule: DialogModule<MoveDialogState> = {
  onKey: submitOrClose(submit),
  render: (state, host) => (
    <InputDialog
      title={`Move ${plural(state.names.length, 'item')}`}
      prompt={`To folder (absolute, or relative to ${state.folder}):`}
      field={state.field}
      error={state.error}
      screen={host.screen}
    />
  ),
};
