/** The pane's commands (keymap context `pane`): moving, entering folders, sorting, selecting, and the file operations. */
import { EntryKind } from '../../protocol/messages.js';
import type { Command } from '../keys/keymap.js';
import { paneName, type PaneFs, type PaneSide } from '../fs/pane-fs.js';
import { currentEntry, onParentRow, targetEntries } from '../state/pane.js';
import { describeError } from '../describe-error.js';
import { mkdirDialog, renameDialog } from '../dialogs/name-dialog.js';
import { deleteDialog } from '../dialogs/delete-dialog.js';
import { compareBothPanes } from './compare-panes.js';
import { compareBothTrees } from './compare-recursive.js';
import { openSyncDialog } from '../dialogs/sync-dialog.js';
import { patternDialog } from '../dialogs/pattern-dialog.js';
import { askCopyTarget } from './copy-prompt.js';
import { chmodDialog } from '../dialogs/chmod-dialog.js';
import { findDialog } from '../dialogs/find-dialog.js';
import { moveDialog } from '../dialogs/move-dialog.js';
import { enqueueTransfers } from './enqueue-transfers.js';
import { viewFile } from './view-file.js';
import { editFile } from './edit-file.js';
import { quickSearchDialog } from '../dialogs/quick-search-dialog.js';
import { goToDialog } from '../dialogs/go-to-dialog.js';
import type { ActionContext } from './action-context.js';

export const otherSide = (side: PaneSide): PaneSide => (side === 'local' ? 'remote' : 'local');

/** The server's filesystem of the pane on `side`, or undefined after saying why there is none. */
export function requireRemote(context: Pick<ActionContext, 'connection' | 'leftConnection' | 'fail'>, side: PaneSide): PaneFs | undefined {
  const connection = side === 'local' ? context.leftConnection() : context.connection();
  if (!connection.remoteFs) {
    context.fail(connection.status === 'lost' ? `${paneName(side)}: connection lost — ^O in it reconnects` : 'not connected — press ^O to connect');
  }
  return connection.remoteFs;
}

function enterEntry(side: PaneSide, context: ActionContext): void {
  const pane = context.panes[side];
  const fs = context.fsOf(side);
  if (onParentRow(pane.current())) {
    goParent(side, context);
    return;
  }
  const entry = currentEntry(pane.current());
  if (!fs || !entry) return;
  if (entry.kind === EntryKind.DIRECTORY || entry.kind === EntryKind.SYMLINK) {
    let folder: string;
    try {
      folder = fs.child(pane.current().path, entry.name);
    } catch (error) {
      context.fail(describeError(error));
      return;
    }
    context.setFiltering(undefined);
    void pane.load(fs, folder);
  }
}

function goParent(side: PaneSide, context: ActionContext): void {
  const pane = context.panes[side];
  const fs = context.fsOf(side);
  if (!fs) return;
  const parent = fs.parent(pane.current().path);
  if (parent === pane.current().path) return;
  context.setFiltering(undefined);
  void pane.load(fs, parent, fs.basename(pane.current().path));
}

/**
 * `u` and `d` name a direction, and act only on the pane they start from: the
 * entries under the other pane's cursor were never looked at. From the wrong
 * pane they say which pane to use instead of guessing.
 */
function transferFromActivePane(command: 'upload' | 'download', side: PaneSide, context: ActionContext): void {
  const from: PaneSide = command === 'upload' ? 'local' : 'remote';
  if (side === from) enqueueTransfers(from, context);
  else context.info(`${command === 'upload' ? 'u uploads from the local' : 'd downloads from the remote'} pane — Tab to it first (F5 copies from this one)`);
}

/** Runs `command` on the pane of `side`; false when it is not a pane command. */
export function runPaneCommand(command: Command, side: PaneSide, context: ActionContext): boolean {
  const pane = context.panes[side];
  const fs = context.fsOf(side);
  switch (command) {
    case 'up':
      pane.dispatch({ type: 'move', delta: -1 });
      return true;
    case 'down':
      pane.dispatch({ type: 'move', delta: 1 });
      return true;
    case 'page-up':
      pane.dispatch({ type: 'page', direction: -1 });
      return true;
    case 'page-down':
      pane.dispatch({ type: 'page', direction: 1 });
      return true;
    case 'home':
      pane.dispatch({ type: 'home' });
      return true;
    case 'end':
      pane.dispatch({ type: 'end' });
      return true;
    case 'enter':
      enterEntry(side, context);
      return true;
    case 'parent':
      goParent(side, context);
      return true;
    case 'switch-pane':
      context.setFiltering(undefined);
      context.setActiveSide(otherSide(side));
      return true;
    case 'filter':
      context.setFiltering(side);
      return true;
    case 'clear-filter':
      // Esc with no filter kept is not the pane's: it passes on.
      if (pane.current().filter === '') return false;
      pane.dispatch({ type: 'set-filter', filter: '' });
      context.info('filter cleared');
      return true;
    case 'toggle-hidden':
      pane.dispatch({ type: 'toggle-hidden' });
      return true;
    case 'toggle-mode':
      pane.dispatch({ type: 'toggle-mode' });
      return true;
    case 'sort-name':
      pane.dispatch({ type: 'set-sort', key: 'name' });
      return true;
    case 'sort-size':
      pane.dispatch({ type: 'set-sort', key: 'size' });
      return true;
    case 'sort-time':
      pane.dispatch({ type: 'set-sort', key: 'time' });
      return true;
    case 'reverse-sort':
      pane.dispatch({ type: 'reverse-sort' });
      return true;
    case 'refresh':
      if (fs) void pane.load(fs, pane.current().path).then((ok) => ok && context.info(`refreshed ${fs.label(pane.current().path)}`));
      else requireRemote(context, side);
      return true;
    case 'select':
      pane.dispatch({ type: 'toggle-select' });
      return true;
    case 'select-all':
      pane.dispatch({ type: 'select-all' });
      return true;
    case 'compare':
      compareBothPanes(context);
      return true;
    case 'compare-recursive':
      void compareBothTrees(context);
      return true;
    case 'sync':
      openSyncDialog(side, context);
      return true;
    case 'unselect-all':
      pane.dispatch({ type: 'clear-selection' });
      return true;
    case 'select-pattern':
    case 'unselect-pattern':
      context.show(patternDialog(side, command === 'select-pattern'));
      return true;
    case 'invert-selection':
      pane.dispatch({ type: 'invert-selection' });
      return true;
    case 'copy':
      askCopyTarget(side, context);
      return true;
    case 'upload':
    case 'download':
      transferFromActivePane(command, side, context);
      return true;
    case 'mkdir':
      if (!fs) return Boolean(requireRemote(context, side));
      context.show(mkdirDialog(side, pane.current().path));
      return true;
    case 'rename': {
      if (!fs) return Boolean(requireRemote(context, side));
      // With a selection F6 moves the selected entries into a folder (as F5 and F8 act on the selection).
      if (pane.current().selected.size > 0) {
        context.show(moveDialog(side, pane.current().path, targetEntries(pane.current()).map((selected) => selected.name)));
        return true;
      }
      const entry = currentEntry(pane.current());
      if (entry) context.show(renameDialog(side, pane.current().path, entry.name));
      return true;
    }
    case 'delete': {
      if (!fs) return Boolean(requireRemote(context, side));
      const entries = targetEntries(pane.current());
      if (entries.length > 0) context.show(deleteDialog(side, pane.current().path, entries));
      return true;
    }
    case 'view':
      viewFile(side, context);
      return true;
    case 'edit':
      editFile(side, context);
      return true;
    case 'quick-search':
      context.setFiltering(undefined);
      context.show(quickSearchDialog(side));
      return true;
    case 'go-to':
      if (!fs) return Boolean(requireRemote(context, side));
      context.setFiltering(undefined);
      context.show(goToDialog(side, pane.current().path));
      return true;
    case 'chmod': {
      if (!fs) return Boolean(requireRemote(context, side));
      if (!fs.chmod) {
        context.fail(fs.side === 'local' ? 'permissions are changed on a server\'s pane' : 'this server cannot change permissions');
        return true;
      }
      const entries = targetEntries(pane.current());
      if (entries.length > 0) context.show(chmodDialog(side, pane.current().path, entries));
      return true;
    }
    case 'find': {
      // The active pane's server; from a local pane, the right pane's server (a local folder is not searched).
      const searched = context.sessionOf(side) ? side : 'remote';
      if (!requireRemote(context, searched)) return true;
      // Only where the server searches by itself (Ferry's FIND): elsewhere it would be a walk of the whole tree.
      if (context.sessionOf(searched)?.features.find !== true) context.fail('this server cannot search (find is a Ferry server\'s)');
      else context.show(findDialog(searched, context.panes[searched].current().path));
      return true;
    }
    default:
      return false;
  }
}
