/**
 * FTP replies and socket failures as FerryErrors. A reply's code says less
 * than an errno: vsftpd answers "550 Failed to open file." whether the file
 * is missing or unreadable, so where the code cannot tell, the operations
 * look at the path afterwards (ftp-remote.ts, `explain`) and pick NOT_FOUND,
 * PERMISSION, EXISTS, ... from what is there. The server's words go into the
 * message only after control characters are taken out.
 */
import { ErrorCode, FerryError } from '../../protocol/errors.js';

/** basic-ftp's FTPError: a negative reply with its numeric code. */
export interface FtpReplyError extends Error {
  code: number;
}

export function isFtpReply(error: unknown, ...codes: number[]): error is FtpReplyError {
  if (!(error instanceof Error) || error.name !== 'FTPError') return false;
  const { code } = error as { code?: unknown };
  return typeof code === 'number' && (codes.length === 0 || codes.includes(code));
}

/** A reply code that means "the path is not there or not allowed", which only a look at the path can tell apart. */
export function isAmbiguousRefusal(error: unknown): boolean {
  return isFtpReply(error, 550, 553, 450);
}

/** The server's reply text, single-line and printable, for a message. */
export function replyText(error: Error): string {
  return printable(error.message).slice(0, 200);
}

export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/**
 * The FerryError for a failure of an FTP command about `subject` (a remote
 * path, or words such as `login`). FerryErrors pass through unchanged.
 */
export function ferryErrorFromFtp(error: unknown, subject: string): FerryError {
  if (error instanceof FerryError) return error;
  if (isFtpReply(error)) {
    const text = replyText(error);
    return new FerryError(replyCode(error.code, text), `${subject}: the server said "${text}"`, { cause: error });
  }
  const message = error instanceof Error ? printable(error.message) : String(error);
  if (/^Timeout/i.test(message)) {
    return new FerryError(ErrorCode.TIMEOUT, `${subject}: the FTP server did not answer in time`, { cause: error });
  }
  // Anything else from basic-ftp or the sockets (reset, FIN, "Client is closed") ends the connection.
  return new FerryError(ErrorCode.CONNECTION_LOST, `${subject}: the FTP connection was lost (${message})`, { cause: error });
}

function replyCode(code: number, text: string): number {
  switch (code) {
    case 421: // service closing the control connection
    case 425: // cannot open the data connection
    case 426: // data connection closed, transfer aborted
      return ErrorCode.CONNECTION_LOST;
    case 450:
      return ErrorCode.BUSY;
    case 452:
    case 552:
      return ErrorCode.NO_SPACE;
    case 530:
    case 532:
      return ErrorCode.AUTH;
    case 500:
    case 502:
    case 504:
      return ErrorCode.UNSUPPORTED;
    case 501:
      return ErrorCode.INVALID_PATH;
    case 553:
      return /name/i.test(text) && !/permission|denied/i.test(text) ? ErrorCode.INVALID_PATH : ErrorCode.PERMISSION;
    case 550:
      if (/no such|not found|does ?n[o']t exist|not exist/i.test(text)) return ErrorCode.NOT_FOUND;
      if (/permission|denied|not allowed|not permitted|access/i.test(text)) return ErrorCode.PERMISSION;
      if (/exists/i.test(text)) return ErrorCode.EXISTS;
      if (/not empty/i.test(text)) return ErrorCode.NOT_EMPTY;
      return ErrorCode.NOT_FOUND;
    default:
      return code >= 400 && code < 500 ? ErrorCode.BUSY : ErrorCode.INTERNAL;
  }
}
