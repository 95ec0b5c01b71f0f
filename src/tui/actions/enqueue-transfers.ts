/** Copy (F5, u, d): the selection, or the entry under the cursor, goes to the transfer queue. */
import { EntryKind } from '../../protocol/messages.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { isDirectory, targetEntries } from '../state/pane.js';
import { selectionName, type TransferRequest } from '../state/transfers.js';
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
  const entries = targetEntries(source.current()).filter(
    (entry) => entry.kind === EntryKind.FILE || entry.kind === EntryKind.DIRECTORY,
  );
  if (entries.length === 0) {
    context.fail('nothing to copy (only files and folders are transferred)');
    return;
  }
  const direction = from === 'local' ? 'upload' : 'download';
  if (entries.length > 1) {
    // A selection moves as one tree transfer of those entries (one streamed request), as their folder would.
    const selection = entries.map((entry) => ({ name: entry.name, isFolder: isDirectory(entry) }));
    const firstId = context.queue.getState().nextId;
    context.queue.enqueue([{
      direction, name: selectionName(selection), source: source.current().path, target: target.current().path, isFolder: true, selection,
    }]);
    source.dispatch({ type: 'clear-selection' });
    context.announceBatch(`${plural(entries.length, 'item')} queued as one ${direction}`, firstId);
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
  context.announceBatch(`${plural(requests.length, from === 'local' ? 'upload' : 'download')} queued`, firstId);
}
