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
  /** Whether the time column has room for the full date and time. */
  longTime: boolean;
}

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 12;

/** Lines the pane uses beside its listing rows: two borders, the header and the column titles. */
const PANE_CHROME = 4;

export function computeLayout(size: { columns: number; rows: number }, transferCount = 0): Layout {
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
    longTime: rowWidth >= 56,
  };
}
