/**
 * The FTP kind's translations that a vsftpd run does not reach: reply codes
 * (as basic-ftp's FTPError carries them) to Ferry's error codes, and the
 * times of LIST lines and MDTM replies, and the time MFMT and MDTM set.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FTPError } from 'basic-ftp';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ftpTimeArgument, listTime, mdtmTime } from '../../src/remote/ftp/ftp-entries.js';
import { ferryErrorFromFtp } from '../../src/remote/ftp/ftp-errors.js';

function codeOf(code: number, message: string): number {
  return ferryErrorFromFtp(new FTPError({ code, message: `${code} ${message}` }), '/x').code;
}

void describe('FTP replies as error codes', () => {
  void it('maps the reply codes', () => {
    assert.equal(codeOf(530, 'Login incorrect.'), ErrorCode.AUTH);
    assert.equal(codeOf(421, 'Timeout.'), ErrorCode.CONNECTION_LOST);
    assert.equal(codeOf(426, 'Failure writing network stream.'), ErrorCode.CONNECTION_LOST);
    assert.equal(codeOf(452, 'Insufficient storage space.'), ErrorCode.NO_SPACE);
    assert.equal(codeOf(552, 'Exceeded storage allocation.'), ErrorCode.NO_SPACE);
    assert.equal(codeOf(553, 'Could not create file.'), ErrorCode.PERMISSION);
    assert.equal(codeOf(553, 'File name not allowed.'), ErrorCode.INVALID_PATH);
    assert.equal(codeOf(550, 'No such file or directory.'), ErrorCode.NOT_FOUND);
    assert.equal(codeOf(550, 'Permission denied.'), ErrorCode.PERMISSION);
    assert.equal(codeOf(502, 'Command not implemented.'), ErrorCode.UNSUPPORTED);
  });

  void it('takes control characters out of the server\'s words', () => {
    const error = ferryErrorFromFtp(new FTPError({ code: 550, message: '550 bad\u001b[31m name\r\n' }), '/x');
    assert.ok(![...error.message].some((char) => char.charCodeAt(0) < 0x20), error.message);
  });

  void it('calls anything else a lost connection, and a timeout a timeout', () => {
    assert.equal(ferryErrorFromFtp(new Error('Server sent FIN packet unexpectedly, closing connection.'), '/x').code, ErrorCode.CONNECTION_LOST);
    assert.equal(ferryErrorFromFtp(new Error('Timeout (control socket)'), '/x').code, ErrorCode.TIMEOUT);
  });
});

void describe('FTP times', () => {
  const now = Date.UTC(2026, 11, 2, 12, 0);

  void it('reads LIST times with and without a year, saying how coarse each is', () => {
    assert.deepEqual(listTime('Dec 02 07:46', now), { mtimeMs: Date.UTC(2026, 11, 2, 7, 46), mtimeResolutionMs: 60_000 });
    assert.deepEqual(listTime('Jul  4  2019', now), { mtimeMs: Date.UTC(2019, 6, 4), mtimeResolutionMs: 86_400_000 });
    // No year and months ahead: last year's.
    assert.deepEqual(listTime('Mar 01 10:00', Date.UTC(2026, 0, 15)), { mtimeMs: Date.UTC(2025, 2, 1, 10, 0), mtimeResolutionMs: 60_000 });
    assert.equal(listTime('yesterday', now), undefined);
  });

  void it('reads MDTM replies in UTC, with a fraction', () => {
    assert.equal(mdtmTime('213 20261202074613'), Date.UTC(2026, 11, 2, 7, 46, 13));
    assert.equal(mdtmTime('213 20261202074613.25'), Date.UTC(2026, 11, 2, 7, 46, 13, 250));
    assert.equal(mdtmTime('550 Could not get file modification time.'), undefined);
  });

  void it('writes the time MFMT and MDTM set in UTC, to the second', () => {
    assert.equal(ftpTimeArgument(Date.UTC(2026, 11, 2, 7, 46, 13, 999)), '20261202074613');
    assert.equal(ftpTimeArgument(Date.UTC(2024, 2, 1, 0, 0, 0)), '20240301000000');
    assert.equal(mdtmTime(`213 ${ftpTimeArgument(Date.UTC(2026, 0, 5, 23, 59, 59, 500))}`), Date.UTC(2026, 0, 5, 23, 59, 59));
  });
});
