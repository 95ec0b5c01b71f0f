/**
 * Pane state: one listing with its cursor, visible window, selection, filter,
 * sort order and hidden-file switch. Both panes (local and remote) use it.
 *
 * Speed matters with 100 000 entries: the filtered and sorted `view` is derived
 * only when the listing, the filter, the sort or the hidden switch change;
 * cursor moves and selection toggles are O(1) (apart from copying the
 * selection set, which is as large as the selection, not the folder).
 * Names are lower-cased once per listing (`sortedKeys`), and a filter that
 * extends the previous one (typing) narrows the current view instead of
 * scanning the whole folder again.
 */
import { EntryKind, type Entry } from '../../protocol/messages.js';

export type SortKey = 'name' | 'size' | 'time';

export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

export interface PaneState {
  /** Folder shown (POSIX path for the remote pane, native path for the local one). */
  path: string;
  /** The listing as it came from the filesystem. */
  entries: readonly Entry[];
  /** `entries` in sort order; derived only when the listing or the sort change. */
  sorted: readonly Entry[];
  /** Lower-cased names of `sorted`, in the same order: what the filter and the hidden check read. */
  sortedKeys: readonly string[];
  /** `sorted` without hidden files unless shown, and filtered: what the rows show. */
  view: readonly Entry[];
  /** Position in `sorted` of each `view` row. */
  viewIndex: readonly number[];
  sort: SortOrder;
  /** Case-insensitive substring filter; empty shows everything. */
  filter: string;
  showHidden: boolean;
  /** Whether rows show the permission bits (a column the user turns on). */
  showMode: boolean;
  /**
   * Whether a `..` row (the parent folder) stands above the entries: every
   * folder but the root has one. It is no entry: it is never selected, never
   * counted, never copied or deleted; Enter on it goes up.
   */
  parentRow: boolean;
  /** The side left names out of this listing (control characters, not UTF-8): the pane says so. */
  namesLeftOut: boolean;
  /** Index into `view` of the highlighted row; -1 is the `..` row. */
  cursor: number;
  /** Index into `view` of the first visible row; -1 when the `..` row is visible. */
  top: number;
  /** Rows the pane can show. */
  height: number;
  /** Names of selected entries. */
  selected: ReadonlySet<string>;
  loading: boolean;
  /** Why the last listing failed, if it did. */
  error: string | undefined;
}

export type PaneAction =
  | { type: 'load-start' }
  /** `parentRow`: whether `path` has a parent (a `..` row); absent: as before for the same folder, else none. */
  | { type: 'loaded'; path: string; entries: readonly Entry[]; focusName?: string; parentRow?: boolean; namesLeftOut?: boolean }
  | { type: 'load-failed'; message: string }
  | { type: 'clear'; path: string }
  | { type: 'move'; delta: number }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'focus-name'; name: string }
  | { type: 'resize'; height: number }
  | { type: 'toggle-select' }
  | { type: 'select-all' }
  | { type: 'invert-selection' }
  /** Selects exactly `names` (those in the listing), as a compare of the panes does. */
  | { type: 'set-selection'; names: ReadonlySet<string> }
  | { type: 'clear-selection' }
  | { type: 'select-names'; names: readonly string[] }
  | { type: 'unselect-names'; names: readonly string[] }
  | { type: 'set-filter'; filter: string }
  | { type: 'append-filter'; text: string }
  | { type: 'erase-filter' }
  | { type: 'toggle-hidden' }
  | { type: 'toggle-mode' }
  | { type: 'set-sort'; key: SortKey }
  | { type: 'reverse-sort' };

export function createPaneState(path: string, height = 10): PaneState {
  return {
    path,
    entries: [],
    sorted: [],
    sortedKeys: [],
    view: [],
    viewIndex: [],
    sort: { key: 'name', descending: false },
    filter: '',
    showHidden: false,
    showMode: false,
    parentRow: false,
    namesLeftOut: false,
    cursor: 0,
    top: 0,
    height: Math.max(1, height),
    selected: new Set(),
    loading: false,
    error: undefined,
  };
}

export function isDirectory(entry: Entry): boolean {
  return entry.kind === EntryKind.DIRECTORY;
}

export function isHiddenName(name: string): boolean {
  return name.startsWith('.');
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Folders first, then by the sort key; ties broken by name so the order is stable. */
export function compareEntries(a: Entry, b: Entry, sort: SortOrder): number {
  const folderFirst = Number(isDirectory(b)) - Number(isDirectory(a));
  if (folderFirst !== 0) return folderFirst;
  let order = 0;
  if (sort.key === 'size') order = a.size - b.size;
  else if (sort.key === 'time') order = a.mtimeMs - b.mtimeMs;
  if (order === 0) order = collator.compare(a.name, b.name);
  return sort.descending ? -order : order;
}

export function sortEntries(entries: readonly Entry[], sort: SortOrder): Entry[] {
  return [...entries].sort((a, b) => compareEntries(a, b, sort));
}

/** The filter key of each entry: its lower-cased name (computed once per listing). */
export function entryKeys(entries: readonly Entry[]): string[] {
  return entries.map((entry) => entry.name.toLowerCase());
}

/**
 * Positions (among `keys`) of the rows to show: hidden names dropped unless
 * shown, filter applied. `candidates` limits the scan to those positions (in
 * order) when the caller knows every match is among them; all keys otherwise.
 */
export function filterIndices(
  keys: readonly string[],
  options: { filter: string; showHidden: boolean },
  candidates?: readonly number[],
): number[] {
  const needle = options.filter.toLowerCase();
  const keep = (key: string): boolean => (options.showHidden || !isHiddenName(key)) && (needle === '' || key.includes(needle));
  const result: number[] = [];
  if (candidates) {
    for (const index of candidates) if (keep(keys[index]!)) result.push(index);
  } else {
    for (let index = 0; index < keys.length; index++) if (keep(keys[index]!)) result.push(index);
  }
  return result;
}

/** The rows to show from sorted entries: hidden names dropped unless shown, filter applied. */
export function filterView(sorted: readonly Entry[], options: { filter: string; showHidden: boolean }): readonly Entry[] {
  if (options.filter === '' && options.showHidden) return sorted;
  return filterIndices(entryKeys(sorted), options).map((index) => sorted[index]!);
}

/** The rows to show: hidden names dropped unless shown, filter applied, sorted. */
export function deriveView(
  entries: readonly Entry[],
  options: { filter: string; showHidden: boolean; sort: SortOrder },
): readonly Entry[] {
  return filterView(sortEntries(entries, options.sort), options);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** The first cursor position: -1 (the `..` row) where there is one. */
function firstRow(state: PaneState): number {
  return state.parentRow ? -1 : 0;
}

/**
 * Put the cursor inside the rows (the `..` row, if any, then the view) and
 * scroll the window so the cursor is visible. Worked out in row numbers
 * counted from the `..` row, then turned back into view indices.
 */
function withCursor(state: PaneState, cursor: number): PaneState {
  const lead = state.parentRow ? 1 : 0;
  const count = state.view.length + lead;
  const row = count === 0 ? 0 : clamp(cursor + lead, 0, count - 1);
  let top = state.top + lead;
  if (row < top) top = row;
  if (row >= top + state.height) top = row - state.height + 1;
  top = clamp(top, 0, Math.max(0, count - state.height));
  const nextCursor = count === 0 ? 0 : row - lead;
  const nextTop = top - lead;
  if (nextCursor === state.cursor && nextTop === state.top) return state;
  return { ...state, cursor: nextCursor, top: nextTop };
}

function indexOfName(view: readonly Entry[], name: string): number {
  return view.findIndex((entry) => entry.name === name);
}

/** Where `position` is in the ascending `positions`, or -1. */
function indexOfPosition(positions: readonly number[], position: number): number {
  let low = 0;
  let high = positions.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = positions[middle]!;
    if (value === position) return middle;
    if (value < position) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/**
 * Re-derive the view and keep the cursor on the same entry when it is still
 * shown. Sorting happens only when the listing or the sort order changed;
 * filter and hidden-file changes only filter the sorted list.
 */
function rederive(state: PaneState, changes: Partial<PaneState>, focusName?: string): PaneState {
  const next = { ...state, ...changes };
  const currentName = focusName ?? state.view[state.cursor]?.name;
  const resorted = next.entries !== state.entries || next.sort !== state.sort || next.sorted.length !== next.entries.length;
  if (resorted) {
    next.sorted = sortEntries(next.entries, next.sort);
    next.sortedKeys = entryKeys(next.sorted);
  }
  if (next.filter === '' && next.showHidden) {
    next.view = next.sorted;
    next.viewIndex = next.sorted.map((_, index) => index);
  } else {
    // Typing narrows: every match of "ab" is among the matches of "a".
    const narrows = !resorted && next.showHidden === state.showHidden && next.filter.toLowerCase().startsWith(state.filter.toLowerCase());
    next.viewIndex = filterIndices(next.sortedKeys, next, narrows ? state.viewIndex : undefined);
    next.view = next.viewIndex.map((index) => next.sorted[index]!);
  }
  // Same sorted list: find the cursor's entry by its position (views keep sorted order), not by name.
  const cursorPosition = !resorted && focusName === undefined ? state.viewIndex[state.cursor] : undefined;
  const index =
    cursorPosition !== undefined
      ? indexOfPosition(next.viewIndex, cursorPosition)
      : currentName === undefined
        ? -1
        : indexOfName(next.view, currentName);
  return withCursor({ ...next, cursor: -1 }, index < 0 ? Math.min(state.cursor, next.view.length - 1) : index);
}

export function paneReducer(state: PaneState, action: PaneAction): PaneState {
  switch (action.type) {
    case 'load-start':
      return { ...state, loading: true, error: undefined };
    case 'loaded': {
      const samePath = action.path === state.path;
      const names = new Set(action.entries.map((entry) => entry.name));
      const selected = samePath ? new Set([...state.selected].filter((name) => names.has(name))) : new Set<string>();
      const parentRow = action.parentRow ?? (samePath ? state.parentRow : false);
      const base: PaneState = samePath
        ? state
        : { ...state, cursor: 0, top: parentRow ? -1 : 0, filter: '' };
      return rederive(
        { ...base, parentRow },
        { path: action.path, entries: action.entries, selected, loading: false, error: undefined, namesLeftOut: action.namesLeftOut ?? false },
        action.focusName ?? (samePath ? undefined : ''),
      );
    }
    case 'load-failed':
      return { ...state, loading: false, error: action.message };
    case 'clear':
      return {
        ...createPaneState(action.path, state.height), sort: state.sort, showHidden: state.showHidden, showMode: state.showMode,
      };
    case 'move':
      return withCursor(state, state.cursor + action.delta);
    case 'page':
      return withCursor(state, state.cursor + action.direction * Math.max(1, state.height - 1));
    case 'home':
      return withCursor(state, firstRow(state));
    case 'end':
      return withCursor(state, state.view.length - 1);
    case 'focus-name': {
      const index = indexOfName(state.view, action.name);
      return index < 0 ? state : withCursor(state, index);
    }
    case 'resize': {
      const height = Math.max(1, action.height);
      if (height === state.height) return state;
      return withCursor({ ...state, height, cursor: -1 }, state.cursor);
    }
    case 'toggle-select': {
      const entry = state.view[state.cursor];
      // The `..` row is no entry: Insert passes over it.
      if (!entry) return withCursor(state, state.cursor + 1);
      const selected = new Set(state.selected);
      if (selected.has(entry.name)) selected.delete(entry.name);
      else selected.add(entry.name);
      return withCursor({ ...state, selected }, state.cursor + 1);
    }
    case 'select-all':
      return { ...state, selected: new Set(state.view.map((entry) => entry.name)) };
    case 'invert-selection':
      return {
        ...state,
        selected: new Set(state.view.filter((entry) => !state.selected.has(entry.name)).map((entry) => entry.name)),
      };
    case 'clear-selection':
      return state.selected.size === 0 ? state : { ...state, selected: new Set() };
    case 'set-selection':
      return { ...state, selected: new Set(state.entries.filter((entry) => action.names.has(entry.name)).map((entry) => entry.name)) };
    case 'select-names':
      return { ...state, selected: new Set([...state.selected, ...action.names]) };
    case 'unselect-names': {
      const selected = new Set(state.selected);
      for (const name of action.names) selected.delete(name);
      return { ...state, selected };
    }
    case 'set-filter':
      if (action.filter === state.filter) return state;
      return rederive(state, { filter: action.filter });
    case 'append-filter':
      return rederive(state, { filter: state.filter + action.text });
    case 'erase-filter':
      return state.filter === '' ? state : rederive(state, { filter: [...state.filter].slice(0, -1).join('') });
    case 'toggle-hidden':
      return rederive(state, { showHidden: !state.showHidden });
    case 'toggle-mode':
      return { ...state, showMode: !state.showMode };
    case 'set-sort': {
      const descending = state.sort.key === action.key ? !state.sort.descending : action.key !== 'name';
      return rederive(state, { sort: { key: action.key, descending } });
    }
    case 'reverse-sort':
      return rederive(state, { sort: { ...state.sort, descending: !state.sort.descending } });
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}

/** The entry under the cursor. */
export function currentEntry(state: PaneState): Entry | undefined {
  return state.view[state.cursor];
}

/** What an operation acts on: the selection if any, else the entry under the cursor. */
export function targetEntries(state: PaneState): Entry[] {
  if (state.selected.size > 0) {
    return state.entries.filter((entry) => state.selected.has(entry.name));
  }
  const entry = currentEntry(state);
  return entry ? [entry] : [];
}

/** The entries inside the window (the `..` row, when visible, takes the first line). */
export function visibleRows(state: PaneState): readonly Entry[] {
  return state.view.slice(Math.max(0, state.top), state.top + state.height);
}

/** Whether the cursor is on the `..` row. */
export function onParentRow(state: PaneState): boolean {
  return state.parentRow && state.cursor < 0;
}

/**
 * What a pane component draws: only the visible rows and a few flags. The
 * component never receives the whole listing, so rendering (and React's
 * development-mode prop diffing) costs the same for 100 or 100 000 entries.
 */
export interface PaneView {
  /** Whether the first line is the `..` row (then `rows` follow it). */
  parentRow: boolean;
  rows: readonly Entry[];
  /** Line of the cursor (the `..` row, when shown, is line 0 and `rows` start after it); out of range when not visible. */
  cursorRow: number;
  /** Whether each row is selected. */
  selectedRows: readonly boolean[];
  /** Entries shown after filter and hidden-file removal. */
  total: number;
  sort: SortOrder;
  filter: string;
  showHidden: boolean;
  showMode: boolean;
  /** The listing left names out (the header says so). */
  namesLeftOut: boolean;
  loading: boolean;
  error: string | undefined;
}

export function paneView(state: PaneState): PaneView {
  const rows = visibleRows(state);
  return {
    parentRow: state.parentRow && state.top < 0,
    rows,
    cursorRow: state.cursor - state.top,
    selectedRows: rows.map((entry) => state.selected.has(entry.name)),
    total: state.view.length,
    sort: state.sort,
    filter: state.filter,
    showHidden: state.showHidden,
    showMode: state.showMode,
    namesLeftOut: state.namesLeftOut,
    loading: state.loading,
    error: state.error,
  };
}
