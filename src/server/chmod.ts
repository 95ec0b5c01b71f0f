/**
 * CHMD: permission bits of an entry, and with CHMD_RECURSIVE of everything
 * below a folder. Symlinks are never changed nor followed (the jail's
 * permissions.ts); a recursive change walks the jail's listing, which does
 * not descend through links. Folders are changed before their content
 * (as chmod -R does), except when the change takes the owner's read or
 * search bit away: then a folder changed first could no longer be walked,
 * so folders wait until the walk is done and are changed deepest first.
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { CHMD_RECURSIVE, EntryKind, type ChmodRequest, type ServerMessage } from '../protocol/messages.js';
import { LATER_BATCH_ENTRIES } from './operations.js';
import { checkAborted } from './request.js';
import type { RequestContext } from './request.js';
import { applyModeChange, type ModeChange } from './storage/permissions.js';

/** Folders a walk that must change folders last may hold back; past it the request fails with LIMIT. */
export const MAX_DEFERRED_FOLDERS = 100_000;

export async function handleChmod(ctx: RequestContext, msg: ChmodRequest): Promise<ServerMessage> {
  const components = ctx.storage.parse(msg.path);
  const change: ModeChange = { clear: msg.clear & 0o7777, set: msg.set & 0o7777 };
  if ((msg.flags & CHMD_RECURSIVE) === 0) {
    await changeOne(ctx, components, change, true);
    return { op: 'DONE', id: ctx.id };
  }
  const top = await ctx.storage.stat(components);
  if (top.kind === EntryKind.SYMLINK) throw symlinkRefused(msg.path);
  const foldersLast = (applyModeChange(0o700, change) & 0o500) !== 0o500;
  const deferred: string[][] = [];
  if (top.kind === EntryKind.DIRECTORY) {
    if (components.length > 0) {
      if (foldersLast) deferred.push(components);
      else await changeOne(ctx, components, change, true);
    }
    const listing = await ctx.storage.list(components, true);
    try {
      while (!listing.done) {
        checkAborted(ctx.signal);
        for (const entry of await listing.next(LATER_BATCH_ENTRIES)) {
          if (entry.kind === EntryKind.SYMLINK) continue;
          const path = [...components, ...entry.name.split('/')];
          if (entry.kind === EntryKind.DIRECTORY && foldersLast) {
            if (deferred.length >= MAX_DEFERRED_FOLDERS) {
              throw new FerryError(ErrorCode.LIMIT, `more than ${MAX_DEFERRED_FOLDERS} folders to change last; change them in parts`);
            }
            deferred.push(path);
          } else {
            await changeOne(ctx, path, change, false);
          }
        }
        // Other sessions' I/O runs between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      await listing.close();
    }
  } else {
    await changeOne(ctx, components, change, true);
  }
  // Deepest first: the listing is depth first, so its reverse order has every folder after its subfolders.
  for (let i = deferred.length - 1; i >= 0; i--) {
    checkAborted(ctx.signal);
    await changeOne(ctx, deferred[i]!, change, false);
  }
  return { op: 'DONE', id: ctx.id };
}

/** Changes one entry; the entry the client named fails on a symlink, one met on the way is passed over. */
async function changeOne(ctx: RequestContext, path: readonly string[], change: ModeChange, named: boolean): Promise<void> {
  const outcome = await ctx.storage.changeMode(path, change);
  if (!outcome.changed && named) throw symlinkRefused(path.join('/'));
}

function symlinkRefused(path: string): FerryError {
  return new FerryError(ErrorCode.UNSUPPORTED, `a symlink has no mode of its own and is not followed: ${path}`);
}
