/**
 * What a tree transfer does with the symlinks inside the tree (`--links`):
 *
 * - `skip` (the default): neither followed nor copied, but counted, so the
 *   result says how many were left out.
 * - `follow`: a link whose target lies inside the transferred tree is copied
 *   as what it points to (a file's content, a folder's files); one leading
 *   out of the tree, to a folder holding the link (a cycle), or to another
 *   link is skipped and counted.
 * - `copy`: a link whose target stays inside the tree is made again on the
 *   receiving side with the same text; one leading out is skipped and counted.
 *
 * "Inside the tree" is judged on the target's text, relative to the link's
 * folder, without touching the disk: the server's jail refuses whatever
 * leads out of its root anyway, and a copied link never points further than
 * the tree it was copied with.
 */
import path from 'node:path';
import { EntryKind, type Entry } from '../protocol/messages.js';

export type LinkPolicy = 'skip' | 'follow' | 'copy';
export const LINK_POLICIES: readonly LinkPolicy[] = ['skip', 'follow', 'copy'];

/**
 * Where the target of the link at `relative` (a `/`-separated path below the
 * tree's top) lands inside the tree, as a relative path ('' for the top), or
 * undefined when the text is absolute or climbs out of the tree.
 */
export function targetInsideTree(relative: string, target: string): string | undefined {
  if (target === '' || target.startsWith('/')) return undefined;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(relative), target));
  if (joined === '..' || joined.startsWith('../')) return undefined;
  return joined === '.' ? '' : joined.replace(/\/$/, '');
}

/** What a download does beyond the listing's folders and files, under `follow` or `copy`. */
export interface RemoteLinkPlan {
  /** Folders to create (relative), from followed folder links. */
  folders: string[];
  /** Files to fetch: `relative` is where it goes, `source` the path below the top it is read from. */
  files: { relative: string; source: string; size: number }[];
  /** Links to make locally (`copy`). */
  links: { relative: string; target: string }[];
  skipped: number;
}

/** Plans a download's symlinks from a recursive listing that carries link targets. */
export function planRemoteLinks(entries: readonly Entry[], policy: LinkPolicy): RemoteLinkPlan {
  const plan: RemoteLinkPlan = { folders: [], files: [], links: [], skipped: 0 };
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  for (const link of entries) {
    if (link.kind !== EntryKind.SYMLINK) continue;
    const inside = policy === 'skip' || link.linkTarget === undefined ? undefined : targetInsideTree(link.name, link.linkTarget);
    if (inside === undefined) {
      plan.skipped++;
      continue;
    }
    if (policy === 'copy') {
      plan.links.push({ relative: link.name, target: link.linkTarget! });
      continue;
    }
    const target = inside === '' ? { kind: EntryKind.DIRECTORY } : byName.get(inside);
    if (target?.kind === EntryKind.FILE) {
      plan.files.push({ relative: link.name, source: inside, size: (target as Entry).size });
    } else if (target?.kind === EntryKind.DIRECTORY && !isSameOrBelow(link.name, inside)) {
      // The folder's own folders and files, once: links inside it are not followed again (no chains, no cycles).
      plan.folders.push(link.name);
      const prefix = inside === '' ? '' : `${inside}/`;
      for (const entry of entries) {
        if (!entry.name.startsWith(prefix) || entry.name === inside) continue;
        const relative = `${link.name}/${entry.name.slice(prefix.length)}`;
        if (entry.kind === EntryKind.DIRECTORY) plan.folders.push(relative);
        else if (entry.kind === EntryKind.FILE) plan.files.push({ relative, source: entry.name, size: entry.size });
        else if (entry.kind === EntryKind.SYMLINK) plan.skipped++;
      }
    } else {
      plan.skipped++;
    }
  }
  return plan;
}

/** Whether `relative` is `folder` or below it ('' is the top, above everything). */
export function isSameOrBelow(relative: string, folder: string): boolean {
  return folder === '' || relative === folder || relative.startsWith(`${folder}/`);
}
