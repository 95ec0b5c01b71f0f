/**
 * "Changed on the server while you edited": F4's upload would replace a
 * remote file that is no longer the one that was downloaded. Overwrite it,
 * keep the server's (the edit is dropped), or save the edit as a local copy;
 * Esc saves the copy, so no answer loses anything.
 */
import { matchCommand } from '../keys/keymap.js';
import { DialogFrame, DialogLine, dialogWidth } from '../components/DialogFrame.js';
import type { DialogModule } from './dialog.js';

export type EditConflictAnswer = 'overwrite' | 'keep-remote' | 'save-copy';

export interface EditConflictDialogState {
  kind: 'edit-conflict';
  /** The remote file, as the pane labels it. */
  label: string;
  /** What changed: `size 10 → 12, modified 10:01 → 10:07`. */
  change: string;
  answer: (answer: EditConflictAnswer) => void;
}

export function editConflictDialog(label: string, change: string, answer: (answer: EditConflictAnswer) => void): EditConflictDialogState {
  return { kind: 'edit-conflict', label, change, answer };
}

const answers: Partial<Record<string, EditConflictAnswer>> = {
  'edit-overwrite': 'overwrite',
  'edit-keep-remote': 'keep-remote',
  'edit-save-copy': 'save-copy',
};

export const editConflictDialogModule: DialogModule<EditConflictDialogState> = {
  onKey(state, press, host) {
    const answer = answers[matchCommand(press, 'edit-conflict') ?? ''];
    if (answer) {
      host.show(undefined);
      state.answer(answer);
    }
    return true;
  },
  render: (state, host) => {
    const width = dialogWidth(70, host.screen);
    return (
      <DialogFrame title="Changed on the server while you edited" width={width} screen={host.screen} tone="danger">
        <DialogLine width={width}>{state.label}</DialogLine>
        <DialogLine width={width}>{state.change}</DialogLine>
        <DialogLine width={width}>{''}</DialogLine>
        <DialogLine width={width}>o: overwrite it with your edit</DialogLine>
        <DialogLine width={width}>k: keep the server's file (your edit is dropped)</DialogLine>
        <DialogLine width={width}>s/Esc: save your edit beside it in the local pane's folder</DialogLine>
      </DialogFrame>
    );
  },
};
