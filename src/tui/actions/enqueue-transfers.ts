/** Copy (F5, u, d): the selection, or the entry under the cursor, goes to the transfer queue. */
import { EntryKind } from '../../protocol/messages.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { isDirectory, targetEntries } from '../state/pane.js';
import type { TransferRequest } from '../state/transfers.js';
import { describeError } from '../describe-error.js';
import { plural } from '../format.js';
import { otherSide, requireRemote } from './pane-commands.js';
import type { ActionContext } from './action-context.js';

export function enqueueTransfers(from: PaneSide, context: ActionContext): void {
  const remoteFs = requireRemote(context);
  const localFs = context.fsOf('local');
  if (!remoteFs || !localFs) return;
  const source = context.panes[from];
  const target = context.panes[otherSide(from)];
  const sourceFs = from === 'local' ? localFs : remoteFs;
  const targetFs = from === 'local' ? remoteFs : localFs;
  const targeted = targetEntries(source.current());
  const entries = targeted.filter((entry) => entry.kind === EntryKind.FILE || entry.kind === EntryKind.DIRECTORY);
  // Links are left out, and said to be: a count, not silence.
  const skippedLinks = targeted.filter((entry) => entry.kind === EntryKind.SYMLINK).length;
  const skippedNote = skippedLinks > 0 ? `, ${plural(skippedLinks, 'symlink')} skipped` : '';
  if (entries.length === 0) {
    context.fail(`nothing to copy${skippedNote} (only files and folders are transferred)`);
    return;
  }
  let requests: TransferRequest[];
  try {
    requests = entries.map((entry) => ({
      direction: from === 'local' ? 'upload' : 'download',
      name: entry.name,
      source: sourceFs.child(source.current().path, entry.name),
      target: targetFs.child(target.current().path, entry.name),
      isFolder: isDirectory(entry),
    }));
  } catch (error) {
    context.fail(`nothing queued: ${describeError(error)}`);
    return;
  }
  const firstId = context.queue.getState().nextId;
  context.queue.enqueue(requests);
  source.dispatch({ type: 'clear-selection' });
  context.announceBatch(`${plural(requests.length, from === 'local' ? 'upload' : 'download')} queued${skippedNote}`, firstId);
}
