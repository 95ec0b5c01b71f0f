/**
 * The keys every one-line input dialog shares (make folder, rename, go to,
 * permissions, copy's "to", select by pattern): editing keys change the field
 * and clear the last error; Enter and Esc are handed back for the dialog to
 * act on.
 */
import { matchCommand } from '../keys/keymap.js';
import type { KeyPress } from '../keys/parse-key.js';
import { editTextField, type TextFieldState } from '../state/text-field.js';
import type { Dialog } from './all-dialogs.js';
import type { DialogHost } from './dialog.js';

export function inputDialogKey<State extends Dialog & { field: TextFieldState; error?: string | undefined }>(
  state: State, press: KeyPress, host: DialogHost,
): 'confirm' | 'dismiss' | undefined {
  const edited = editTextField(state.field, press);
  if (edited) {
    // The same dialog with its field edited: still a State, which TypeScript cannot see through the spread.
    host.show({ ...state, field: edited, error: undefined } as State);
    return undefined;
  }
  const command = matchCommand(press, 'dialog');
  return command === 'confirm' || command === 'dismiss' ? command : undefined;
}
