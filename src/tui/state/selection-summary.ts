/** What the status line says of a pane's selection: how many, and how many bytes of files. */
import { EntryKind } from '../../protocol/messages.js';
import { formatBytes } from '../format.js';
import type { PaneState } from './pane.js';

/** `3 selected, 1.2 MiB` (folders count as entries; their contents are not known until copied), or '' without a selection. */
export function selectionSummary(state: Pick<PaneState, 'entries' | 'selected'>): string {
  if (state.selected.size === 0) return '';
  let bytes = 0;
  let folders = 0;
  for (const entry of state.entries) {
    if (!state.selected.has(entry.name)) continue;
    if (entry.kind === EntryKind.FILE) bytes += entry.size;
    else if (entry.kind === EntryKind.DIRECTORY) folders += 1;
  }
  return `${state.selected.size} selected, ${formatBytes(bytes)}${folders > 0 ? ' + folders' : ''}`;
}
