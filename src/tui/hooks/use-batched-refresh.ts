/**
 * Lists a pane's folder again soon after a transfer into it ended, batched so
 * a queue of many small files lists each side once.
 */
import { useCallback, useEffect, useRef } from 'react';
import type { PaneFs, PaneSide } from '../fs/pane-fs.js';
import type { PaneController } from './use-pane.js';

const REFRESH_DELAY_MS = 150;

/** `panes` and `fsOf` are read when the timer fires, so they may change in between. */
export function useBatchedRefresh(
  panes: { readonly current: Record<PaneSide, PaneController> },
  fsOf: (side: PaneSide) => PaneFs | undefined,
): (side: PaneSide) => void {
  const timer = useRef<NodeJS.Timeout | undefined>(undefined);
  const pending = useRef(new Set<PaneSide>());
  const fsOfRef = useRef(fsOf);
  fsOfRef.current = fsOf;

  useEffect(() => () => clearTimeout(timer.current), []);

  return useCallback((side: PaneSide) => {
    pending.current.add(side);
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      for (const due of pending.current) {
        const pane = panes.current[due];
        const paneFs = fsOfRef.current(due);
        if (paneFs) void pane.load(paneFs, pane.current().path);
      }
      pending.current.clear();
    }, REFRESH_DELAY_MS);
  }, [panes]);
}
