/**
 * The quit and disconnect keys: ask first while transfers are unfinished (leaving cancels them). Quitting
 * concerns the whole queue; a disconnect only what goes through that pane's session (either pane's).
 */
import { isFinished } from '../state/transfers.js';
import { leaveDialog, type Leaving } from '../dialogs/leave-dialog.js';
import type { DialogHost } from '../dialogs/dialog.js';
import type { PaneSide } from '../fs/pane-fs.js';

export function requestLeaving(
  leaving: Leaving, host: Pick<DialogHost, 'queue' | 'show' | 'quit' | 'disconnect'>, side: PaneSide = 'remote',
): void {
  const unfinished = leaving === 'quit'
    ? host.queue.getState().items.filter((item) => !isFinished(item)).length
    : host.queue.outstandingThrough(side).length;
  if (unfinished > 0) host.show(leaveDialog(leaving, unfinished, side));
  else if (leaving === 'quit') host.quit();
  else host.disconnect(side);
}
