/**
 * The keymap grouped for people: the help overlay (F1) and the key table of
 * docs/TUI.md (checked by test/tui/key-table-doc.test.ts) list the same
 * sections in the same order, most used first.
 */
import { bindings, describeKey, type Binding, type Command } from './keymap.js';

const operations = new Set<Command>([
  'view', 'edit', 'copy', 'upload', 'download', 'rename', 'mkdir', 'delete', 'chmod', 'find', 'select', 'select-all', 'unselect-all',
  'select-pattern', 'unselect-pattern', 'invert-selection', 'compare', 'refresh', 'compare-recursive', 'sync',
]);

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
  { title: 'In the sync dialog (Y)', includes: (binding) => binding.context === 'sync' },
  { title: 'Quick search (^S)', includes: (binding) => binding.context === 'quick-search' },
  { title: 'In the viewer (F3)', includes: (binding) => binding.context === 'viewer' },
  { title: 'Changed on the server while editing (F4)', includes: (binding) => binding.context === 'edit-conflict' },
  { title: 'In this help and the message log (^L)', includes: (binding) => binding.context === 'help' },
];

export interface KeySection {
  title: string;
  bindings: Binding[];
}

export function keySections(table: readonly Binding[] = bindings): KeySection[] {
  return sections.map((section) => ({ title: section.title, bindings: table.filter(section.includes) }));
}

/** The key table of docs/TUI.md: one row per binding, a bold row per section. */
export function keyTableMarkdown(table: readonly Binding[] = bindings): string {
  const rows = ['| keys | what they do |', '|---|---|'];
  for (const section of keySections(table)) {
    rows.push(`| **${section.title}** | |`);
    for (const binding of section.bindings) {
      rows.push(`| ${binding.keys.map((key) => `\`${describeKey(key)}\``).join(' ')} | ${binding.description} |`);
    }
  }
  return rows.join('\n');
}
