/**
 * RETR without basic-ftp's downloadTo, in two shapes: a small file read
 * straight into memory, and a large one read into a single reused buffer
 * and written to its file synchronously, as curl and wget do.
 *
 * basic-ftp's downloadTo is made for files of any size: it pipes the data
 * socket into a Writable (stream.pipeline, with its AbortController and
 * end-of-stream listeners), starts a progress poll and a stall watchdog (two
 * interval timers) and ends the destination afterwards. For a file of a few
 * KiB, which arrives in one or two chunks, that machinery is most of the
 * client's work per file, and a tree of thousands of them is made of little
 * else. For a large file it is the other way round: the socket hands over a
 * fresh 64 KiB buffer per read and every write goes through the thread
 * pool, and a GiB of both cost more than the bytes' own way through the
 * kernel (docs/PERFORMANCE.md). The functions here use basic-ftp's
 * lower-level pieces instead, the ones downloadTo is built from: the
 * passive-mode set-up, `ftp.handle` for the RETR and its replies. What the
 * library's handler does is kept: the transfer is done only when both the
 * data connection has ended and the server has confirmed it; an error
 * reply, a lost connection or a cancel (closing the client) rejects. There
 * is no back-pressure to watch (every chunk is taken at once), so an
 * inactivity timeout on the data socket stands in for the watchdog.
 */
import net from 'node:net';
import type { Client, FTPContext, FTPResponse } from 'basic-ftp';
import { withoutStackCapture } from './ftp-stack.js';

/** Takes one piece of the file; an error (the file grew past its bound, the disk is full) stops the download. */
export type TakeChunk = (chunk: Buffer) => Error | undefined;

/**
 * Uses one piece of a bulk download at once (a view of the reused buffer):
 * an error stops the download; a promise holds the reading back until it
 * settles (a rate limit), and its rejection stops the download.
 */
export type UseChunk = (chunk: Buffer) => Error | Promise<void> | undefined;

/**
 * Retrieves `remotePath` (an absolute path: basic-ftp's leading-space
 * repair is never needed) on a connection with no other task, handing each
 * chunk to `take`; `take` returning an error closes the connection and
 * rejects with that error.
 */
export async function retrieveSmall(client: Client, remotePath: string, take: TakeChunk): Promise<FTPResponse> {
  const ftp = client.ftp;
  await withoutStackCapture(() => client.prepareTransfer(ftp));
  return retrieveOn(ftp, remotePath, (socket) => {
    socket.on('data', (chunk: Buffer) => {
      const refused = take(chunk);
      if (refused) ftp.closeWithError(refused);
    });
  });
}

/** Connections whose server refused EPSV: their bulk downloads go to downloadTo without asking again. */
const refusedEpsv = new WeakSet<Client>();

/** The reused buffer a bulk download reads into: a read takes what the socket holds, up to this much. */
const BULK_READ_BYTES = 1024 * 1024;

/**
 * Retrieves `remotePath` from byte `offset` (REST) over a data connection
 * that reads into one reused buffer (net's `onread`): `use` gets a view of
 * that buffer, valid only until it returns, so it must use the bytes at
 * once (a synchronous write); what it returns may hold the reading back
 * (UseChunk). Resolves undefined, having sent nothing but EPSV, when this
 * shape does not apply, and the caller uses downloadTo: on FTPS (the data connection is TLS, which `onread` does not
 * serve) and where EPSV is refused (PASV's address handling stays
 * basic-ftp's; a connection whose server refused it once is not asked again).
 */
export async function retrieveBulk(client: Client, remotePath: string, offset: number, use: UseChunk): Promise<FTPResponse | undefined> {
  const ftp = client.ftp;
  if (ftp.hasTLS || refusedEpsv.has(client)) return undefined;
  const port = await withoutStackCapture(() => ftp.request('EPSV')).then(epsvPort, () => undefined);
  const host = ftp.socket.remoteAddress;
  if (port === undefined) refusedEpsv.add(client);
  if (port === undefined || host === undefined) return undefined;
  const buffer = Buffer.allocUnsafe(BULK_READ_BYTES);
  const socket: net.Socket = await connectData(ftp, host, port, buffer, (length) => {
    const outcome = use(buffer.subarray(0, length));
    if (outcome instanceof Error) {
      ftp.closeWithError(outcome);
      return false;
    }
    if (outcome === undefined) return true;
    // Returning false stops reading (readStop); resume() starts it again.
    outcome.then(() => socket.resume(), (error: unknown) => ftp.closeWithError(error instanceof Error ? error : new Error(String(error))));
    return false;
  });
  ftp.dataSocket = socket;
  if (offset > 0) await withoutStackCapture(() => ftp.request(`REST ${offset}`));
  return retrieveOn(ftp, remotePath, () => {});
}

/** The port of a 229 reply, "229 Entering Extended Passive Mode (|||6446|)" (some servers use ! for |). */
function epsvPort(reply: FTPResponse): number | undefined {
  const port = Number(/[|!]{3}(\d+)[|!]/.exec(reply.message)?.[1]);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/** A plain data connection to the server's passive port, reading through `onread`; rejects after the client's timeout. */
function connectData(
  ftp: FTPContext, host: string, port: number, buffer: Buffer, onRead: (length: number) => boolean,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    // `onread` is read by the constructor (net.connect passes its options to both; the types list it for connect only).
    const onread: net.OnReadOpts = { buffer, callback: (length) => onRead(length) };
    const socket = new net.Socket({ onread } as net.SocketConstructorOpts);
    const failed = (error: Error): void => {
      socket.destroy();
      reject(new Error(`can't open the data connection in passive mode: ${error.message}`));
    };
    const unanswered = (): void => failed(new Error(`no answer from ${host}:${port}`));
    socket.setTimeout(ftp.timeout, unanswered);
    socket.once('error', failed);
    socket.connect({ host, port, family: ftp.ipFamily }, () => {
      // From here on the transfer's own timeout and error handling apply (retrieveOn, basic-ftp's dataSocket).
      socket.setTimeout(0, unanswered);
      socket.removeListener('error', failed);
      resolve(socket);
    });
  });
}

/**
 * Sends RETR on a connection whose data socket is ready and settles when
 * the transfer is over: resolves once the data connection has ended and the
 * server has confirmed (in either order), rejects on an error reply or a
 * lost connection. `startReading` attaches the reading to the data socket
 * when the server begins.
 */
function retrieveOn(ftp: FTPContext, remotePath: string, startReading: (socket: net.Socket) => void): Promise<FTPResponse> {
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
      startReading(socket as net.Socket);
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
