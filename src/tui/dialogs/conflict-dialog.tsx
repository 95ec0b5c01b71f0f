/**
 * "Target exists": asked for the queue's transfer that waits for an answer.
 * It opens when such a transfer appears and no other dialog is up, and
 * closes as soon as none waits any more (answered, cancelled). It opens by
 * itself, so it ignores keys for a moment after it appears (input-guard.ts),
 * and its highlighted answer is the safe one, Skip.
 */
import React from 'react';
import { matchCommand } from '../keys/keymap.js';
import { ConflictDialog, conflictChoicesFor } from '../components/ConflictDialog.js';
import type { ConflictChoice } from '../transfers/transfer-queue.js';
import type { TransferItem } from '../state/transfers.js';
import { typedTooSoon, useListening, type Guarded } from './input-guard.js';
import type { DialogModule } from './dialog.js';

export interface ConflictDialogState extends Guarded {
  kind: 'conflict';
  /** The highlighted button. */
  choice: ConflictChoice;
  applyToAll: boolean;
}

export function conflictDialog(nowMs: number = Date.now()): ConflictDialogState {
  return { kind: 'conflict', choice: 'skip', applyToAll: false, guardedSince: nowMs };
}

function GuardedConflictDialog({ state, item, screen }: { state: ConflictDialogState; item: TransferItem; screen: { columns: number; rows: number } }): React.JSX.Element {
  const listening = useListening(state);
  const choiceIndex = conflictChoicesFor(item).findIndex((entry) => entry.choice === state.choice);
  return <ConflictDialog item={item} choiceIndex={choiceIndex} applyToAll={state.applyToAll} ready={listening} screen={screen} />;
}

export const conflictDialogModule: DialogModule<ConflictDialogState> = {
  onKey(state, press, host) {
    const item = host.conflictItem;
    if (!item) {
      // Nothing to ask about any more (answered, or cancelled): the key is not this dialog's.
      host.show(undefined);
      return false;
    }
    if (typedTooSoon(state)) {
      host.show({ ...state, guardedSince: Date.now() });
      host.info('key ignored: the question had just appeared — answer it now');
      return true;
    }
    const command = matchCommand(press, 'conflict');
    const choices = conflictChoicesFor(item);
    const byKey = choices.findIndex((entry) => entry.command === command);
    const count = choices.length;
    const highlighted = Math.max(0, choices.findIndex((entry) => entry.choice === state.choice));
    const highlight = (index: number): void => host.show({ ...state, choice: choices[(index + count) % count]?.choice ?? 'skip' });
    let chosen: number | undefined;
    if (byKey >= 0) chosen = byKey;
    else if (command === 'confirm') chosen = highlighted;
    else if (command === 'apply-to-all') host.show({ ...state, applyToAll: !state.applyToAll });
    else if (command === 'previous-choice') highlight(highlighted - 1);
    else if (command === 'next-choice') highlight(highlighted + 1);
    if (chosen !== undefined) {
      const choice = choices[chosen]?.choice ?? 'skip';
      host.show(undefined);
      void host.queue.resolveConflict(item.id, choice, state.applyToAll);
    }
    return true;
  },
  render: (state, host) =>
    host.conflictItem ? <GuardedConflictDialog state={state} item={host.conflictItem} screen={host.screen} /> : null,
};
