/**
 * SFTP status codes (draft-ietf-secsh-filexfer-02, the version OpenSSH
 * speaks) as Ferry's error codes. Version 3 has no code for "exists" or "not
 * empty": those come back as a bare FAILURE, and the operations that can meet
 * them look at the path once more to say which (sftp-remote.ts).
 */
import { ErrorCode, FerryError, isFerryError } from '../../protocol/errors.js';

export const SFTP_STATUS = {
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;

/** A status error of ssh2's SFTP client carries the status as a number in `code`. */
export function sftpStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * `error` from an SFTP call on `subject` as a FerryError. Errors without a
 * status are ssh2's own (the channel closed, no response): the connection is
 * gone.
 */
export function sftpError(error: unknown, subject: string): FerryError {
  if (isFerryError(error)) return error;
  const status = sftpStatusOf(error);
  const detail = error instanceof Error && error.message !== '' ? error.message : 'failed';
  switch (status) {
    case SFTP_STATUS.NO_SUCH_FILE:
      return new FerryError(ErrorCode.NOT_FOUND, `no such file or folder: ${subject}`, { cause: error });
    case SFTP_STATUS.PERMISSION_DENIED:
      return new FerryError(ErrorCode.PERMISSION, `permission denied: ${subject}`, { cause: error });
    case SFTP_STATUS.OP_UNSUPPORTED:
      return new FerryError(ErrorCode.UNSUPPORTED, `the server does not support this: ${subject}`, { cause: error });
    case SFTP_STATUS.BAD_MESSAGE:
      return new FerryError(ErrorCode.BAD_FRAME, `the server could not read the request for ${subject}`, { cause: error });
    case SFTP_STATUS.FAILURE:
    case SFTP_STATUS.EOF:
      return new FerryError(ErrorCode.INTERNAL, `the server failed on ${subject}: ${detail}`, { cause: error });
    default:
      return new FerryError(ErrorCode.CONNECTION_LOST, `the SSH connection was lost (${detail})`, { cause: error });
  }
}

export function isSftpStatus(error: unknown, status: number): boolean {
  return sftpStatusOf(error) === status;
}
