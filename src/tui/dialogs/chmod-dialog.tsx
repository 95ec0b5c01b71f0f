/**
 * "Permissions" (P on the remote pane): a mode for the selection or the
 * entry under the cursor, typed as `ferry chmod` takes it (644, u+x,go-w),
 * with `-R` in front to change folders' contents too. Sent as CHMD; the
 * server refuses read-only sessions and symlinks, and the answer stays in
 * the dialog so the mode can be corrected.
 */
import type { Entry } from '../../protocol/messages.js';
import { EntryKind } from '../../protocol/messages.js';
import { parseModeSpec } from '../../client/mode-spec.js';
import { textField, type TextFieldState } from '../state/text-field.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { describeError } from '../describe-error.js';
import { InputDialog } from '../components/InputDialog.js';
import type { DialogHost, DialogModule } from './dialog.js';
import { submitOrClose } from './input-keys.js';

export interface ChmodDialogState {
  kind: 'chmod';
  side: PaneSide;
  folder: string;
  entries: Entry[];
  field: TextFieldState;
  error?: string | undefined;
}

/** Starts from the first entry's mode in octal, so a small change is a small edit. */
export function chmodDialog(side: PaneSide, folder: string, entries: Entry[]): ChmodDialogState {
  const mode = (entries[0]?.mode ?? 0o644) & 0o7777;
  return { kind: 'chmod', side, folder, entries, field: textField(mode.toString(8).padStart(3, '0')) };
}

/** The typed text as a recursive flag and a mode; undefined mode when it is not one. */
export function parseChmodInput(text: string): { recursive: boolean; change: ReturnType<typeof parseModeSpec> } {
  const words = text.trim().split(/\s+/);
  const recursive = words[0] === '-R' || words[0] === '-r';
  const spec = recursive ? words.slice(1).join('') : words.join('');
  return { recursive, change: parseModeSpec(spec) };
}

async function submit(state: ChmodDialogState, host: DialogHost): Promise<void> {
  const fs = host.fsOf(state.side);
  if (!fs) return;
  if (!fs.chmod) {
    host.show({ ...state, error: 'permissions are changed on the remote pane' });
    return;
  }
  const { recursive, change } = parseChmodInput(state.field.value);
  if (!change) {
    host.show({ ...state, error: 'not a mode: type 644, or u+x,go-w (-R first for folders\u2019 contents)' });
    return;
  }
  let changed = 0;
  for (const entry of state.entries) {
    try {
      await fs.chmod(fs.child(state.folder, entry.name), change, recursive && entry.kind === EntryKind.DIRECTORY);
      changed += 1;
    } catch (error) {
      host.show({ ...state, error: `${entry.name}: ${describeError(error)}` });
      break;
    }
  }
  if (changed === state.entries.length) {
    host.show(undefined);
    host.info(`permissions changed on ${changed} item${changed === 1 ? '' : 's'}`);
  }
  const pane = host.panes[state.side];
  await pane.load(fs, pane.current().path);
}

export const chmodDialogModule: DialogModule<ChmodDialogState> = {
  onKey: submitOrClose(submit),
  render: (state, host) => (
    <InputDialog
      title={state.entries.length === 1 ? `Permissions of ${state.entries[0]!.name}` : `Permissions of ${state.entries.length} items`}
      prompt="Mode: 644, or u+x,go-w; -R first to change folders' contents too:"
      field={state.field}
      error={state.error}
      screen={host.screen}
    />
  ),
};
