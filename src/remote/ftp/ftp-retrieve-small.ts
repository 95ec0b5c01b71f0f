/**
 * A small file's RETR, read straight off its data connection into memory.
 *
 * basic-ftp's downloadTo is made for files of any size: it pipes the data
 * socket into a Writable (stream.pipeline, with its AbortController and
 * end-of-stream listeners), starts a progress poll and a stall watchdog (two
 * interval timers) and ends the destination afterwards. For a file of a few
 * KiB, which arrives in one or two chunks, that machinery is most of the
 * client's work per file, and a tree of thousands of them is made of
 * little else. This function uses basic-ftp's lower-level pieces instead,
 * the same ones downloadTo is built from: `prepareTransfer` (EPSV, else
 * PASV, and the data connection, TLS resumed on FTPS) and `ftp.handle` for
 * the RETR and its replies. What the library's handler does is kept:
 * the transfer is done only when both the data connection has ended and
 * the server has confirmed it; an error reply, a lost connection or a
 * cancel (closing the client) rejects. There is no back-pressure to watch
 * (every chunk is taken at once), so an inactivity timeout on the data
 * socket stands in for the watchdog.
 */
import type { Client, FTPResponse } from 'basic-ftp';
import { withoutStackCapture } from './ftp-stack.js';

/**
 * Retrieves `remotePath` (an absolute path: basic-ftp's leading-space
 * repair is never needed) on a connection with no other task, handing each
 * chunk to `take`; `take` returning an error (the file grew past its bound)
 * closes the connection and rejects with that error.
 */
export async function retrieveSmall(client: Client, remotePath: string, take: (chunk: Buffer) => Error | undefined): Promise<FTPResponse> {
  const ftp = client.ftp;
  await withoutStackCapture(() => client.prepareTransfer(ftp));
  let started = false;
  let settled = false;
  let dataEnded = false;
  let confirmation: FTPResponse | undefined;
  return withoutStackCapture(() => ftp.handle(`RETR ${remotePath}`, (reply, task) => {
    if (settled) return;
    if (reply instanceof Error) {
      settled = true;
      // Closes the data connection, if it is still open.
      ftp.dataSocket = undefined;
      ftp.socket.setTimeout(ftp.timeout);
      task.reject(reply);
      return;
    }
    const resolveWhenDone = (): void => {
      if (settled || !dataEnded || !confirmation) return;
      settled = true;
      ftp.dataSocket = undefined;
      task.resolve(confirmation);
    };
    if (reply.code === 150 || reply.code === 125) {
      // Only the first preliminary reply starts reading (as basic-ftp's own handler).
      if (started) return;
      started = true;
      const socket = ftp.dataSocket;
      if (!socket) {
        settled = true;
        task.reject(new Error('the download should begin but there is no data connection'));
        return;
      }
      // While the bytes flow the control connection is quiet: the data connection's inactivity counts instead.
      ftp.socket.setTimeout(0);
      socket.setTimeout(ftp.timeout);
      socket.on('data', (chunk: Buffer) => {
        const refused = take(chunk);
        if (refused) ftp.closeWithError(refused);
      });
      const ended = (): void => {
        if (dataEnded) return;
        dataEnded = true;
        ftp.socket.setTimeout(ftp.timeout);
        resolveWhenDone();
      };
      // An empty file's data connection may have ended before the 150 came: its end has been seen already.
      if (socket.readableEnded || socket.destroyed) {
        ended();
      } else {
        socket.once('end', ended);
        // A connection closed without an end (reset) ends the wait too; the caller's size check judges the bytes.
        socket.once('close', ended);
      }
    } else if (reply.code >= 200 && reply.code < 300) {
      confirmation = reply;
      resolveWhenDone();
    } else if (reply.code >= 300 && reply.code < 400) {
      ftp.closeWithError(new Error(`unexpected reply to RETR: ${reply.message}`));
    }
  }));
}

