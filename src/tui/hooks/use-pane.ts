/**
 * One pane: its reducer plus loading a folder from its filesystem. Late
 * answers of an earlier load are dropped so fast navigation never shows a
 * stale folder.
 */
import { useCallback, useRef } from 'react';
import { useSyncedState } from './use-synced-state.js';
import { createPaneState, paneReducer, type PaneAction, type PaneState } from '../state/pane.js';
import type { PaneFs } from '../fs/pane-fs.js';
import { describeErrorAt } from '../describe-error.js';

export interface PaneController {
  state: PaneState;
  dispatch: (action: PaneAction) => void;
  /** List `path` and show it; resolves false (and reports) when listing failed. */
  load: (fs: PaneFs, path: string, focusName?: string) => Promise<boolean>;
  /** Latest state, including changes not rendered yet. */
  current: () => PaneState;
}

/** What the pane says when its side left names out of a folder it opened. */
export function namesLeftOutMessage(label: string): string {
  // The reason first: the status line cuts a long message at its end (^L shows it whole).
  return `some names not shown (control characters such as a tab or a newline, or not UTF-8: the server cannot send them) in ${label}`;
}

/** `onNotice` hears what is worth saying about a folder opened (names left out); `onError` why a listing failed. */
export function usePane(initialPath: string, onError: (message: string) => void, onNotice?: (message: string) => void): PaneController {
  const [state, setState, latest] = useSyncedState(() => createPaneState(initialPath));
  const dispatch = useCallback((action: PaneAction) => setState((previous) => paneReducer(previous, action)), [setState]);
  const sequence = useRef(0);
  const errorRef = useRef(onError);
  errorRef.current = onError;
  const noticeRef = useRef(onNotice);
  noticeRef.current = onNotice;

  const load = useCallback(async (fs: PaneFs, path: string, focusName?: string): Promise<boolean> => {
    const ticket = ++sequence.current;
    dispatch({ type: 'load-start' });
    try {
      let namesLeftOut = false;
      const entries = await fs.list(path, { onNamesLeftOut: () => void (namesLeftOut = true) });
      if (ticket !== sequence.current) return true;
      const opened = path !== latest.current.path || !latest.current.namesLeftOut;
      dispatch({ type: 'loaded', path, entries, parentRow: fs.parent(path) !== path, namesLeftOut, ...(focusName === undefined ? {} : { focusName }) });
      // Said once when the folder is opened, not again on every refresh of it.
      if (namesLeftOut && opened) noticeRef.current?.(namesLeftOutMessage(fs.label(path)));
      return true;
    } catch (error) {
      if (ticket !== sequence.current) return false;
      const message = describeErrorAt(error, fs.label(path), path);
      dispatch({ type: 'load-failed', message });
      errorRef.current(message);
      return false;
    }
  }, [dispatch, latest]);

  const current = useCallback(() => latest.current, [latest]);
  return { state, dispatch, load, current };
}
