/**
 * Baselines written in C, with no protocol and no Node in the data path:
 *
 *   socat -u OPEN:FILE TCP:…  →  socat -u STDIN CREATE:…     one file
 *   tar c | socat -u STDIN TCP:…  →  tar x                    a tree
 *
 * The receiving program reads the accepted TCP connection itself: this
 * process accepts it paused and hands the socket to the child as its stdin,
 * then lets go of it. Copying it through Node instead (`pipeline(socket,
 * tar.stdin)`) raced: `tar x` exits as soon as it reads the end-of-archive
 * blocks, and when that came before Node saw the socket's end the pipeline
 * failed with "Premature close" (the bench smoke test, under load).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { spawnTracked, stopChild } from './processes.js';
import { now } from './util.js';

/** Why the C baselines cannot run here (socat missing), or false. */
export function socatMissing(): string | false {
  const probe = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0 ? false : 'socat is not installed (apt-get install socat)';
}

export interface Receiver {
  port: number;
  /** Resolves with the receiving program's exit code once it has exited. */
  finished: Promise<number | null>;
  /** Ends the receiver and its listener (idempotent). */
  stop(): Promise<void>;
}

/**
 * Listens on an ephemeral loopback port; the first connection becomes the
 * stdin of `command args` (a C program, reading the socket directly).
 */
export async function receiveInto(command: string, args: string[]): Promise<Receiver> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  let child: ChildProcess | undefined;
  const finished = new Promise<number | null>((resolve, reject) => {
    server.once('connection', (socket) => {
      server.close();
      try {
        child = spawnTracked(command, args, { stdio: [socket, 'ignore', 'pipe'] });
      } catch (error) {
        socket.destroy();
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      // The child holds its own copy of the descriptor; this process's copy only needs closing.
      socket.destroy();
      child.stderr?.resume();
      child.once('error', reject);
      child.once('exit', (code) => resolve(code));
    });
  });
  // A receiver stopped before any connection must not leave an unhandled rejection behind.
  finished.catch(() => undefined);
  return {
    port,
    finished,
    stop: async () => {
      server.close();
      if (child) await stopChild(child);
    },
  };
}

/**
 * Runs `sender` (a bash command line; `$1` is the receiver's port, then
 * `senderArgs` from `$2`) and
 * `receiver`; returns milliseconds from starting the sender until both have
 * exited, the receiver having written everything.
 */
async function timeTransfer(sender: string, senderArgs: string[], receiver: string, receiverArgs: string[]): Promise<number> {
  const receiving = await receiveInto(receiver, receiverArgs);
  try {
    const started = now();
    const send = spawnTracked('bash', ['-c', sender, 'bash', String(receiving.port), ...senderArgs],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let sendErrors = '';
    send.stderr!.on('data', (chunk: Buffer) => (sendErrors += chunk.toString().slice(0, 1000)));
    const sent = new Promise<number | null>((resolve) => send.once('exit', (code) => resolve(code)));
    // A sender that fails never connects: then the receiver is not waited for.
    const sendCode = await sent;
    if (sendCode !== 0) throw new Error(`${sender} exited with ${sendCode}: ${sendErrors.trim()}`);
    const receiveCode = await receiving.finished;
    const elapsed = now() - started;
    if (receiveCode !== 0) throw new Error(`${receiver} exited with ${receiveCode}`);
    return elapsed;
  } finally {
    await receiving.stop();
  }
}

/** One file through `socat` on both sides of a loopback TCP connection. */
export function socatFile(source: string, target: string): Promise<number> {
  return timeTransfer('exec socat -u "OPEN:$2,rdonly" "TCP:127.0.0.1:$1"', [source],
    'socat', ['-u', 'STDIN', `CREATE:${target}`]);
}

/** `tar c SOURCE | socat → TCP → tar x -C TARGET`. */
export function tarSocat(sourceDir: string, targetDir: string): Promise<number> {
  return timeTransfer('set -o pipefail; tar -c -f - -C "$2" . | socat -u STDIN "TCP:127.0.0.1:$1"', [sourceDir],
    'tar', ['-x', '-f', '-', '-C', targetDir]);
}
