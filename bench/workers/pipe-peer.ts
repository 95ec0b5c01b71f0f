/**
 * The other end of the bench's raw TCP pipe baseline, in its own process so
 * the baseline has the same shape as Ferry (two processes, one socket):
 *
 *   pipe-peer send FILE HOST PORT   prints "ready", waits for "go" on stdin,
 *                                   then streams FILE into a new connection
 *   pipe-peer recv FILE [fsync]     listens on 127.0.0.1, prints "port N",
 *                                   writes the first connection into FILE,
 *                                   prints "done BYTES" once it is written
 *                                   (with `fsync`: once it is flushed to disk,
 *                                   the durability Ferry's uploads promise)
 *
 * No protocol, no hashing: file → socket → file, with Node's streams.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import { pipeline } from 'node:stream/promises';

/** Read size of the file stream; 1 MiB moves faster than the default 64 KiB. */
const READ_CHUNK = 1024 * 1024;

async function send(file: string, host: string, port: number): Promise<void> {
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.stdin.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('go')) resolve();
    });
  });
  const socket = net.connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  await pipeline(createReadStream(file, { highWaterMark: READ_CHUNK }), socket);
}

async function receive(file: string, flush: boolean): Promise<void> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  process.stdout.write(`port ${address.port}\n`);
  const socket = await new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  server.close();
  await pipeline(socket, createWriteStream(file));
  if (flush) {
    const handle = await fs.open(file, 'r+');
    await handle.sync();
    await handle.close();
  }
  process.stdout.write(`done ${socket.bytesRead}\n`);
}

const [mode, file, host, port] = process.argv.slice(2);
const flush = mode === 'recv' && host === 'fsync';
const run = mode === 'send' && file && host && port ? send(file, host, Number(port))
  : mode === 'recv' && file ? receive(file, flush)
    : Promise.reject(new Error('usage: pipe-peer send FILE HOST PORT | pipe-peer recv FILE [fsync]'));
run.then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`pipe-peer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
