/**
 * The two numbers a handshake settles (docs/PROTOCOL.md §4), as pure
 * functions so the server and a client compute them the same way.
 */
import { MAX_MAX_FRAME, MIN_MAX_FRAME } from './constants.js';

/**
 * The highest version inside both ranges, or undefined when they do not
 * overlap (the server then answers FAIL VERSION).
 */
export function negotiateVersion(
  client: { minVersion: number; maxVersion: number },
  server: { minVersion: number; maxVersion: number },
): number | undefined {
  const version = Math.min(client.maxVersion, server.maxVersion);
  return version >= Math.max(client.minVersion, server.minVersion) ? version : undefined;
}

/**
 * The session's maximum frame length: the smaller of the client's proposal and
 * the server's own limit, kept within MIN_MAX_FRAME..MAX_MAX_FRAME.
 */
export function negotiateMaxFrame(clientProposal: number, serverLimit: number): number {
  return Math.max(MIN_MAX_FRAME, Math.min(clientProposal, serverLimit, MAX_MAX_FRAME));
}
