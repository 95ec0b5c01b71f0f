/** The dialogs that ask for a name: make folder (F7) and rename/move (F6). */
import { textField, type TextFieldState } from '../state/text-field.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { describeError } from '../describe-error.js';
import { InputDialog } from '../components/InputDialog.js';
import type { DialogHost, DialogModule } from './dialog.js';
import { submitOrClose } from './input-keys.js';

interface NameDialogBase {
  side: PaneSide;
  folder: string;
  field: TextFieldState;
  error?: string | undefined;
}

export type NameDialogState = (NameDialogBase & { kind: 'mkdir' }) | (NameDialogBase & { kind: 'rename'; from: string });

export function mkdirDialog(side: PaneSide, folder: string): NameDialogState {
  return { kind: 'mkdir', side, folder, field: textField() };
}

export function renameDialog(side: PaneSide, folder: string, from: string): NameDialogState {
  return { kind: 'rename', side, folder, from, field: textField(from) };
}

/** Makes the folder or renames; a failure stays in the dialog so the name can be corrected. */
async function submit(state: NameDialogState, host: DialogHost): Promise<void> {
  const fs = host.fsOf(state.side);
  const name = state.field.value.trim();
  if (!fs) return;
  if (!name) {
    host.show({ ...state, error: 'type a name' });
    return;
  }
  try {
    const target = fs.resolve(state.folder, name);
    if (state.kind === 'mkdir') {
      await fs.mkdir(target);
      host.info(`created ${name}`);
    } else {
      if (name === state.from) {
        host.show(undefined);
        return;
      }
      await fs.rename(fs.child(state.folder, state.from), target);
      host.info(`renamed ${state.from} → ${name}`);
    }
    host.show(undefined);
    const pane = host.panes[state.side];
    await pane.load(fs, pane.current().path, name.includes('/') ? undefined : name);
  } catch (error) {
    host.show({ ...state, error: describeError(error) });
  }
}

export const nameDialogModule: DialogModule<NameDialogState> = {
  onKey: submitOrClose(submit),
  render: (state, host) => (
    <InputDialog
      title={state.kind === 'mkdir' ? 'Make folder' : `Rename/move ${state.from}`}
      prompt={state.kind === 'mkdir' ? `New folder in ${state.folder}:` : 'New name, or a path relative to this folder:'}
      field={state.field}
      error={state.error}
      screen={host.screen}
    />
  ),
};
