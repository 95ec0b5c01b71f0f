/**
 * One readable line for any failure, for the status line and dialogs. The TUI
 * never shows a stack trace: everything that reaches the user goes through here.
 */
import { ErrorCode, FerryError, isLoginFailed } from '../protocol/errors.js';

const socketWords: Record<string, string> = {
  ECONNREFUSED: 'connection refused — is ferryd running there?',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed by the server',
};

const codeWords: Partial<Record<number, string>> = {
  [ErrorCode.PERMISSION]: 'permission denied',
  [ErrorCode.NOT_FOUND]: 'not found',
  [ErrorCode.NO_SPACE]: 'no space left',
  [ErrorCode.EXISTS]: 'already exists',
  [ErrorCode.NOT_EMPTY]: 'folder not empty',
  [ErrorCode.TRUST]: 'server not trusted',
  [ErrorCode.TIMEOUT]: 'timed out',
  [ErrorCode.LIMIT]: 'server limit reached',
  [ErrorCode.BUSY]: 'busy',
  [ErrorCode.CANCELLED]: 'cancelled',
};

/**
 * The server's reason for an AUTH refusal is what the user needs ("this
 * server needs a user name and password", "plain TCP not allowed; use TLS"),
 * so it is shown as it is. Only a failed password login, which the protocol
 * gives one fixed message (isLoginFailed), gets the short wording.
 */
function describeAuthError(error: FerryError): string {
  if (isLoginFailed(error)) return 'wrong user or password';
  const message = error.message.trim();
  return message ? `login refused: ${message}` : 'login refused';
}

function findErrno(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code in socketWords) return code;
  return findErrno((error as { cause?: unknown }).cause, depth + 1);
}

export function describeError(error: unknown): string {
  const errno = findErrno(error);
  if (errno) return socketWords[errno] as string;
  if (error instanceof FerryError) {
    if (error.code === ErrorCode.AUTH) return describeAuthError(error);
    // Whoever reports a lost connection says so in its own words ("connection lost: …", a
    // transfer marked as cut off); what only the error knows is why, so that is all it gives.
    if (error.code === ErrorCode.CONNECTION_LOST) return error.message.trim() || 'the connection dropped';
    const words = codeWords[error.code];
    const message = error.message.trim();
    if (!words) return message || error.codeName;
    return message && !message.toLowerCase().startsWith(words) ? `${words}: ${message}` : message || words;
  }
  if (error instanceof Error) return error.message.split('\n')[0] ?? 'unexpected error';
  return String(error);
}

/**
 * A failure about `subject` (a folder's label such as `local:/tmp/x`), reason
 * first: `permission denied: local:/tmp/x`. A narrow line then cuts the path
 * (fitMessage, cells.ts), not why it failed. When the reason already ends
 * with `path` (local errors name their path), it is not said twice.
 */
export function describeErrorAt(error: unknown, subject: string, path?: string): string {
  let reason = describeError(error);
  if (path) {
    for (const tail of [`: ${path}`, ` (${path})`]) {
      if (reason.endsWith(tail) && reason.length > tail.length) reason = reason.slice(0, -tail.length);
    }
  }
  return `${reason}: ${subject}`;
}

export function isConnectionLost(error: unknown): boolean {
  return error instanceof FerryError && error.code === ErrorCode.CONNECTION_LOST;
}
