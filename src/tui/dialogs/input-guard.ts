/**
 * A dialog that opens by itself (the "target exists" question, when a queued
 * transfer reaches an existing target) must not take keys the user typed for
 * the panes before it appeared: `r` would resume, `n` rename, `a` apply to
 * all. Such a dialog records when it appeared and ignores keys for a moment;
 * each key ignored restarts the moment, so a burst of typing ends before the
 * dialog listens.
 */
import { useEffect, useState } from 'react';

/** How long a dialog that opened by itself ignores keys. */
export const INPUT_GUARD_MS = 400;

export interface Guarded {
  /** When the dialog appeared, or when it last ignored a key (Date.now()). */
  guardedSince: number;
}

/** Whether a key pressed at `nowMs` is still too soon for the dialog. */
export function typedTooSoon(dialog: Guarded, nowMs: number = Date.now()): boolean {
  return nowMs - dialog.guardedSince < INPUT_GUARD_MS;
}

/** False until the dialog listens (re-renders once then), for drawing its buttons dimmed meanwhile. */
export function useListening(dialog: Guarded): boolean {
  const [, setTick] = useState(0);
  const left = dialog.guardedSince + INPUT_GUARD_MS - Date.now();
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setTick((tick) => tick + 1), left + 10);
    return () => clearTimeout(timer);
  }, [left, dialog.guardedSince]);
  return left <= 0;
}
