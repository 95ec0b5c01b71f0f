/**
 * FIND: a search of the tree below a folder by name pattern, size and mtime,
 * answered like a recursive LIST (ENTS batches, names relative to the
 * folder) with only the entries that match. It walks the jail's recursive
 * listing, so it sees what LIST sees: symlinks are reported, never followed.
 */
import { FIND_IGNORE_CASE, LIST_LINK_TARGETS, type Entry, type FindRequest, type ServerMessage } from '../protocol/messages.js';
import { compileNamePattern } from './name-pattern.js';
import { sendListing } from './operations.js';
import type { RequestContext } from './request.js';

export async function handleFind(ctx: RequestContext, msg: FindRequest): Promise<ServerMessage> {
  const components = ctx.storage.parse(msg.path);
  const matchesName = compileNamePattern(msg.pattern, (msg.flags & FIND_IGNORE_CASE) !== 0);
  const linkTargets = (msg.flags & LIST_LINK_TARGETS) !== 0;
  const keep = (entry: Entry): boolean =>
    entry.size >= msg.minSize && entry.size <= msg.maxSize
    && entry.mtimeMs >= msg.minMtimeMs && entry.mtimeMs <= msg.maxMtimeMs
    && matchesName(lastComponent(entry.name));
  const listing = await ctx.storage.list(components, true, linkTargets);
  return sendListing(ctx, listing, { linkTargets, keep });
}

function lastComponent(relative: string): string {
  return relative.slice(relative.lastIndexOf('/') + 1);
}
