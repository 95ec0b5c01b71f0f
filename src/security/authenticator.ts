/**
 * The `authenticate` hook of ferryd (ServerOptions.authenticate), built from
 * the users file and the login throttle.
 *
 * - `password`: the user's scrypt hash is checked. An unknown user name is
 *   checked against a dummy hash of the same cost, and both failures get the
 *   same message after the same throttle delay, so a client cannot tell which
 *   names exist.
 * - `none` (anonymous): only when the operator enabled it, or, for a
 *   loopback server started without users, until the users file lists one
 *   (`untilUsers`): from then on anonymous logins are refused until restart.
 * - An address that is blocked by the throttle gets LIMIT at once, whatever
 *   the method and credentials (docs/PROTOCOL.md §10), without a password check.
 * The users file is re-read when it changes on disk (checked on each login),
 * so `ferryd user add` takes effect without a restart.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, FerryError, LOGIN_FAILED_MESSAGE } from '../protocol/errors.js';
import { hashPassword, verifyPassword, DEFAULT_SCRYPT, type PasswordHash } from './password.js';
import { LoginThrottle } from './login-throttle.js';
import { UsersFileCache, type UserRecord } from './users.js';

export interface AuthAttempt {
  method: string;
  user: string;
  secret: string;
  remoteAddress: string;
}

export interface AuthGrant {
  user: string;
  root: string;
  readOnly: boolean;
}

export type Authenticate = (attempt: AuthAttempt) => Promise<AuthGrant>;

/** The few log calls this module makes; ferryd's Logger fits. */
export interface SecurityLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface AuthenticatorOptions {
  /** Path of the users file; missing file = no users. */
  usersFile?: string;
  /** The users file, when the caller shares it (ferryd's sweep reads the users' roots from it too). */
  users?: UsersFileCache;
  /**
   * Where anonymous sessions land; undefined = anonymous refused.
   * `untilUsers`: only while the users file lists nobody; the first user
   * seen ends anonymous access for good (removing users does not bring it back).
   */
  anonymous?: { root: string; readOnly: boolean; untilUsers?: boolean };
  throttle?: LoginThrottle;
  log?: SecurityLog;
}

/** The one message for every failed password login (src/protocol/errors.ts): it must not say whether the user exists. */
export { LOGIN_FAILED_MESSAGE };

export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const throttle = options.throttle ?? new LoginThrottle();
  const users = options.users ?? (options.usersFile === undefined ? undefined : new UsersFileCache(options.usersFile));
  const log = options.log;
  let dummyHash: Promise<PasswordHash> | undefined;

  let anonymous = options.anonymous;
  const blockedError = (attempt: AuthAttempt, retryAfterMs: number): FerryError => {
    const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
    log?.warn('login refused: address blocked after repeated failures', {
      remote: attempt.remoteAddress, user: attempt.user, method: attempt.method,
    });
    return new FerryError(ErrorCode.LIMIT, `too many failed logins from your address; try again in ${minutes} min`);
  };

  /** Whether anonymous access is on now: it ends once a no-users server gets its first user. */
  const anonymousGrant = async (): Promise<AuthGrant | undefined> => {
    if (anonymous?.untilUsers && users !== undefined && (await users.current()).length > 0) {
      log?.warn('anonymous access is now off: the users file lists users (restart ferryd to reconsider)', {
        usersFile: users.file,
      });
      anonymous = undefined;
    }
    return anonymous ? { user: '', root: anonymous.root, readOnly: anonymous.readOnly } : undefined;
  };

  return async (attempt) => {
    // A blocked address gets LIMIT whatever it sends, so it cannot fall back to another method meanwhile.
    const blockedMs = throttle.blockedFor(attempt.remoteAddress);
    if (blockedMs > 0) throw blockedError(attempt, blockedMs);
    if (attempt.method === 'none') {
      let grant: AuthGrant | undefined;
      try {
        grant = await anonymousGrant();
      } catch (error) {
        throw error instanceof FerryError ? error : new FerryError(ErrorCode.INTERNAL, 'cannot check the login', { cause: error });
      }
      if (grant) return grant;
      throw new FerryError(ErrorCode.AUTH, 'this server needs a user name and password');
    }
    if (attempt.method !== 'password') {
      throw new FerryError(ErrorCode.AUTH, `unsupported authentication method ${JSON.stringify(attempt.method)}`);
    }
    const admission = throttle.admit(attempt.remoteAddress);
    if (!admission.admitted) throw blockedError(attempt, admission.retryAfterMs);
    let record: UserRecord | undefined;
    let ok = false;
    try {
      record = users === undefined ? undefined : await users.find(attempt.user);
      // An unknown user costs one scrypt check too, against a hash of the default cost.
      dummyHash ??= hashPassword('ferry-dummy-password', DEFAULT_SCRYPT);
      ok = await verifyPassword(attempt.secret, record?.password ?? await dummyHash) && record !== undefined;
    } catch (error) {
      // A broken users file is the operator's problem, not a wrong guess: do not count it against the client.
      admission.ticket.abandoned();
      throw error instanceof FerryError ? error : new FerryError(ErrorCode.INTERNAL, 'cannot check the login', { cause: error });
    }
    if (ok && record) {
      admission.ticket.succeeded();
      log?.info('login', { remote: attempt.remoteAddress, user: record.name, readOnly: record.readOnly });
      return { user: record.name, root: record.root, readOnly: record.readOnly };
    }
    const { delayMs, blocked } = admission.ticket.failed();
    log?.info('login failed', { remote: attempt.remoteAddress, user: attempt.user, delayMs });
    if (blocked) {
      log?.warn('address blocked after repeated failed logins', { remote: attempt.remoteAddress, blockMinutes: Math.round(throttle.blockedFor(attempt.remoteAddress) / 60_000) });
    }
    await sleep(delayMs);
    throw new FerryError(ErrorCode.AUTH, LOGIN_FAILED_MESSAGE);
  };
}
