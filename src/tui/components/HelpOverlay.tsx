import React from 'react';
import { DialogFrame, DialogLine, dialogWidth } from './DialogFrame.js';
import { bindings, describeKey, type Binding } from '../keys/keymap.js';
import { keySections } from '../keys/key-sections.js';
import { cellWidth } from '../cells.js';

/** Props of the help overlay (?/F1). */
export interface HelpOverlayProps {
  screen: { columns: number; rows: number };
  /** First line shown (the overlay scrolls with ↑↓). */
  offset: number;
}

/** Every binding of the keymap, one per line: keys, then what it does. */
export function helpLines(table: readonly Binding[] = bindings): string[] {
  const lines: string[] = [];
  for (const section of keySections(table)) {
    lines.push(`— ${section.title} —`);
    for (const binding of section.bindings) {
      lines.push(`${binding.keys.map(describeKey).join(' ').padEnd(22)} ${binding.description}`);
    }
  }
  return lines;
}

const allLines = helpLines();
/** Wide enough for the longest line where the screen allows: a wide terminal shows every description whole. */
const preferredWidth = Math.max(78, ...allLines.map((line) => cellWidth(line) + 4));

/** Help lines that fit on `screen` at once. */
function helpRoom(screen: { rows: number }): number {
  return Math.max(3, screen.rows - 8);
}

/** The largest useful scroll offset on `screen`: the last line at the bottom. */
export function helpScrollLimit(screen: { rows: number }): number {
  return Math.max(0, allLines.length - helpRoom(screen));
}

export function HelpOverlay({ screen, offset }: HelpOverlayProps): React.JSX.Element {
  const width = dialogWidth(preferredWidth, screen);
  const room = helpRoom(screen);
  const start = Math.min(Math.max(0, offset), helpScrollLimit(screen));
  return (
    <DialogFrame title={`Ferry keys (${start + 1}-${Math.min(allLines.length, start + room)} of ${allLines.length}; ↑↓ scroll, Esc/q close)`} width={width} screen={screen}>
      {allLines.slice(start, start + room).map((line, index) => (
        <DialogLine key={index} width={width} bold={line.startsWith('—')}>{line}</DialogLine>
      ))}
    </DialogFrame>
  );
}
