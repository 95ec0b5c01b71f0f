/**
 * TGET (docs/PROTOCOL.md §6, Tree download): the whole tree below a folder in
 * one request. For every folder and regular file, depth first, the server
 * sends FILE; a file's DATA and HASH follow at once. One credit covers the
 * content of all files, and DONE ends the request.
 *
 * Why one request instead of a DWLD per file: a tree of thousands of small
 * files costs per-request work on both sides (a request id, an open, a reply,
 * a wake-up of each process) that is far larger than the files themselves.
 * Streamed, the files leave back to back in full socket writes, like tar.
 */
import { createHash } from 'node:crypto';
import type { ServerMessage, TreeGetRequest } from '../protocol/messages.js';
import { ContentCredit, sendContent } from './download.js';
import { checkAborted, unlessAborted, type RequestContext } from './request.js';
import { displayPath, invalidPath } from './storage/paths.js';

/** Files sent between two yields to the event loop, so other sessions and this one's CANC get their turn. */
const FILES_PER_TURN = 64;

export async function handleTreeGet(ctx: RequestContext, msg: TreeGetRequest): Promise<ServerMessage> {
  const components = ctx.storage.parse(msg.path);
  const walk = await ctx.storage.walkTree(components, selectedNames(ctx, msg.names));
  const credit = new ContentCredit(ctx, msg.window);
  // The tree moves as fast as the client grants credit and reads: every frame either way is progress.
  ctx.waitingOnPeer(true);
  let files = 0;
  let bytes = 0;
  let sinceYield = 0;
  try {
    for (;;) {
      checkAborted(ctx.signal);
      const item = await walk.next();
      if (!item) break;
      if (item.kind === 'folder') {
        ctx.output.send({ op: 'FILE', id: ctx.id, entry: item.entry });
        continue;
      }
      try {
        // A client that reads slowly holds the walk here, not in the server's memory.
        await unlessAborted(ctx.signal, ctx.output.writable());
        ctx.output.send({ op: 'FILE', id: ctx.id, entry: item.entry });
        const digest = await sendContent(ctx, item.file, 0, createHash('sha256'), credit, item.entry.name);
        ctx.output.send({ op: 'HASH', id: ctx.id, hash: digest });
      } finally {
        await item.file.close();
      }
      files++;
      bytes += item.entry.size;
      if (++sinceYield >= FILES_PER_TURN) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    await walk.close();
  }
  ctx.recordTree('download', files, bytes, displayPath(components));
  return { op: 'DONE', id: ctx.id };
}

/**
 * The entries a TGET with names asks for, each a single valid component
 * (checked as any path is); undefined for the whole folder.
 */
function selectedNames(ctx: RequestContext, names: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (!names || names.length === 0) return undefined;
  for (const name of names) {
    if (name.includes('/') || ctx.storage.parse(name).length !== 1) throw invalidPath(name, 'a TGET name is one entry of the folder');
  }
  return new Set(names);
}
