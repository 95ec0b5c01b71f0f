/**
 * Compare the two panes' folders, as mc's "compare directories": in each
 * pane the files that are newer than the other side's copy, differ from it
 * in size when their times are equal, or exist on that side only, are
 * selected (so Copy then sends exactly them), and the status line sums up.
 * One level, by the listings already shown: no request is made.
 */
import { EntryKind, type Entry } from '../../protocol/messages.js';
import { compareFileTimes, type TimeOfFile } from '../../protocol/file-times.js';
import type { ActionContext } from './action-context.js';

export interface PaneComparison {
  /** Names to select in each pane. */
  local: Set<string>;
  remote: Set<string>;
  onlyLocal: number;
  onlyRemote: number;
  newerLocal: number;
  newerRemote: number;
  /** Same time, different size: selected on both sides. */
  conflicting: number;
}

/**
 * Marks `name` on the side whose copy is newer, to the coarser side's time
 * resolution (an SFTP copy's whole second is not older than its source's
 * .537); false when neither is.
 */
export function markNewer(result: PaneComparison, name: string, local: TimeOfFile, remote: TimeOfFile): boolean {
  const order = compareFileTimes(local, remote);
  if (order > 0) {
    result.local.add(name);
    result.newerLocal++;
  } else if (order < 0) {
    result.remote.add(name);
    result.newerRemote++;
  }
  return order !== 0;
}

/** Marks `name` on both sides: as new as each other, yet different (another size). */
export function markConflicting(result: PaneComparison, name: string): void {
  result.local.add(name);
  result.remote.add(name);
  result.conflicting++;
}

export function compareListings(local: readonly Entry[], remote: readonly Entry[]): PaneComparison {
  const files = (entries: readonly Entry[]): Map<string, Entry> =>
    new Map(entries.filter((entry) => entry.kind === EntryKind.FILE).map((entry) => [entry.name, entry]));
  const ours = files(local);
  const theirs = files(remote);
  const result: PaneComparison = {
    local: new Set(), remote: new Set(), onlyLocal: 0, onlyRemote: 0, newerLocal: 0, newerRemote: 0, conflicting: 0,
  };
  for (const [name, entry] of ours) {
    const other = theirs.get(name);
    if (!other) {
      result.local.add(name);
      result.onlyLocal++;
    } else if (!markNewer(result, name, entry, other) && entry.size !== other.size) {
      markConflicting(result, name);
    }
  }
  for (const name of theirs.keys()) {
    if (ours.has(name)) continue;
    result.remote.add(name);
    result.onlyRemote++;
  }
  return result;
}

export function describeComparison(c: PaneComparison): string {
  if (c.local.size === 0 && c.remote.size === 0) return 'compare: the files of both folders are alike';
  return `compare: ${comparisonCounts(c, 'local', 'remote').join(', ')} — selected`;
}

/** The non-zero counts of a comparison (one folder or whole trees), the two sides called `left` and `right`. */
export function comparisonCounts(c: Omit<PaneComparison, 'local' | 'remote'>, left: string, right: string): string[] {
  const parts: string[] = [];
  if (c.onlyLocal > 0) parts.push(`${c.onlyLocal} only ${left}`);
  if (c.onlyRemote > 0) parts.push(`${c.onlyRemote} only ${right}`);
  if (c.newerLocal > 0) parts.push(`${c.newerLocal} newer ${left}`);
  if (c.newerRemote > 0) parts.push(`${c.newerRemote} newer ${right}`);
  if (c.conflicting > 0) parts.push(`${c.conflicting} same time, other size`);
  return parts;
}

export function compareBothPanes(context: Pick<ActionContext, 'panes' | 'info' | 'fail' | 'fsOf'>): void {
  if (!context.fsOf('remote')) {
    context.fail('compare needs both panes: connect first (^O)');
    return;
  }
  const comparison = compareListings(context.panes.local.current().entries, context.panes.remote.current().entries);
  context.panes.local.dispatch({ type: 'set-selection', names: comparison.local });
  context.panes.remote.dispatch({ type: 'set-selection', names: comparison.remote });
  context.info(describeComparison(comparison));
}
