/**
 * The sync dialog (Y): the other pane's folder made like the active pane's
 * folder, as `ferry sync` does (docs/SYNC.md). It lists both trees and shows
 * the plan — files to create and update with their sizes, entries to delete,
 * folders to make — with `d` (--delete) and `c` (--checksum) planning again;
 * Enter queues the sync as one row of the transfer queue (progress, cancel,
 * retry there: transfers/sync-transfer.ts), which plans once more when it
 * starts, so it does exactly what is left at that moment.
 *
 * The planning outlives a key press, so its result lives in a `planning`
 * record shared by the successive states of the dialog (as find-dialog.tsx).
 */
import { ExcludeRules } from '../../sync/exclude.js';
import { bytesToSend, changeCount, planSync, type SyncPlan } from '../../sync/plan.js';
import { DialogFrame, DialogLine, dialogBodyRows, dialogWidth } from '../components/DialogFrame.js';
import { describeError } from '../describe-error.js';
import { formatBytes } from '../format.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { matchCommand } from '../keys/keymap.js';
import { paneFolderPlace } from '../actions/pane-places.js';
import type { TransferDirection } from '../state/transfers.js';
import { theme } from '../theme.js';
import type { SyncChoices } from '../transfers/sync-transfer.js';
import type { DialogHost, DialogModule } from './dialog.js';

interface SyncPlanning {
  plan?: SyncPlan | undefined;
  error?: string | undefined;
  abort: AbortController;
  /** The dialog state up now; undefined once the dialog closed. */
  shown: SyncDialogState | undefined;
}

export interface SyncDialogState {
  kind: 'sync';
  from: PaneSide;
  direction: TransferDirection;
  source: string;
  target: string;
  sourceLabel: string;
  targetLabel: string;
  choices: SyncChoices;
  planning: SyncPlanning;
}

const otherSide = (side: PaneSide): PaneSide => (side === 'local' ? 'remote' : 'local');

/** Opens the dialog from the active pane to the other and starts planning. */
export function openSyncDialog(from: PaneSide, host: DialogHost): void {
  const to = otherSide(from);
  const sourceFs = host.fsOf(from);
  const targetFs = host.fsOf(to);
  if (!sourceFs || !targetFs || !paneFolderPlace(from, host) || !paneFolderPlace(to, host)) {
    host.fail('sync needs both panes: connect first (^O)');
    return;
  }
  const source = host.panes[from].current().path;
  const target = host.panes[to].current().path;
  const direction: TransferDirection = sourceFs.side === 'local' && targetFs.side === 'local' ? 'copy'
    : sourceFs.side === 'local' ? 'upload' : 'download';
  plan({
    kind: 'sync', from, direction, source, target, sourceLabel: sourceFs.label(source), targetLabel: targetFs.label(target),
    choices: { deleteExtra: false, checksum: false }, planning: { abort: new AbortController(), shown: undefined },
  }, host);
}

function show(state: SyncDialogState, host: DialogHost): void {
  state.planning.shown = state;
  host.show(state);
}

function close(state: SyncDialogState, host: DialogHost): void {
  state.planning.shown = undefined;
  state.planning.abort.abort();
  host.show(undefined);
}

/** Plans with the state's choices (one listing of each tree) and shows the result when it comes. */
function plan(state: SyncDialogState, host: DialogHost): void {
  state.planning.shown = undefined;
  state.planning.abort.abort();
  const planning: SyncPlanning = { abort: new AbortController(), shown: undefined };
  const next: SyncDialogState = { ...state, planning };
  show(next, host);
  const source = paneFolderPlace(state.from, host);
  const target = paneFolderPlace(otherSide(state.from), host);
  if (!source || !target) {
    planning.error = 'not connected';
    return;
  }
  planSync(source, target, {
    exclude: new ExcludeRules([]), deleteExtra: state.choices.deleteExtra, checksum: state.choices.checksum, signal: planning.abort.signal,
  }).then((result) => {
    planning.plan = result;
  }, (error: unknown) => {
    planning.error = describeError(error);
  }).finally(() => {
    if (planning.shown) host.show({ ...planning.shown });
  });
}

function run(state: SyncDialogState, host: DialogHost): void {
  const result = state.planning.plan;
  if (!result) return;
  close(state, host);
  if (changeCount(result) === 0) {
    host.info(`sync: ${state.targetLabel} is already like ${state.sourceLabel}`);
    return;
  }
  const name = state.source.split(/[\\/]/).filter((part) => part !== '').pop() ?? '/';
  host.queue.enqueue([{
    direction: state.direction, name: `sync ${name}`, source: state.source, target: state.target, isFolder: true, sync: state.choices,
  }]);
  host.info(`sync queued: ${summary(result)}`);
}

function summary(result: SyncPlan): string {
  const deletions = result.remove.length + result.replace.length;
  return `${result.create.length} to create, ${result.update.length} to update, ${deletions} to delete, `
    + `${result.folders.length} folders to make, ${formatBytes(bytesToSend(result))} to send`;
}

function sizeOf(entries: readonly { size: number }[]): string {
  return formatBytes(entries.reduce((sum, entry) => sum + entry.size, 0));
}

export const syncDialogModule: DialogModule<SyncDialogState> = {
  onKey(state, press, host) {
    // Its own keys first, then Enter and Esc as in every dialog.
    const command = matchCommand(press, 'sync') ?? matchCommand(press, 'dialog');
    if (command === 'dismiss') close(state, host);
    else if (command === 'confirm') run(state, host);
    else if (command === 'sync-toggle-delete') plan({ ...state, choices: { ...state.choices, deleteExtra: !state.choices.deleteExtra } }, host);
    else if (command === 'sync-toggle-checksum') plan({ ...state, choices: { ...state.choices, checksum: !state.choices.checksum } }, host);
    return true;
  },
  render: (state, host) => {
    const width = dialogWidth(72, host.screen);
    const { plan: result, error } = state.planning;
    const onOff = (on: boolean): string => (on ? '[x]' : '[ ]');
    const lines: { text: string; color?: string | undefined }[] = [
      { text: `from ${state.sourceLabel}` },
      { text: `to   ${state.targetLabel}` },
    ];
    if (error) {
      lines.push({ text: error, color: theme.danger });
    } else if (!result) {
      lines.push({ text: 'planning: listing both folders…' });
    } else if (changeCount(result) === 0) {
      lines.push({ text: 'in sync: nothing to do' });
    } else {
      const deleted = [...result.remove, ...result.replace];
      lines.push({ text: `create  ${String(result.create.length).padStart(6)} files  ${sizeOf(result.create)}` });
      lines.push({ text: `update  ${String(result.update.length).padStart(6)} files  ${sizeOf(result.update)}` });
      lines.push({
        text: `delete  ${String(deleted.length).padStart(6)} entries${state.choices.deleteExtra ? '' : ' in the way'}`,
        color: deleted.length > 0 ? theme.danger : undefined,
      });
      lines.push({ text: `mkdir   ${String(result.folders.length).padStart(6)} folders` });
    }
    if (result && result.skipped.length > 0) lines.push({ text: `skip    ${String(result.skipped.length).padStart(6)} symlinks or special files` });
    const keys = [
      `d ${onOff(state.choices.deleteExtra)} delete what is only in the target`,
      `c ${onOff(state.choices.checksum)} compare equal sizes by content`,
      result && changeCount(result) > 0 ? 'Enter: run in the queue   Esc: close' : 'Esc: close',
    ];
    // On a short screen the plan's lines give way; the keys always show.
    const planRows = Math.max(0, dialogBodyRows(host.screen) - keys.length);
    return (
      <DialogFrame title="Sync: make the target like the source" width={width} screen={host.screen}>
        {[...lines.slice(0, planRows), ...keys.map((text) => ({ text, color: undefined }))].map((line, index) => (
          <DialogLine key={index} width={width} color={line.color}>{line.text}</DialogLine>
        ))}
      </DialogFrame>
    );
  },
};
