import React from 'react';
import { DialogFrame, DialogLine, dialogWidth } from './DialogFrame.js';
import { bindings, describeKey, type Binding, type Command } from '../keys/keymap.js';

/** Props of the help overlay (?/F1). */
export interface HelpOverlayProps {
  screen: { columns: number; rows: number };
  /** First line shown (the overlay scrolls with ↑↓). */
  offset: number;
}

const operations = new Set<Command>([
  'copy', 'upload', 'download', 'rename', 'mkdir', 'delete', 'select', 'select-all', 'invert-selection', 'refresh',
]);

/** Help sections, most used first: operations, then moving around, then the rest. */
const sections: { title: string; includes: (binding: Binding) => boolean }[] = [
  { title: 'Operations', includes: (binding) => binding.context === 'pane' && operations.has(binding.command) },
  { title: 'Everywhere', includes: (binding) => binding.context === 'anywhere' || binding.context === 'global' },
  { title: 'Moving around', includes: (binding) => binding.context === 'pane' && !operations.has(binding.command) },
  { title: 'While filtering (/)', includes: (binding) => binding.context === 'filter' },
  { title: 'In the transfer queue (p)', includes: (binding) => binding.context === 'queue' },
  { title: 'In dialogs', includes: (binding) => binding.context === 'dialog' },
  { title: 'In text fields', includes: (binding) => binding.context === 'text' },
  { title: 'Yes/no questions (delete, trust, quit)', includes: (binding) => binding.context === 'question' },
  { title: 'Target exists (conflict)', includes: (binding) => binding.context === 'conflict' },
  { title: 'In this help', includes: (binding) => binding.context === 'help' },
];

/** Every binding of the keymap, one per line: keys, then what it does. */
export function helpLines(table: readonly Binding[] = bindings): string[] {
  const lines: string[] = [];
  for (const section of sections) {
    lines.push(`— ${section.title} —`);
    for (const binding of table.filter(section.includes)) {
      lines.push(`${binding.keys.map(describeKey).join(' ').padEnd(22)} ${binding.description}`);
    }
  }
  return lines;
}

const allLines = helpLines();

/** Help lines that fit on `screen` at once. */
function helpRoom(screen: { rows: number }): number {
  return Math.max(3, screen.rows - 8);
}

/** The largest useful scroll offset on `screen`: the last line at the bottom. */
export function helpScrollLimit(screen: { rows: number }): number {
  return Math.max(0, allLines.length - helpRoom(screen));
}

export function HelpOverlay({ screen, offset }: HelpOverlayProps): React.JSX.Element {
  const width = dialogWidth(78, screen);
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
