/**
 * A pane's folder as a sync place (src/sync/place.ts), for the recursive
 * compare and the sync dialog: the local disk for a local pane, the session
 * (any Remote kind) for the remote pane.
 */
import type { PaneSide } from '../fs/pane-fs.js';
import type { SyncPlace } from '../../sync/place.js';
import { paneSyncPlace } from '../transfers/sync-transfer.js';
import type { DialogHost } from '../dialogs/dialog.js';

/** Undefined while the pane has nothing to show (the remote pane, disconnected). */
export function paneFolderPlace(side: PaneSide, host: Pick<DialogHost, 'fsOf' | 'panes' | 'sessionOf'>): SyncPlace | undefined {
  const fs = host.fsOf(side);
  if (!fs) return undefined;
  const folder = host.panes[side].current().path;
  // Either pane may be connected (to any kind): the pane's own session.
  const remote = fs.side === 'remote' ? host.sessionOf(side) : undefined;
  if (fs.side === 'remote' && !remote) return undefined;
  return paneSyncPlace(fs.side === 'local', folder, remote, fs.label(folder));
}
