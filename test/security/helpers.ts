/**
 * Shared pieces of the security tests: a users file with cheap hashes, a log
 * that remembers its lines, and a raw handshake from a chosen loopback source
 * address (127.0.0.2, ...), so per-address rules can be tested without leaving
 * loopback. (Temporary folders: test/helpers/temp-folders.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeServerMessage, encodeMessageToBuffer, FrameDecoder } from '../../src/protocol/codec.js';
import { DEFAULT_MAX_FRAME, HANDSHAKE_MAX_FRAME } from '../../src/protocol/constants.js';
import type { ConnRequest, ServerMessage } from '../../src/protocol/messages.js';
import { addUser } from '../../src/security/users.js';
import type { Logger, LogFields, LogLevel } from '../../src/server/log.js';

/** Cheap scrypt cost for tests; the users file records it per user. */
export const CHEAP_SCRYPT = { N: 1024, r: 8, p: 1 };

/** Kept for tests written against this name: test/helpers/temp-folders.ts makes temporary folders. */
export { tempFolderFor as tempDir } from '../helpers/temp-folders.js';

export async function makeUsersFile(dir: string, users: Array<{ name: string; password: string; root: string; readOnly?: boolean }>): Promise<string> {
  const file = path.join(dir, 'users.json');
  for (const user of users) await addUser(file, { ...user, scrypt: CHEAP_SCRYPT });
  return file;
}

export interface LogLine { level: LogLevel; message: string; fields: LogFields }

/** A Logger that keeps every line, to check that limits and blocks are logged. */
export function recordingLogger(lines: LogLine[] = [], bound: LogFields = {}): Logger & { lines: LogLine[] } {
  const write = (level: LogLevel) => (message: string, fields: LogFields = {}): void => {
    lines.push({ level, message, fields: { ...bound, ...fields } });
  };
  return {
    lines,
    error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug'),
    enabled: () => true,
    child: (fields) => recordingLogger(lines, { ...bound, ...fields }),
  };
}

/**
 * Opens a plain connection from `localAddress`, sends CONN (after `prefix`,
 * say a PROXY protocol header) and returns the first frame of the answer
 * (CONN or FAIL), then closes.
 */
export function handshakeFrom(
  port: number, localAddress: string, conn: Partial<ConnRequest>, timeoutMs = 10_000, prefix: Buffer = Buffer.alloc(0),
): Promise<ServerMessage> {
  let timer: NodeJS.Timeout | undefined;
  const answer = new Promise<ServerMessage>((resolve, reject) => {
    const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME);
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => {
      if (prefix.length > 0) socket.write(prefix);
      socket.write(encodeMessageToBuffer({
        op: 'CONN', id: 1, minVersion: 1, maxVersion: 1, maxFrame: DEFAULT_MAX_FRAME, capabilities: [],
        authMethod: 'none', user: '', secret: '', clientName: 'security-test', ...conn,
      }));
    });
    // Also keeps the event loop alive while the answer is awaited.
    timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to CONN from ${localAddress} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      try {
        const [frame] = decoder.push(chunk);
        if (frame) {
          socket.destroy();
          resolve(decodeServerMessage(frame));
        }
      } catch (error) {
        socket.destroy();
        reject(error as Error);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed without an answer')));
  });
  return answer.finally(() => clearTimeout(timer));
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const FERRYD = fileURLToPath(new URL('../../src/bin/ferryd.js', import.meta.url));

export interface Ferryd { child: ChildProcess; port: number; output: () => string }

export interface FerrydLaunch {
  /**
   * Runs ferryd under `ulimit -f` with this many blocks (of 512 or 1024
   * bytes, as the shell counts): writes past the limit fail with EFBIG, a full
   * disk any user can arrange.
   */
  fileSizeLimitBlocks?: number;
}

/** Starts the real ferryd binary (plain TCP on loopback, its own config folder) and waits for its address. */
export async function startFerryd(root: string, configDir: string, extra: string[] = [], launch: FerrydLaunch = {}): Promise<Ferryd> {
  const args = [FERRYD, '--root', root, '--port', '0', '--no-tls', '--config-dir', configDir, ...extra];
  // Node ignores SIGXFSZ, so a write past the limit is an EFBIG error rather than the end of the process.
  const child = launch.fileSizeLimitBlocks === undefined
    ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('/bin/sh', ['-c', `ulimit -f ${launch.fileSizeLimitBlocks} && exec "$@"`, 'sh', process.execPath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  await waitFor(() => /listening on 127\.0\.0\.1:\d+/.test(output) || child.exitCode !== null, 'ferryd to start', 20_000);
  const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
  if (!match) throw new Error(`ferryd did not start: ${output}`);
  return { child, port: Number(match[1]), output: () => output };
}

export function killHard(ferryd: Ferryd): Promise<void> {
  return new Promise((resolve) => {
    if (ferryd.child.exitCode !== null || ferryd.child.signalCode !== null) return resolve();
    ferryd.child.once('exit', () => resolve());
    ferryd.child.kill('SIGKILL');
  });
}

