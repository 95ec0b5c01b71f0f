/** F3: opens the file under the cursor in the viewer, local or remote, reading only what is shown. */
import { EntryKind } from '../../protocol/messages.js';
import { currentEntry } from '../state/pane.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { describeErrorAt } from '../describe-error.js';
import { openLocalByteSource } from '../viewer/local-byte-source.js';
import { openRemoteByteSource } from '../viewer/remote-byte-source.js';
import type { ByteSource } from '../viewer/byte-source.js';
import { ViewerController } from '../viewer/viewer-controller.js';
import { viewDialog } from '../dialogs/view-dialog.js';
import type { ActionContext } from './action-context.js';
import { requireRemote } from './pane-commands.js';

export function viewFile(side: PaneSide, context: ActionContext): void {
  const fs = context.fsOf(side) ?? requireRemote(context, side);
  const pane = context.panes[side].current();
  const entry = currentEntry(pane);
  if (!fs || !entry) return;
  if (entry.kind === EntryKind.DIRECTORY) {
    context.fail(`${entry.name} is a folder: Enter opens it`);
    return;
  }
  let target: string;
  try {
    target = fs.child(pane.path, entry.name);
  } catch (error) {
    context.fail(describeErrorAt(error, entry.name, entry.name));
    return;
  }
  const session = fs.side === 'remote' ? context.sessionOf(side) : undefined;
  void (async () => {
    let source: ByteSource | undefined;
    try {
      source = session ? await openRemoteByteSource(session, target) : await openLocalByteSource(target);
      const viewer = await ViewerController.open(source, fs.label(target));
      context.show(viewDialog(viewer));
    } catch (error) {
      source?.close();
      context.fail(describeErrorAt(error, fs.label(target), target));
    }
  })();
}
