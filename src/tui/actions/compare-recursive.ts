/**
 * Compare the panes' folders with everything below them (mc's C-x d), by the
 * sync planner's comparison (src/sync/plan.ts) run once each way over one
 * listing of each tree. In each pane the entries are selected that hold
 * anything that side should send: a file that is only there, newer there, or
 * of another size at the same time; a folder when anything below it is. The
 * status line sums up over the whole trees.
 */
import { ExcludeRules } from '../../sync/exclude.js';
import type { SyncEntry } from '../../sync/place.js';
import { compareTrees } from '../../sync/plan.js';
import { describeError } from '../describe-error.js';
import type { PaneSide } from '../fs/pane-fs.js';
import type { ActionContext } from './action-context.js';
import { comparisonCounts, markConflicting, markNewer, type PaneComparison } from './compare-panes.js';
import { paneFolderPlace } from './pane-places.js';

/**
 * The one-folder comparison's shape, for whole trees: `local` and `remote` are
 * the top-level names to select in each pane, the counts are of files at any
 * depth.
 */
export type TreeComparison = PaneComparison;

const topName = (relative: string): string => relative.split('/', 1)[0]!;

export function compareTreeListings(local: readonly SyncEntry[], remote: readonly SyncEntry[]): TreeComparison {
  const options = { exclude: new ExcludeRules([]), deleteExtra: false, checksum: false };
  const fromLocal = compareTrees(local, remote, options);
  const fromRemote = compareTrees(remote, local, options);
  const remoteByPath = new Map(remote.map((entry) => [entry.path, entry]));
  const result: TreeComparison = {
    local: new Set(), remote: new Set(), onlyLocal: 0, onlyRemote: 0, newerLocal: 0, newerRemote: 0, conflicting: 0,
  };
  for (const folder of fromLocal.folders) result.local.add(topName(folder));
  for (const folder of fromRemote.folders) result.remote.add(topName(folder));
  for (const entry of fromLocal.create) {
    result.local.add(topName(entry.path));
    result.onlyLocal++;
  }
  for (const entry of fromRemote.create) {
    result.remote.add(topName(entry.path));
    result.onlyRemote++;
  }
  // Files in both that differ: marked on the newer side, on both when only the size tells them apart.
  for (const entry of fromLocal.update) {
    const other = remoteByPath.get(entry.path);
    const top = topName(entry.path);
    if (!other || other.kind !== 'file') {
      result.local.add(top);
      result.onlyLocal++;
    } else if (!markNewer(result, top, entry, other)) {
      markConflicting(result, top);
    }
  }
  return result;
}

export function describeTreeComparison(c: TreeComparison): string {
  if (c.local.size === 0 && c.remote.size === 0) return 'compare (recursive): both trees are alike';
  const parts = comparisonCounts(c, 'left', 'right');
  const marked = `${c.local.size} left, ${c.remote.size} right selected`;
  return `compare (recursive): ${parts.length > 0 ? `${parts.join(', ')} files` : 'folders differ'} — ${marked}`;
}

export async function compareBothTrees(context: Pick<ActionContext, 'panes' | 'info' | 'fail' | 'fsOf' | 'sessionOf'>): Promise<void> {
  const places = { local: paneFolderPlace('local', context), remote: paneFolderPlace('remote', context) };
  if (!places.local || !places.remote) {
    context.fail('compare needs both panes: connect first (^O)');
    return;
  }
  const paths: Record<PaneSide, string> = { local: context.panes.local.current().path, remote: context.panes.remote.current().path };
  context.info('compare (recursive): listing both trees…');
  try {
    const [local, remote] = await Promise.all([places.local.list(), places.remote.list()]);
    const comparison = compareTreeListings(local ?? [], remote ?? []);
    // The panes moved on meanwhile: their selection would name other folders' entries.
    if (context.panes.local.current().path !== paths.local || context.panes.remote.current().path !== paths.remote) {
      context.fail('compare (recursive): a pane changed folder meanwhile; press again');
      return;
    }
    context.panes.local.dispatch({ type: 'set-selection', names: comparison.local });
    context.panes.remote.dispatch({ type: 'set-selection', names: comparison.remote });
    context.info(describeTreeComparison(comparison));
  } catch (error) {
    context.fail(`compare (recursive): ${describeError(error)}`);
  }
}
