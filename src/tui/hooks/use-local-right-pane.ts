/**
 * Without a session the right pane is a second local pane, as in mc: it
 * lists a local folder (where it was when last local, else the start
 * folder), and copy, move, make folder and delete work between the two
 * local panes. A session replaces it with the remote listing; a disconnect
 * (or a connect that failed) brings the local one back. While a session is
 * being opened or is lost, the pane belongs to the server.
 */
import { useEffect, useRef } from 'react';
import type { PaneFs } from '../fs/pane-fs.js';
import type { ConnectionStatus } from '../components/StatusLine.js';
import type { PaneController } from './use-pane.js';

/** Whether the right pane is local while the connection is in `status`. */
export function rightPaneIsLocal(status: ConnectionStatus): boolean {
  return status === 'disconnected';
}

export function useLocalRightPane(status: ConnectionStatus, left: PaneController, right: PaneController, localFs: PaneFs, startPath: string): void {
  const lastLocalPath = useRef(startPath);
  const local = rightPaneIsLocal(status);
  const wasLocal = useRef<boolean | undefined>(undefined);

  const { load, current } = right;
  useEffect(() => {
    if (local && wasLocal.current !== true) void load(localFs, lastLocalPath.current);
    // Leaving local: where it was is where it comes back to.
    if (!local && wasLocal.current === true) lastLocalPath.current = current().path;
    wasLocal.current = local;
  }, [local, load, current, localFs]);

  // Two local panes on one folder show one listing: what an operation in
  // one changed (a delete, a copy, a new folder) shows in the other at once.
  // The listing read last is handed over as it is, so the two agree and it
  // stops there.
  const seen = useRef<{ left: unknown; right: unknown }>({ left: undefined, right: undefined });
  const { dispatch: dispatchLeft, current: currentLeft } = left;
  const { dispatch: dispatchRight, current: currentRight } = right;
  const leftState = left.state;
  const rightState = right.state;
  useEffect(() => {
    const changedLeft = leftState.entries !== seen.current.left;
    const changedRight = rightState.entries !== seen.current.right;
    seen.current = { left: leftState.entries, right: rightState.entries };
    if (!local || leftState.path !== rightState.path || leftState.loading || rightState.loading) return;
    if (leftState.entries === rightState.entries) return;
    // The latest states, not the rendered ones: a key may have started a load since.
    const [latestLeft, latestRight] = [currentLeft(), currentRight()];
    if (latestLeft.loading || latestRight.loading || latestLeft.path !== latestRight.path) return;
    if (changedLeft) dispatchRight({ type: 'loaded', path: leftState.path, entries: leftState.entries, parentRow: leftState.parentRow });
    else if (changedRight) dispatchLeft({ type: 'loaded', path: rightState.path, entries: rightState.entries, parentRow: rightState.parentRow });
  }, [local, leftState, rightState, dispatchLeft, dispatchRight, currentLeft, currentRight]);
}
