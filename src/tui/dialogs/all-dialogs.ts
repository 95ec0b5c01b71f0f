/**
 * Every dialog of the UI, by kind: a new dialog is a module in this folder
 * plus one line in each table here.
 */
import type React from 'react';
import type { KeyPress } from '../keys/parse-key.js';
import type { DialogHost, DialogModule } from './dialog.js';
import { connectDialogModule, type ConnectDialogState } from './connect-dialog.js';
import { helpDialogModule, type HelpDialogState } from './help-dialog.js';
import { deleteDialogModule, type DeleteDialogState } from './delete-dialog.js';
import { nameDialogModule, type NameDialogState } from './name-dialog.js';
import { trustDialogModule, type TrustDialogState } from './trust-dialog.js';
import { leaveDialogModule, type LeaveDialogState } from './leave-dialog.js';
import { conflictDialogModule, type ConflictDialogState } from './conflict-dialog.js';
import { resumeSavedDialogModule, type ResumeSavedDialogState } from './resume-saved-dialog.js';
import { viewDialogModule, type ViewDialogState } from './view-dialog.js';
import { editConflictDialogModule, type EditConflictDialogState } from './edit-conflict-dialog.js';
import { quickSearchDialogModule, type QuickSearchDialogState } from './quick-search-dialog.js';
import { goToDialogModule, type GoToDialogState } from './go-to-dialog.js';
import { logDialogModule, type LogDialogState } from './log-dialog.js';
import { patternDialogModule, type PatternDialogState } from './pattern-dialog.js';
import { copyDialogModule, type CopyDialogState } from './copy-dialog.js';
import { chmodDialogModule, type ChmodDialogState } from './chmod-dialog.js';
import { findDialogModule, type FindDialogState } from './find-dialog.js';
import { moveDialogModule, type MoveDialogState } from './move-dialog.js';
import { secretDialogModule, type SecretDialogState } from './secret-dialog.js';
import { syncDialogModule, type SyncDialogState } from './sync-dialog.js';
import { rateLimitDialogModule, type RateLimitDialogState } from './rate-limit-dialog.js';

export type Dialog =
  | ConnectDialogState
  | HelpDialogState
  | DeleteDialogState
  | NameDialogState
  | TrustDialogState
  | ConflictDialogState
  | LeaveDialogState
  | ResumeSavedDialogState
  | ViewDialogState
  | EditConflictDialogState
  | QuickSearchDialogState
  | GoToDialogState
  | LogDialogState
  | PatternDialogState
  | CopyDialogState
  | ChmodDialogState
  | FindDialogState
  | MoveDialogState
  | SecretDialogState
  | SyncDialogState
  | RateLimitDialogState;

const modules: { [Kind in Dialog['kind']]: DialogModule<Extract<Dialog, { kind: Kind }>> } = {
  connect: connectDialogModule,
  help: helpDialogModule,
  delete: deleteDialogModule,
  mkdir: nameDialogModule,
  rename: nameDialogModule,
  trust: trustDialogModule,
  conflict: conflictDialogModule,
  quit: leaveDialogModule,
  'resume-saved': resumeSavedDialogModule,
  view: viewDialogModule,
  'edit-conflict': editConflictDialogModule,
  'quick-search': quickSearchDialogModule,
  'go-to': goToDialogModule,
  log: logDialogModule,
  pattern: patternDialogModule,
  copy: copyDialogModule,
  chmod: chmodDialogModule,
  find: findDialogModule,
  move: moveDialogModule,
  secret: secretDialogModule,
  sync: syncDialogModule,
  'rate-limit': rateLimitDialogModule,
};

function moduleOf<D extends Dialog>(dialog: D): DialogModule<D> {
  return modules[dialog.kind] as unknown as DialogModule<D>;
}

/** The dialog's answer to a key; true when it consumed the key. */
export function dialogKey(dialog: Dialog, press: KeyPress, host: DialogHost): boolean {
  return moduleOf(dialog).onKey(dialog, press, host);
}

export function renderDialog(dialog: Dialog, host: DialogHost): React.JSX.Element | null {
  return moduleOf(dialog).render(dialog, host);
}
