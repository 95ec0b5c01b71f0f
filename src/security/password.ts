/**
 * Password hashing with scrypt (node:crypto). Each hash records its own salt
 * and cost parameters, so the defaults can be raised later without breaking
 * the hashes already in a users file.
 *
 * Why scrypt: it is memory-hard (a guessing rig pays in RAM, not only in
 * cores), it ships with Node (no native add-on to build), and its cost is a
 * plain parameter. Cost: N = 2^15, r = 8, p = 1 takes 32 MiB and roughly
 * 50–100 ms per check here; libuv runs at most four checks at a time, so a
 * flood of logins costs at most ~128 MiB, and the login throttle stops a
 * single address long before that matters.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

export interface PasswordHash extends ScryptParameters {
  algorithm: 'scrypt';
  /** Random per-password salt, base64. */
  salt: string;
  /** The derived key, base64. */
  hash: string;
}

export const DEFAULT_SCRYPT: Readonly<ScryptParameters> = { N: 2 ** 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Parameters above these are refused when read from a file: a hostile file must not make a login cost gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

export const MIN_PASSWORD_LENGTH = 8;
/** Longer passwords add nothing and are refused, so a login cannot be made costly by a giant secret. */
export const MAX_PASSWORD_BYTES = 1024;

export async function hashPassword(password: string, params: ScryptParameters = DEFAULT_SCRYPT): Promise<PasswordHash> {
  checkParameters(params);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return { algorithm: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64'), hash: key.toString('base64') };
}

/** Whether `password` matches `stored`; compares in constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const salt = Buffer.from(stored.salt, 'base64');
  const tooLong = Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;
  // A too-long password is hashed as an empty one so that refusing it costs the same time as checking it.
  const actual = await derive(tooLong ? '' : password, salt, stored, expected.length);
  return !tooLong && actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Checks a hash record read from disk; returns a reason when it is unusable. */
export function describeInvalidHash(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'missing password hash';
  const record = value as Record<string, unknown>;
  if (record.algorithm !== 'scrypt') return `unknown password algorithm ${JSON.stringify(record.algorithm)}`;
  for (const field of ['N', 'r', 'p'] as const) {
    if (!Number.isSafeInteger(record[field]) || (record[field] as number) < 1) return `bad scrypt parameter ${field}`;
  }
  try {
    checkParameters(record as unknown as ScryptParameters);
  } catch (error) {
    return (error as Error).message;
  }
  for (const field of ['salt', 'hash'] as const) {
    if (typeof record[field] !== 'string' || Buffer.from(record[field], 'base64').length < 16) return `bad ${field}`;
  }
  return undefined;
}

function checkParameters({ N, r, p }: ScryptParameters): void {
  if (N < 2 || (N & (N - 1)) !== 0 || N > MAX_N) throw new RangeError(`scrypt N must be a power of two up to ${MAX_N}`);
  if (r < 1 || r > MAX_R) throw new RangeError(`scrypt r must be 1..${MAX_R}`);
  if (p < 1 || p > MAX_P) throw new RangeError(`scrypt p must be 1..${MAX_P}`);
}

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParameters, length = KEY_BYTES): Promise<Buffer> {
  // scrypt needs 128·N·r·p bytes (plus a little); Node's default cap (32 MiB) is just too small for the defaults.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 4 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
