/**
 * Stable error codes of the Ferry protocol. The numbers are part of the wire
 * contract (docs/PROTOCOL.md, "Error codes"): never renumber, only append.
 */
export const ErrorCode = {
  NOT_FOUND: 1,
  EXISTS: 2,
  PERMISSION: 3,
  NOT_A_DIRECTORY: 4,
  IS_A_DIRECTORY: 5,
  INVALID_PATH: 6,
  NO_SPACE: 7,
  BAD_FRAME: 8,
  UNSUPPORTED: 9,
  BUSY: 10,
  AUTH: 11,
  INTERNAL: 12,
  CANCELLED: 13,
  NOT_EMPTY: 14,
  HASH_MISMATCH: 15,
  SIZE_MISMATCH: 16,
  VERSION: 17,
  FRAME_TOO_LARGE: 18,
  TIMEOUT: 19,
  LIMIT: 20,
  CONNECTION_LOST: 21,
  TRUST: 22,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeNumber = (typeof ErrorCode)[ErrorCodeName];

const namesByNumber = new Map<number, ErrorCodeName>(
  Object.entries(ErrorCode).map(([name, code]) => [code, name as ErrorCodeName]),
);

/** The symbolic name of a wire error code, or `UNKNOWN_<n>` for codes from a newer peer. */
export function errorCodeName(code: number): string {
  return namesByNumber.get(code) ?? `UNKNOWN_${code}`;
}

export function isKnownErrorCode(code: number): code is ErrorCodeNumber {
  return namesByNumber.has(code);
}

/**
 * The one error type of Ferry: every failure that crosses the wire or reaches a
 * user carries a stable numeric `code` a program can act on, and a message a
 * person can read.
 */
export class FerryError extends Error {
  readonly code: number;

  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FerryError';
    this.code = code;
  }

  /** The symbolic name of `code`, e.g. `NOT_FOUND`. */
  get codeName(): string {
    return errorCodeName(this.code);
  }

  /** One line for a terminal: `NOT_FOUND: no such file: a/b.txt`. */
  override toString(): string {
    return `${this.codeName}: ${this.message}`;
  }
}

export function isFerryError(error: unknown, code?: number): error is FerryError {
  return error instanceof FerryError && (code === undefined || error.code === code);
}

/**
 * The message of the FAIL `AUTH` a server sends when a user name and password
 * do not match (docs/PROTOCOL.md §4). It is the same for an unknown user, so
 * it does not say whether the user exists; being fixed, it lets a client tell
 * a wrong password from the other AUTH refusals (credentials required, TLS
 * required), whose messages are the server's own words.
 */
export const LOGIN_FAILED_MESSAGE = 'login failed: wrong user name or password';

/** A FAIL `AUTH` for a wrong user name or password. */
export function isLoginFailed(error: unknown): boolean {
  return isFerryError(error, ErrorCode.AUTH) && error.message.trim() === LOGIN_FAILED_MESSAGE;
}

/** Shorthand used by the decoder: every malformed input becomes BAD_FRAME. */
export function badFrame(message: string): FerryError {
  return new FerryError(ErrorCode.BAD_FRAME, message);
}
