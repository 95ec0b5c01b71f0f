/**
 * The find panel (F): a name pattern searched on the server of the active
 * pane (either pane may be on a server; from a local pane, the right pane's)
 * below that pane's folder (FIND), matches streaming in as the
 * server finds them. Up/Down pick a match, Enter goes to it (its folder, the
 * cursor on it), Insert goes to it and selects it; Esc stops the search and
 * closes. A pattern without `*`, `?` or `[` finds names containing it; case
 * is ignored.
 *
 * The search outlives a key press, so its results live in a `search` record
 * shared by the successive states of the dialog: each batch updates it and
 * shows the dialog state that is up at that moment (`search.shown`).
 */
import path from 'node:path';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import type { Remote } from '../../remote/remote.js';
import { matchCommand } from '../keys/keymap.js';
import { editTextField, textField, type TextFieldState } from '../state/text-field.js';
import { describeError } from '../describe-error.js';
import { DialogFrame, DialogLine, dialogBodyRows, dialogTextWidth, dialogWidth } from '../components/DialogFrame.js';
import { TextField } from '../components/TextField.js';
import { Text } from 'ink';
import { theme } from '../theme.js';
import type { DialogHost, DialogModule } from './dialog.js';
import { paneName, type PaneSide } from '../fs/pane-fs.js';

/** The search records stop growing here; the status line says so. */
export const MAX_FIND_RESULTS = 10_000;

interface FindSearch {
  pattern: string;
  entries: Entry[];
  done: boolean;
  truncated: boolean;
  error?: string | undefined;
  abort: AbortController;
  /** The dialog state up now; undefined once the dialog closed. */
  shown: FindDialogState | undefined;
}

export interface FindDialogState {
  kind: 'find';
  /** The pane whose server is searched; a match is gone to in it. */
  side: PaneSide;
  /** The folder of that server searched below. */
  folder: string;
  field: TextFieldState;
  cursor: number;
  search?: FindSearch | undefined;
}

export function findDialog(side: PaneSide, folder: string): FindDialogState {
  return { kind: 'find', side, folder, field: textField(), cursor: 0 };
}

/** What the server is asked for: a plain word becomes `*word*`. */
export function findPattern(typed: string): string {
  const trimmed = typed.trim();
  return /[*?[]/.test(trimmed) ? trimmed : `*${trimmed}*`;
}

function show(state: FindDialogState, host: DialogHost): void {
  if (state.search) state.search.shown = state;
  host.show(state);
}

function close(state: FindDialogState, host: DialogHost): void {
  if (state.search) {
    state.search.shown = undefined;
    state.search.abort.abort();
  }
  host.show(undefined);
}

function start(state: FindDialogState, host: DialogHost, client: Remote): void {
  state.search?.abort.abort();
  const search: FindSearch = {
    pattern: state.field.value, entries: [], done: false, truncated: false, abort: new AbortController(), shown: undefined,
  };
  const next: FindDialogState = { ...state, cursor: 0, search };
  show(next, host);
  const refresh = (): void => {
    if (search.shown) host.show({ ...search.shown });
  };
  client.find(state.folder, { pattern: findPattern(state.field.value), ignoreCase: true }, {
    signal: search.abort.signal,
    onBatch: (entries) => {
      if (search.entries.length >= MAX_FIND_RESULTS) {
        search.truncated = true;
        return;
      }
      search.entries.push(...entries.slice(0, MAX_FIND_RESULTS - search.entries.length));
      refresh();
    },
  }).then(() => {
    search.done = true;
    refresh();
  }, (error: unknown) => {
    search.done = true;
    if (!search.abort.signal.aborted) search.error = describeError(error);
    refresh();
  });
}

/** Goes to the match under the cursor in the searched pane; `select` also selects it there. */
async function goTo(state: FindDialogState, host: DialogHost, select: boolean): Promise<void> {
  const entry = state.search?.entries[state.cursor];
  const fs = host.fsOf(state.side);
  if (!entry || !fs) return;
  close(state, host);
  const pane = host.panes[state.side];
  const inside = path.posix.dirname(entry.name);
  const folder = path.posix.join(state.folder, inside === '.' ? '' : inside);
  const name = path.posix.basename(entry.name);
  if (await pane.load(fs, folder, name) && select) {
    pane.dispatch({ type: 'focus-name', name });
    pane.dispatch({ type: 'toggle-select' });
  }
}

export const findDialogModule: DialogModule<FindDialogState> = {
  onKey(state, press, host) {
    const edited = editTextField(state.field, press);
    if (edited) {
      show({ ...state, field: edited }, host);
      return true;
    }
    const command = matchCommand(press, 'dialog');
    const found = state.search?.entries.length ?? 0;
    if (command === 'dismiss') {
      close(state, host);
    } else if (command === 'confirm') {
      const client = host.sessionOf(state.side);
      const searched = state.search && state.search.pattern === state.field.value;
      if (searched && found > 0) void goTo(state, host, false);
      else if (client && state.field.value.trim() !== '') start(state, host, client);
    } else if (command === 'find-select') {
      void goTo(state, host, true);
    } else if (command === 'next-field' && found > 0) {
      show({ ...state, cursor: Math.min(found - 1, state.cursor + 1) }, host);
    } else if (command === 'previous-field' && found > 0) {
      show({ ...state, cursor: Math.max(0, state.cursor - 1) }, host);
    }
    return true;
  },
  render: (state, host) => {
    const width = dialogWidth(72, host.screen);
    const textWidth = dialogTextWidth(width);
    const search = state.search;
    const entries = search?.entries ?? [];
    // Field, status and key lines around the list.
    const listRows = Math.max(1, dialogBodyRows(host.screen) - 3);
    const top = Math.max(0, Math.min(state.cursor - listRows + 1, entries.length - listRows));
    const visible = entries.slice(top, top + listRows);
    const status = !search ? `below ${state.folder}: Enter searches`
      : search.error ? search.error
        : `${entries.length}${search.truncated ? '+' : ''} match${entries.length === 1 ? '' : 'es'}${search.done ? '' : ', searching…'}`;
    return (
      <DialogFrame title={`Find on the ${state.side === 'local' ? `${paneName(state.side)}'s ` : ''}server below ${state.folder}`} width={width} screen={host.screen}>
        <Text>
          <Text color={theme.accent}>{' > '}</Text>
          <TextField field={state.field} width={textWidth - 2} focused />{' '}
        </Text>
        {Array.from({ length: listRows }, (_, row) => {
          const entry = visible[row];
          const label = entry ? `${entry.kind === EntryKind.DIRECTORY ? '/' : ' '}${entry.name}` : '';
          return (
            <DialogLine key={row} width={width} color={entry && top + row === state.cursor ? theme.accent : undefined} bold={entry !== undefined && top + row === state.cursor}>
              {entry && top + row === state.cursor ? `>${label}` : ` ${label}`}
            </DialogLine>
          );
        })}
        <DialogLine width={width} color={search?.error ? theme.danger : undefined}>{status}</DialogLine>
        <DialogLine width={width}>{'Enter: search / go to   Ins: go to and select   Esc: close'}</DialogLine>
      </DialogFrame>
    );
  },
};
