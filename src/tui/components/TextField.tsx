import React from 'react';
import { Text } from 'ink';
import { cellWidth, clusters, fitEnd, printable } from '../cells.js';
import type { TextFieldState } from '../state/text-field.js';

/** Props of a one-line text field; the App edits its state (state/text-field.ts), this only draws it. */
export interface TextFieldProps {
  field: TextFieldState;
  /** Cells the field takes, cursor included. */
  width: number;
  /** Shows the cursor (an inverse cell). */
  focused: boolean;
  /** Drawn for each character instead of it (passwords). */
  mask?: string | undefined;
  /** Shown dimmed while the value is empty. */
  placeholder?: string | undefined;
}

/**
 * Which characters are drawn, `[start, end)`: all of them when they fit, else
 * a window that ends at the cursor, so what is being typed stays in view.
 * `cells` is the width of each grapheme cluster; the cursor past the end takes one cell.
 */
export function visibleWindow(cells: readonly number[], cursor: number, width: number): [number, number] {
  let used = cursor < cells.length ? (cells[cursor] ?? 1) : 1;
  let start = cursor;
  while (start > 0 && used + (cells[start - 1] ?? 0) <= width) used += cells[--start] ?? 0;
  let end = Math.min(cells.length, cursor + 1);
  while (end < cells.length && used + (cells[end] ?? 0) <= width) used += cells[end++] ?? 0;
  return [start, end];
}

export function TextField({ field, width, focused, mask, placeholder }: TextFieldProps): React.JSX.Element {
  // One cell of the cursor per grapheme cluster: an accent drawn on its own would shift the rest of the line.
  const shown = clusters(field.value).map((cluster) => (mask ? mask : printable(cluster)));
  if (shown.length === 0 && placeholder && !focused) {
    return <Text dimColor>{fitEnd(placeholder, width)}</Text>;
  }
  const cursor = Math.min(field.cursor, shown.length);
  const [start, end] = visibleWindow(shown.map(cellWidth), cursor, width);
  const before = shown.slice(start, cursor).join('');
  const under = shown[cursor] ?? (focused ? ' ' : '');
  const after = shown.slice(cursor + 1, end).join('');
  const used = cellWidth(before) + cellWidth(under) + cellWidth(after);
  return (
    <Text>
      {before}
      <Text inverse={focused}>{under}</Text>
      {after}
      {' '.repeat(Math.max(0, width - used))}
    </Text>
  );
}
