/**
 * "Target exists": asked for the queue's transfer that waits for an answer.
 * It opens when such a transfer appears and no other dialog is up, and
 * closes as soon as none waits any more (answered, cancelled).
 */
import { matchCommand } from '../keys/keymap.js';
import { ConflictDialog, conflictChoicesFor } from '../components/ConflictDialog.js';
import type { DialogModule } from './dialog.js';

export interface ConflictDialogState {
  kind: 'conflict';
  /** The highlighted button. */
  choiceIndex: number;
  applyToAll: boolean;
}

export function conflictDialog(): ConflictDialogState {
  return { kind: 'conflict', choiceIndex: 0, applyToAll: false };
}

export const conflictDialogModule: DialogModule<ConflictDialogState> = {
  onKey(state, press, host) {
    const item = host.conflictItem;
    if (!item) {
      // Nothing to ask about any more (answered, or cancelled): the key is not this dialog's.
      host.show(undefined);
      return false;
    }
    const command = matchCommand(press, 'conflict');
    const choices = conflictChoicesFor(item);
    const byKey = choices.findIndex((entry) => entry.command === command);
    const count = choices.length;
    let chosen: number | undefined;
    if (byKey >= 0) chosen = byKey;
    else if (command === 'confirm') chosen = state.choiceIndex;
    else if (command === 'apply-to-all') host.show({ ...state, applyToAll: !state.applyToAll });
    else if (command === 'previous-choice') host.show({ ...state, choiceIndex: (state.choiceIndex + count - 1) % count });
    else if (command === 'next-choice') host.show({ ...state, choiceIndex: (state.choiceIndex + 1) % count });
    if (chosen !== undefined) {
      const choice = choices[chosen]?.choice ?? 'skip';
      host.show(undefined);
      void host.queue.resolveConflict(item.id, choice, state.applyToAll);
    }
    return true;
  },
  render: (state, host) =>
    host.conflictItem ? (
      <ConflictDialog item={host.conflictItem} choiceIndex={state.choiceIndex} applyToAll={state.applyToAll} screen={host.screen} />
    ) : null,
};
