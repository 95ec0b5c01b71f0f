/**
 * The requests that are not transfers: LIST, STAT, MKDR, RMDR, DELF, MOVE.
 * Each returns its final frame; errors are thrown as FerryError and turned
 * into FAIL by the session.
 */
import { FRAME_HEADER_BYTES, MIN_ENTRY_BYTES } from '../protocol/constants.js';
import { encodedEntryLength } from '../protocol/encode.js';
import {
  ENTS_LAST, ENTS_LINK_TARGETS, ENTS_OMITTED, LIST_LINK_TARGETS, LIST_RECURSIVE, MKDR_PARENTS, MOVE_OVERWRITE, RMDR_RECURSIVE,
  type DeleteRequest, type Entry, type ListRequest, type MkdirRequest, type MoveRequest, type RmdirRequest,
  type ServerMessage, type StatRequest,
} from '../protocol/messages.js';
import { checkAborted, unlessAborted, type RequestContext } from './request.js';
import type { Listing } from './storage/storage.js';

/** Entries in the first batch of a listing: small, so the first screenful arrives quickly. */
export const FIRST_BATCH_ENTRIES = 256;
/** Entries read per later batch (each becomes one or more ENTS frames, split by size). */
export const LATER_BATCH_ENTRIES = 1024;
/** ENTS payload before the entries: flags (1) + count (4). */
const ENTS_FIXED_BYTES = 5;

export async function handleList(ctx: RequestContext, msg: ListRequest): Promise<ServerMessage> {
  const components = ctx.storage.parse(msg.path);
  const linkTargets = (msg.flags & LIST_LINK_TARGETS) !== 0;
  const listing = await ctx.storage.list(components, (msg.flags & LIST_RECURSIVE) !== 0, linkTargets);
  return sendListing(ctx, listing, { linkTargets });
}

/**
 * Streams `listing` as ENTS batches (those `keep` accepts), filling frames up
 * to the session's limit; returns the last batch. Shared by LIST and FIND.
 */
export async function sendListing(
  ctx: RequestContext, listing: Listing, options: { linkTargets: boolean; keep?: (entry: Entry) => boolean },
): Promise<ServerMessage> {
  const budget = ctx.output.maxFrame - (FRAME_HEADER_BYTES - 4) - ENTS_FIXED_BYTES;
  const targetsFlag = options.linkTargets ? ENTS_LINK_TARGETS : 0;
  try {
    let batchSize = FIRST_BATCH_ENTRIES;
    for (;;) {
      checkAborted(ctx.signal);
      const entries = await listing.next(batchSize);
      checkAborted(ctx.signal);
      let frame: Entry[] = [];
      let bytes = 0;
      for (const entry of entries) {
        if (options.keep && !options.keep(entry)) continue;
        const size = options.linkTargets
          ? encodedEntryLength(entry, true)
          : MIN_ENTRY_BYTES + Buffer.byteLength(entry.name, 'utf8');
        if (bytes + size > budget && frame.length > 0) {
          ctx.output.send({ op: 'ENTS', id: ctx.id, flags: targetsFlag, entries: frame });
          frame = [];
          bytes = 0;
        }
        frame.push(entry);
        bytes += size;
      }
      if (listing.done) {
        // Names no request could reach are not sent, but the client learns that some were left out.
        const omitted = listing.omitted > 0 ? ENTS_OMITTED : 0;
        return { op: 'ENTS', id: ctx.id, flags: ENTS_LAST | omitted | targetsFlag, entries: frame };
      }
      if (frame.length > 0) ctx.output.send({ op: 'ENTS', id: ctx.id, flags: targetsFlag, entries: frame });
      // A slow reader holds the listing here instead of filling the server's memory (one that
      // stops reading trips the stall timeout); the macrotask turn lets other sessions' I/O run
      // between synchronous batches.
      ctx.waitingOnPeer(true);
      await unlessAborted(ctx.signal, ctx.output.writable());
      ctx.waitingOnPeer(false);
      await new Promise<void>((resolve) => setImmediate(resolve));
      batchSize = LATER_BATCH_ENTRIES;
    }
  } finally {
    await listing.close();
  }
}

export async function handleStat(ctx: RequestContext, msg: StatRequest): Promise<ServerMessage> {
  const entry = await ctx.storage.stat(ctx.storage.parse(msg.path));
  return { op: 'STAT', id: ctx.id, entry };
}

export async function handleMkdir(ctx: RequestContext, msg: MkdirRequest): Promise<ServerMessage> {
  await ctx.storage.mkdir(ctx.storage.parse(msg.path), (msg.flags & MKDR_PARENTS) !== 0);
  return { op: 'DONE', id: ctx.id };
}

export async function handleRmdir(ctx: RequestContext, msg: RmdirRequest): Promise<ServerMessage> {
  await ctx.storage.rmdir(ctx.storage.parse(msg.path), (msg.flags & RMDR_RECURSIVE) !== 0);
  return { op: 'DONE', id: ctx.id };
}

export async function handleDelete(ctx: RequestContext, msg: DeleteRequest): Promise<ServerMessage> {
  await ctx.storage.deleteFile(ctx.storage.parse(msg.path));
  return { op: 'DONE', id: ctx.id };
}

export async function handleMove(ctx: RequestContext, msg: MoveRequest): Promise<ServerMessage> {
  const from = ctx.storage.parse(msg.from);
  const to = ctx.storage.parse(msg.to);
  await ctx.storage.move(from, to, (msg.flags & MOVE_OVERWRITE) !== 0);
  return { op: 'DONE', id: ctx.id };
}
