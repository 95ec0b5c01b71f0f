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

/** The onKey of an input dialog whose Enter runs `submit` and whose Esc closes it (make folder, rename, move, go to, permissions). */
export function submitOrClose<State extends Dialog & { field: TextFieldState; error?: string | undefined }>(
  submit: (state: State, host: DialogHost) => Promise<void>,
): (state: State, press: KeyPress, host: DialogHost) => boolean {
  return (state, press, host) => {
    const command = inputDialogKey(state, press, host);
    if (command === 'confirm') void submit(state, host);
    else if (command === 'dismiss') host.show(undefined);
    return true;
  };
}
