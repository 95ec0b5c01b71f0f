/**
 * A baseline with no protocol at all: a file through a raw TCP socket between
 * two Node processes (the C baselines are in wire-baseline.ts).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import net from 'node:net';
import { pipeline } from 'node:stream/promises';
import { distPath, spawnTracked, stopChild, waitForOutput } from './processes.js';
import { now } from './util.js';

const PEER = distPath('./workers/pipe-peer.js');
const READ_CHUNK = 1024 * 1024;

/**
 * "Download" shape: another process reads `source` and sends it; this process
 * receives it into `target`. Returns milliseconds from "go" until `target`
 * is written and closed.
 */
export async function rawPipeDownload(source: string, target: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const peer = spawnTracked(process.execPath, [PEER, 'send', source, '127.0.0.1', String(port)]);
  try {
    await waitForOutput(peer, /ready/);
    const connection = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const started = now();
    peer.stdin!.write('go\n');
    const socket = await connection;
    server.close();
    await pipeline(socket, createWriteStream(target));
    return now() - started;
  } finally {
    server.close();
    await stopChild(peer);
  }
}

/**
 * "Upload" shape: this process reads `source` and sends it; another process
 * writes it into `target`. Returns milliseconds from connecting until the
 * peer reports the file written and closed (and flushed to disk with `fsync`).
 */
export async function rawPipeUpload(source: string, target: string, options: { fsync?: boolean } = {}): Promise<number> {
  const peer = spawnTracked(process.execPath, [PEER, 'recv', target, ...(options.fsync ? ['fsync'] : [])]);
  try {
    const match = await waitForOutput(peer, /port (\d+)/);
    const done = waitForOutput(peer, /done (\d+)/, 600_000);
    const started = now();
    const socket = net.connect({ host: '127.0.0.1', port: Number(match[1]) });
    await pipeline(createReadStream(source, { highWaterMark: READ_CHUNK }), socket);
    await done;
    return now() - started;
  } finally {
    await stopChild(peer);
  }
}
