/**
 * LINK (capability `symlink`): a symlink at `path` holding `target`. The
 * target must only go down from the link's folder — relative, no `..`, `.`
 * or empty component, no reserved name — so it points inside the root
 * wherever the link or a folder above it is moved later (docs/SECURITY.md,
 * "Symlinks a client makes"); it is checked as a path, never resolved.
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { LINK_OVERWRITE, type LinkRequest, type ServerMessage } from '../protocol/messages.js';
import type { RequestContext } from './request.js';

export async function handleLink(ctx: RequestContext, msg: LinkRequest): Promise<ServerMessage> {
  const components = ctx.storage.parse(msg.path);
  if (components.length === 0) throw new FerryError(ErrorCode.INVALID_PATH, 'the root cannot be a symlink');
  checkLinkTarget(ctx, msg.target);
  await ctx.storage.makeLink(components, msg.target, (msg.flags & LINK_OVERWRITE) !== 0);
  return { op: 'DONE', id: ctx.id };
}

function checkLinkTarget(ctx: RequestContext, target: string): void {
  const refuse = (why: string): never => {
    throw new FerryError(ErrorCode.INVALID_PATH, `symlink target refused: ${why}`);
  };
  if (target === '') refuse('it is empty');
  if (target.startsWith('/')) refuse('it is absolute; a target is relative to the link\'s folder');
  let components: string[];
  try {
    // The rules of a path (§7): no `.`, `..` or empty component, no control character, no reserved name, lengths.
    components = ctx.storage.parse(target);
  } catch (error) {
    refuse(error instanceof FerryError ? error.message : 'not a path');
  }
  if (components!.length === 0) refuse('it names no entry');
}
