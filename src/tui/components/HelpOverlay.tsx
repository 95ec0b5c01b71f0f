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
  { title: 'Everywhere', includes: (binding) => binding.context === 'global' },
  { title: 'Moving around', includes: (binding) => binding.context === 'pane' && !operations.has(binding.command) },
  { title: 'In the transfer queue (p)', includes: (binding) => binding.context === 'queue' },
  { title: 'In dialogs', includes: (binding) => binding.context === 'dialog' },
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

export function HelpOverlay({ screen, offset }: HelpOverlayProps): React.JSX.Element {
  const width = dialogWidth(78, screen);
  const room = Math.max(3, screen.rows - 8);
  const start = Math.min(Math.max(0, offset), Math.max(0, allLines.length - room));
  return (
    <DialogFrame title={`Ferry keys (${start + 1}-${Math.min(allLines.length, start + room)} of ${allLines.length}; ↑↓ scroll, Esc close)`} width={width} screen={screen}>
      {allLines.slice(start, start + room).map((line, index) => (
        <DialogLine key={index} width={width} bold={line.startsWith('—')}>{line}</DialogLine>
      ))}
    </DialogFrame>
  );
}
