/**
 * SUMS (docs/PROTOCOL.md §6, Checksums): the SHA-256 of named files below a
 * folder, so a client can compare content without downloading it (`ferry
 * sync --checksum`). Hashing reads whole files, so a request of a few bytes
 * can cost the server gigabytes of reading: each file takes its turn at the
 * same work gate as a resumed download's prefix hash (one job per session,
 * a few in the process), and the request stops as soon as it is cancelled.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { EntryKind, MAX_SUMS_NAMES, type ServerMessage, type SumsRequest } from '../protocol/messages.js';
import { checkAborted, type RequestContext } from './request.js';

/** Failures that mean "this name is not a regular file here": answered with an empty hash, not a FAIL. */
const NOT_A_FILE = new Set<number>([
  ErrorCode.NOT_FOUND, ErrorCode.IS_A_DIRECTORY, ErrorCode.NOT_A_DIRECTORY, ErrorCode.UNSUPPORTED,
]);

export async function handleSums(ctx: RequestContext, msg: SumsRequest): Promise<ServerMessage> {
  if (msg.names.length > MAX_SUMS_NAMES) {
    throw new FerryError(ErrorCode.BAD_FRAME, `SUMS: at most ${MAX_SUMS_NAMES} names per request, not ${msg.names.length}`);
  }
  const folder = ctx.storage.parse(msg.path);
  const top = await ctx.storage.stat(folder);
  // A symlink as `path` is followed on the way to each name (inside the root only), as LIST follows it.
  if (top.kind !== EntryKind.DIRECTORY && top.kind !== EntryKind.SYMLINK) {
    throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `not a folder: ${msg.path}`);
  }
  // Every name is checked before any file is read: a malformed one fails the request at once.
  const targets = msg.names.map((name) => {
    if (name === '') throw new FerryError(ErrorCode.INVALID_PATH, 'SUMS: an empty name');
    const below = ctx.storage.parse(name);
    return ctx.storage.parse(`/${[...folder, ...below].join('/')}`);
  });
  const hashes: Buffer[] = [];
  for (const components of targets) {
    checkAborted(ctx.signal);
    hashes.push(await hashOf(ctx, components));
  }
  return { op: 'SUMS', id: ctx.id, hashes };
}

async function hashOf(ctx: RequestContext, components: string[]): Promise<Buffer> {
  let file;
  try {
    file = await ctx.storage.openForReading(components);
  } catch (error) {
    if (error instanceof FerryError && NOT_A_FILE.has(error.code)) return Buffer.alloc(0);
    throw error;
  }
  try {
    const hash = createHash('sha256');
    await file.hashPrefix(file.size, hash, ctx.output, ctx.signal);
    return hash.digest();
  } finally {
    await file.close();
  }
}
