/** The quit and disconnect keys: ask first while transfers are unfinished (leaving cancels them). */
import { isFinished } from '../state/transfers.js';
import { leaveDialog, type Leaving } from '../dialogs/leave-dialog.js';
import type { DialogHost } from '../dialogs/dialog.js';

export function requestLeaving(leaving: Leaving, host: Pick<DialogHost, 'queue' | 'show' | 'quit' | 'disconnect'>): void {
  const unfinished = host.queue.getState().items.filter((item) => !isFinished(item)).length;
  if (unfinished > 0) host.show(leaveDialog(leaving, unfinished));
  else if (leaving === 'quit') host.quit();
  else host.disconnect();
}
