/**
 * "Copy to:" (F5, c), as mc asks: the target folder — the other pane's —
 * in an editable field. Enter queues the copies; a path that names no folder
 * is, for one entry, the new name of the copy, and an error otherwise.
 */
import { textField, type TextFieldState } from '../state/text-field.js';
import { InputDialog } from '../components/InputDialog.js';
import type { DialogModule } from './dialog.js';
import { inputDialogKey } from './input-keys.js';

export interface CopyDialogState {
  kind: 'copy';
  /** `Upload 3 items to:`, `Download a.txt to:`. */
  title: string;
  /** Which side the path is on: "remote folder", "local folder". */
  where: string;
  field: TextFieldState;
  error?: string | undefined;
  /** Queues the copies to the typed path; resolves an error to show, or undefined once queued. */
  submit: (typed: string) => Promise<string | undefined>;
}

export function copyDialog(title: string, where: string, targetFolder: string, submit: CopyDialogState['submit']): CopyDialogState {
  return { kind: 'copy', title, where, field: textField(targetFolder), submit };
}

export const copyDialogModule: DialogModule<CopyDialogState> = {
  onKey(state, press, host) {
    const command = inputDialogKey(state, press, host);
    if (command === 'dismiss') {
      host.show(undefined);
      host.info('copy cancelled');
    } else if (command === 'confirm') {
      const typed = state.field.value.trim();
      if (!typed) host.show({ ...state, error: 'type the target folder' });
      else {
        void state.submit(typed).then((error) => host.show(error === undefined ? undefined : { ...state, error }));
      }
    }
    return true;
  },
  render: (state, host) => (
    <InputDialog title={state.title} prompt={`To (${state.where}):`} field={state.field} error={state.error} screen={host.screen} />
  ),
};
