/**
 * Screen layout as a pure function of the terminal size, so it can be tested
 * without rendering and every component draws from the same numbers.
 *
 *   ┌ local pane ─────────┐┌ remote pane ────────┐   paneHeight rows:
 *   │ header (location)   ││ header              │     border, header, column titles,
 *   │ Name   Size  Time   ││ ...                 │     listRows, border
 *   │ rows...             ││                     │
 *   └─────────────────────┘└─────────────────────┘
 *   Transfers (title + transferRows items)
 *   status line
 *   key hint bar
 *
 * One line is left unused at the bottom: when a frame fills the whole
 * terminal, Ink clears the screen on every update, which flickers.
 *
 * Below MIN_COLUMNS × MIN_ROWS the screen is not laid out at all (`tooSmall`):
 * that is the smallest size at which every dialog fits whole over the panes
 * and a listing row still has a readable name (test/tui/dialog-fit.test.tsx
 * draws each dialog at it). Drawn smaller, Ink would wrap every line into the
 * next one.
 */

export interface Layout {
  columns: number;
  rows: number;
  /** Outer widths of the two panes (borders included). */
  paneWidths: [number, number];
  /** Outer height of each pane. */
  paneHeight: number;
  /** Listing rows inside a pane. */
  listRows: number;
  /** Item rows in the transfer panel (its title line not counted). */
  transferRows: number;
  /** Columns for a listing row inside a pane's border. */
  rowWidth: number;
  /** The terminal is smaller than MIN_COLUMNS × MIN_ROWS: show tooSmallMessage instead of the panes. */
  tooSmall: boolean;
}

export const MIN_COLUMNS = 50;
export const MIN_ROWS = 14;

/** What the screen says instead of the panes when the terminal is too small, one line each. */
export function tooSmallMessage(size: { columns: number; rows: number }): string[] {
  return [
    'Terminal too small',
    `(need ${MIN_COLUMNS}×${MIN_ROWS}, have ${Math.floor(size.columns)}×${Math.floor(size.rows)})`,
    'Enlarge it, or F10/q to quit.',
  ];
}

/** Cells of a listing row before the name: the selection mark and the kind mark. */
export const MARK_WIDTH = 2;
/** Cells of the Size column: `<DIR>`, `1023`, `9.9K`, `1023K`. */
export const SIZE_WIDTH = 5;
/** Cells of the Modified column: `Dec  2 03:41` or `Dec  2  2025` (format.ts, formatTime). */
export const TIME_WIDTH = 12;
/** The name keeps at least this many cells before a column is given room: `Name (name↑)` fits. */
export const NAME_MIN = 12;

/** The permissions column, when the user shows it: `rwxr-xr-x`. */
export const MODE_WIDTH = 9;

/** Widths of a listing row's columns; 0 for a column left out. */
export interface ColumnPlan {
  name: number;
  size: number;
  time: number;
  /** Only in a plan asked with the mode column. */
  mode?: number;
}

/**
 * The columns of a listing row of `rowWidth` cells. The name comes first: it
 * keeps NAME_MIN cells, then Size gets its room, then Modified; when the row
 * is narrower, Modified goes first, then Size, and the name takes what is
 * left. Each shown column is one space from the one before.
 */
export function planColumns(rowWidth: number, withMode = false): ColumnPlan {
  if (withMode) {
    // Asked for, the mode column takes its room before Size and Modified (which give way as on any
    // narrow row); it is left out only when the name would fall below NAME_MIN.
    const rest = planColumns(rowWidth - 1 - MODE_WIDTH);
    return rest.name >= NAME_MIN ? { ...rest, mode: MODE_WIDTH } : { ...planColumns(rowWidth), mode: 0 };
  }
  const width = Math.max(0, Math.floor(rowWidth));
  const withBoth = width - MARK_WIDTH - 1 - SIZE_WIDTH - 1 - TIME_WIDTH;
  if (withBoth >= NAME_MIN) return { name: withBoth, size: SIZE_WIDTH, time: TIME_WIDTH };
  const withSize = width - MARK_WIDTH - 1 - SIZE_WIDTH;
  if (withSize >= NAME_MIN) return { name: withSize, size: SIZE_WIDTH, time: 0 };
  return { name: Math.max(1, width - MARK_WIDTH), size: 0, time: 0 };
}

/** Lines the pane uses beside its listing rows: two borders, the header and the column titles. */
const PANE_CHROME = 4;

export function computeLayout(size: { columns: number; rows: number }, transferCount = 0): Layout {
  const tooSmall = Math.floor(size.columns) < MIN_COLUMNS || Math.floor(size.rows) < MIN_ROWS;
  const columns = Math.max(MIN_COLUMNS, Math.floor(size.columns));
  const rows = Math.max(MIN_ROWS, Math.floor(size.rows));
  const usable = rows - 1;
  // Transfer items get up to a quarter of the screen, at least one line so the panel never jumps.
  const transferRows = Math.max(1, Math.min(transferCount, Math.floor(rows / 4) - 1));
  const paneHeight = usable - 2 /* status + hints */ - 1 /* transfer title */ - transferRows;
  const listRows = Math.max(1, paneHeight - PANE_CHROME);
  const left = Math.floor(columns / 2);
  const right = columns - left;
  const rowWidth = Math.max(10, left - 2);
  return {
    columns,
    rows,
    paneWidths: [left, right],
    paneHeight,
    listRows,
    transferRows,
    rowWidth,
    tooSmall,
  };
}
