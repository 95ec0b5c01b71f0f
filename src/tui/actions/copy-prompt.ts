/** F5 (c): asks where to, as mc does, with the other pane's folder offered; Enter queues the copies there. */
import { EntryKind } from '../../protocol/messages.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { isDirectory, targetEntries } from '../state/pane.js';
import { describeError } from '../describe-error.js';
import { plural } from '../format.js';
import { copyDialog } from '../dialogs/copy-dialog.js';
import { enqueueTransfers } from './enqueue-transfers.js';
import { otherSide, requireRemote } from './pane-commands.js';
import type { ActionContext } from './action-context.js';

export function askCopyTarget(from: PaneSide, context: ActionContext): void {
  const to = otherSide(from);
  // Either pane may be local (two local panes without a connection); a missing side is a remote one.
  const sourceFs = context.fsOf(from);
  const targetFs = context.fsOf(to);
  if (!sourceFs || !targetFs) {
    requireRemote(context, sourceFs ? otherSide(from) : from);
    return;
  }
  const entries = targetEntries(context.panes[from].current()).filter(
    (entry) => entry.kind === EntryKind.FILE || entry.kind === EntryKind.DIRECTORY,
  );
  if (entries.length === 0) {
    context.fail('nothing to copy (only files and folders are transferred)');
    return;
  }
  const folder = context.panes[to].current().path;
  const verb = sourceFs.side === targetFs.side ? 'Copy' : sourceFs.side === 'local' ? 'Upload' : 'Download';
  const what = entries.length === 1 ? (entries[0]?.name ?? '') : plural(entries.length, 'item');
  context.show(
    copyDialog(`${verb} ${what}`, `${targetFs.side} folder`, folder, async (typed) => {
      try {
        const target = targetFs.resolve(folder, typed);
        const existing = await targetFs.stat(target);
        if (existing && isDirectory(existing)) enqueueTransfers(from, context, { folder: target });
        // One entry to a path that is no folder: that path is the copy's name (an existing file is asked about as usual).
        else if (entries.length === 1) enqueueTransfers(from, context, { path: target });
        else return `no folder ${targetFs.label(target)}: ${plural(entries.length, 'item')} go into a folder`;
        return undefined;
      } catch (error) {
        return describeError(error);
      }
    }),
  );
}
