/** Copy (F5, u, d): the selection, or the entry under the cursor, goes to the transfer queue. */
import { EntryKind } from '../../protocol/messages.js';
import type { PaneFs, PaneSide } from '../fs/pane-fs.js';
import { isDirectory, targetEntries } from '../state/pane.js';
import { selectionName, type TransferDirection, type TransferRequest } from '../state/transfers.js';
import { describeError } from '../describe-error.js';
import { plural } from '../format.js';
import { otherSide, requireRemote } from './pane-commands.js';
import type { ActionContext } from './action-context.js';

/** Where copies go: into a folder (by default the other pane's), or, for one entry, to a path of its own. */
export type CopyDestination = { folder: string } | { path: string };

/** What a copy between two panes is, by the kinds of their filesystems. */
function directionOf(source: PaneFs, target: PaneFs): TransferDirection {
  if (source.side === 'local' && target.side === 'local') return 'copy';
  if (source.side === 'remote' && target.side === 'remote') return 'relay';
  return source.side === 'local' ? 'upload' : 'download';
}

export function enqueueTransfers(from: PaneSide, context: ActionContext, destination?: CopyDestination): void {
  const sourceFs = context.fsOf(from);
  const targetFs = context.fsOf(otherSide(from));
  if (!sourceFs || !targetFs) {
    requireRemote(context, sourceFs ? otherSide(from) : from);
    return;
  }
  const direction = directionOf(sourceFs, targetFs);
  // With the left pane on a server the direction no longer says which pane is which: the item names its source pane.
  const fromPane = context.fsOf('local')?.side === 'remote' ? { from } : {};
  const source = context.panes[from];
  const target = context.panes[otherSide(from)];
  const targeted = targetEntries(source.current());
  const entries = targeted.filter((entry) => entry.kind === EntryKind.FILE || entry.kind === EntryKind.DIRECTORY);
  // Links are left out, and said to be: a count, not silence.
  const skippedLinks = targeted.filter((entry) => entry.kind === EntryKind.SYMLINK).length;
  const skippedNote = skippedLinks > 0 ? `, ${plural(skippedLinks, 'symlink')} skipped` : '';
  if (entries.length === 0) {
    context.fail(`nothing to copy${skippedNote} (only files and folders are transferred)`);
    return;
  }
  if (entries.length > 1 && direction !== 'copy' && !(destination && 'path' in destination)) {
    // A selection moves as one tree transfer of those entries (one streamed request), as their folder would.
    const selection = entries.map((entry) => ({ name: entry.name, isFolder: isDirectory(entry) }));
    const firstId = context.queue.getState().nextId;
    context.queue.enqueue([{
      direction, name: selectionName(selection), source: source.current().path,
      target: destination?.folder ?? target.current().path, isFolder: true, selection, ...fromPane,
    }]);
    source.dispatch({ type: 'clear-selection' });
    context.announceBatch(`${plural(entries.length, 'item')} queued as one ${direction === 'relay' ? 'copy between servers' : direction}${skippedNote}`, firstId);
    return;
  }
  let requests: TransferRequest[];
  try {
    requests = entries.map((entry) => ({
      direction,
      name: entry.name,
      source: sourceFs.child(source.current().path, entry.name),
      target: destination && 'path' in destination ? destination.path : targetFs.child(destination?.folder ?? target.current().path, entry.name),
      isFolder: isDirectory(entry),
      ...fromPane,
    }));
  } catch (error) {
    context.fail(`nothing queued: ${describeError(error)}`);
    return;
  }
  const firstId = context.queue.getState().nextId;
  context.queue.enqueue(requests);
  source.dispatch({ type: 'clear-selection' });
  const copies = plural(requests.length, 'copy').replace(/copys$/, 'copies');
  const queued = direction === 'copy' ? copies : direction === 'relay' ? `${copies} between servers` : plural(requests.length, direction);
  context.announceBatch(`${queued} queued${skippedNote}`, firstId);
}
