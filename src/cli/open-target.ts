/**
 * One command's session: opens the server a target names through openRemote
 * (whatever its kind), with what the command line and the environment give —
 * the password (URL, bookmark, FERRY_PASSWORD, or asked at a terminal), the
 * SSH key file (-i, or the bookmark's), the trust decision for a new key —
 * records the connection in the recent list, runs the work and always ends
 * the session.
 */
import { defaultBookmarksFile, readSavedConnections, withRecent, writeSavedConnections } from '../remote/bookmarks.js';
import { openRemote } from '../remote/open-remote.js';
import type { Remote, Verification } from '../remote/remote.js';
import { formatOrigin } from '../remote/remote-url.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { escapeControlCharacters } from '../terminal/control-characters.js';
import { terminalSecretAsker, type SecretPromptIo } from './ask-secret.js';
import type { RemoteTarget } from './remote-target.js';
import { createCliKeyVerifier } from './trust-prompt.js';

export interface SessionIo extends SecretPromptIo {
  env: NodeJS.ProcessEnv;
}

export interface SessionOptions {
  /** `--trust-new`. */
  trustNew: boolean;
  /** `-i FILE`: an SSH key file, before the bookmark's. */
  identityFile?: string | undefined;
  /**
   * The folder on the server to put in the recent list (the connect dialog
   * offers it again); undefined: not recorded.
   */
  recentFolder?: string | undefined;
}

/** Opens `target`, runs `work` with the session, and ends the session however `work` ends. */
export async function withRemote<T>(target: RemoteTarget, options: SessionOptions, io: SessionIo, work: (remote: Remote) => Promise<T>): Promise<T> {
  const fromEnvironment = io.env.FERRY_PASSWORD !== undefined && io.env.FERRY_PASSWORD !== '' ? io.env.FERRY_PASSWORD : undefined;
  const password = target.bookmark?.password ?? fromEnvironment;
  const identityFile = options.identityFile ?? target.bookmark?.identityFile;
  const askSecret = terminalSecretAsker(io);
  // A trust question still open when the attempt fails (timeout, server gone) is ended with it.
  const attemptOver = new AbortController();
  let remote: Remote;
  try {
    remote = await openRemote(target.url, {
      ...(password !== undefined ? { password } : {}),
      ...(askSecret ? { askSecret } : {}),
      ...(identityFile !== undefined ? { identityFile } : {}),
      verifyNewKey: createCliKeyVerifier({ trustNew: options.trustNew, env: io.env, stderr: io.stderr, stdin: io.stdin, signal: attemptOver.signal }),
      env: io.env,
    });
  } finally {
    attemptOver.abort();
  }
  // Written while the work runs (the write is flushed to disk, which is no reason to wait); it never rejects.
  const recorded = options.recentFolder !== undefined ? recordRecent(target, options.recentFolder, io) : undefined;
  try {
    return await work(remote);
  } finally {
    await recorded;
    if (remote.connected) await remote.quit().catch(() => remote.close());
  }
}

/**
 * UNSUPPORTED when the session's kind cannot do `feature`, naming what it is
 * connected to (before anything is changed, so a command never half-runs).
 */
export function requireFeature(remote: Pick<Remote, 'description' | 'features'>, feature: keyof Remote['features'], what: string): void {
  if (remote.features[feature]) return;
  throw new FerryError(ErrorCode.UNSUPPORTED, `${what} is not available on ${escapeControlCharacters(remote.description.origin)} (${remote.description.kind} servers do not offer it)`);
}

/** How a transfer was checked, as the commands' output says it: `SHA-256`, `size` (or `size+<hash>`, see Verification). */
export function describeVerification(verification: Verification): string {
  return verification === 'sha256' ? 'SHA-256' : verification;
}

/** Puts the connection first in the recent list; a list that cannot be written is said, and the command goes on. */
async function recordRecent(target: RemoteTarget, folder: string, io: SessionIo): Promise<void> {
  const file = defaultBookmarksFile(io.env);
  const encodedFolder = folder.split('/').map(encodeURIComponent).join('/');
  try {
    const saved = await readSavedConnections(file);
    await writeSavedConnections(withRecent(saved, `${formatOrigin(target.url)}${encodedFolder}`), file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(`ferry: the recent list in ${file} was not updated: ${escapeControlCharacters(reason)}\n`);
  }
}
