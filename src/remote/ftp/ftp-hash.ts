/**
 * A server's own SHA-256 of a file, where it offers one: `XSHA256 path`
 * (ProFTPD's mod_digest, Serv-U, FileZilla Server) or `HASH path` after
 * `OPTS HASH SHA-256` (draft-bryan-ftpext-hash), as FEAT lists them. With
 * it a transfer is checked by size and content (`verification`
 * `size+sha256`): the SHA-256 of the bytes here against the server's, before
 * a download or an upload is renamed into place. vsftpd offers neither; there
 * the check stays the size.
 */
import type { Client } from 'basic-ftp';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { withoutStackCapture } from './ftp-stack.js';

export type Sha256Command = 'XSHA256' | 'HASH';

/** Connections that were told to HASH with SHA-256. */
const choseSha256 = new WeakSet<Client>();

/** The command that asks this server for a file's SHA-256, from its FEAT answer; undefined where it has none. */
export function sha256CommandOf(features: ReadonlyMap<string, string>): Sha256Command | undefined {
  if (features.has('XSHA256')) return 'XSHA256';
  // `HASH CRC32;MD5;SHA-1*;SHA-256;SHA-512;` (the starred one is the session's current choice).
  const algorithms = (features.get('HASH') ?? '').split(';').map((each) => each.replace(/\*$/, '').trim().toUpperCase());
  return algorithms.includes('SHA-256') ? 'HASH' : undefined;
}

/** The 64 hex digits of a SHA-256 in a reply (`250 5891B5…`, `213 SHA-256 0-6 5891b5… /pub/a.txt`), as bytes. */
export function sha256InReply(message: string): Buffer | undefined {
  const hex = /(?:^|\s)([0-9a-f]{64})(?:\s|$)/i.exec(message)?.[1];
  return hex === undefined ? undefined : Buffer.from(hex, 'hex');
}

/**
 * Compares the server's SHA-256 of `remotePath` with that of the bytes here:
 * HASH_MISMATCH when they differ, and when the server, having offered the
 * command, does not answer it with a hash (the check was promised).
 */
export async function checkSha256(client: Client, command: Sha256Command, remotePath: string, localSha256: Promise<Buffer>): Promise<void> {
  if (command === 'HASH' && !choseSha256.has(client)) {
    // The choice holds for the rest of the connection's session.
    await withoutStackCapture(() => client.sendIgnoringError('OPTS HASH SHA-256'));
    choseSha256.add(client);
  }
  const [reply, local] = await Promise.all([withoutStackCapture(() => client.sendIgnoringError(`${command} ${remotePath}`)), localSha256]);
  const remote = reply.code < 300 ? sha256InReply(reply.message) : undefined;
  if (!remote) {
    throw new FerryError(ErrorCode.HASH_MISMATCH, `the server did not give the SHA-256 of ${remotePath} it offers (${command}: ${reply.code})`);
  }
  if (!remote.equals(local)) {
    throw new FerryError(ErrorCode.HASH_MISMATCH, `${remotePath}: the server's SHA-256 differs from that of the bytes here`);
  }
}
