/**
 * Baselines with no protocol at all: a file through a raw TCP socket between
 * two processes, and a tar stream of a tree through a raw socket.
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

/**
 * `tar c SOURCE | socket | tar x -C TARGET`: tar writes straight into a TCP
 * connection (bash's /dev/tcp), and the receiving side feeds the accepted
 * connection to `tar x`. Returns milliseconds until `tar x` has exited.
 */
export async function tarPipe(sourceDir: string, targetDir: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const extract = spawnTracked('tar', ['-x', '-f', '-', '-C', targetDir], { stdio: ['pipe', 'ignore', 'pipe'] });
  const extracted = new Promise<number | null>((resolve) => extract.once('exit', resolve));
  try {
    const connection = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const started = now();
    const create = spawnTracked('bash', ['-c', `exec tar -c -f - -C "$0" . > /dev/tcp/127.0.0.1/${port}`, sourceDir],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    const socket = await connection;
    server.close();
    await pipeline(socket, extract.stdin!);
    const code = await extracted;
    const elapsed = now() - started;
    await new Promise<void>((resolve) => (create.exitCode !== null ? resolve() : create.once('exit', () => resolve())));
    if (code !== 0) throw new Error(`tar -x exited with ${code}`);
    if (create.exitCode !== 0) throw new Error(`tar -c exited with ${create.exitCode}`);
    return elapsed;
  } finally {
    server.close();
    await stopChild(extract);
  }
}
