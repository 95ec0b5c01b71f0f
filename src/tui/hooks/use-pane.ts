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

export function usePane(initialPath: string, onError: (message: string) => void): PaneController {
  const [state, setState, latest] = useSyncedState(() => createPaneState(initialPath));
  const dispatch = useCallback((action: PaneAction) => setState((previous) => paneReducer(previous, action)), [setState]);
  const sequence = useRef(0);
  const errorRef = useRef(onError);
  errorRef.current = onError;

  const load = useCallback(async (fs: PaneFs, path: string, focusName?: string): Promise<boolean> => {
    const ticket = ++sequence.current;
    dispatch({ type: 'load-start' });
    try {
      const entries = await fs.list(path);
      if (ticket !== sequence.current) return true;
      dispatch({ type: 'loaded', path, entries, parentRow: fs.parent(path) !== path, ...(focusName === undefined ? {} : { focusName }) });
      return true;
    } catch (error) {
      if (ticket !== sequence.current) return false;
      const message = describeErrorAt(error, fs.label(path), path);
      dispatch({ type: 'load-failed', message });
      errorRef.current(message);
      return false;
    }
  }, [dispatch]);

  const current = useCallback(() => latest.current, [latest]);
  return { state, dispatch, load, current };
}
