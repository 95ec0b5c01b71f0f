/**
 * Opens an SFTP session from an sftp:// URL: the host resolved through
 * ~/.ssh/config (HostName, User, Port unless the URL names one,
 * IdentityFile, ProxyJump's first hop), the host key checked against
 * ~/.ssh/known_hosts (host-key.ts), the login tried method by method
 * (login.ts), then the SFTP subsystem.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2, { type Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { Duplex } from 'node:stream';
import { batchWritesPerTurn } from '../../net/write-batching.js';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import type { OpenRemoteOptions } from '../open-remote.js';
import type { Remote } from '../remote.js';
import { formatOrigin, type RemoteUrl } from '../remote-url.js';
import { defaultSshConfigFile, readSshConfig, resolveSshHost, sshDir } from '../ssh-config.js';
import { hostKeyCheck } from './host-key.js';
import { loginHandler, type LoginRecord } from './login.js';
import { SftpCalls } from './sftp-calls.js';
import { pipelineShape, SftpRemote, type PipelineShapes } from './sftp-remote.js';

const DEFAULT_TIMEOUT_MS = 10_000;
/** SSH keep-alives for a session a person leaves open (the UI). */
const KEEPALIVE_INTERVAL_MS = 30_000;

/** Where and as whom to connect, after ~/.ssh/config. */
export interface SshTarget {
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  proxyJump?: string;
}

function defaultUser(env: NodeJS.ProcessEnv): string {
  return env.USER ?? env.LOGNAME ?? os.userInfo().username;
}

/** `host` as ~/.ssh/config means it, with what the URL says first. */
export async function resolveTarget(
  host: string, port: number | undefined, user: string | undefined, options: OpenRemoteOptions,
): Promise<SshTarget> {
  const env = options.env ?? process.env;
  const config = await readSshConfig(defaultSshConfigFile(env)).catch((error: unknown) => {
    throw new FerryError(ErrorCode.INVALID_PATH, `cannot read ${defaultSshConfigFile(env)}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const settings = resolveSshHost(config, host, env);
  return {
    host: settings.hostName,
    port: port ?? settings.port ?? 22,
    user: user ?? settings.user ?? defaultUser(env),
    identityFiles: [...(options.identityFile ? [path.resolve(options.identityFile)] : []), ...settings.identityFiles],
    ...(settings.proxyJump ? { proxyJump: settings.proxyJump } : {}),
  };
}

/** `[user@]host[:port]` of ProxyJump. */
function parseJump(jump: string): { host: string; port?: number; user?: string } {
  const at = jump.lastIndexOf('@');
  const user = at < 0 ? undefined : jump.slice(0, at);
  const hostPort = jump.slice(at + 1);
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort) ?? /^([^:]+)(?::(\d+))?$/.exec(hostPort);
  if (!match) throw new FerryError(ErrorCode.INVALID_PATH, `bad ProxyJump ${JSON.stringify(jump)}`);
  return { host: match[1]!, ...(match[2] ? { port: Number(match[2]) } : {}), ...(user ? { user } : {}) };
}

function loginFailure(target: SshTarget, record: LoginRecord): FerryError {
  const tried = record.tried.length > 0 ? record.tried.join(', ') : 'nothing (no key, agent, password or prompt available)';
  const accepted = record.accepted ? `; it accepts ${record.accepted.join(', ')}` : '';
  return new FerryError(ErrorCode.AUTH, `${target.user}@${target.host}:${target.port} refused the login; tried ${tried}${accepted}`);
}

/** A TCP connection to the target, made here rather than by ssh2 (which waits for it to connect) so its writes can be batched. */
function directSocket(target: SshTarget): net.Socket {
  const socket = net.connect({ host: target.host, port: target.port });
  // As ssh2 does for the sockets it makes: its channels and requests each listen on the socket.
  socket.setMaxListeners(0);
  return socket;
}

/** One SSH connection, logged in, over a TCP socket of its own or `sock` (a jump host's forwarded channel). */
export async function connectSsh(target: SshTarget, options: OpenRemoteOptions, sock?: Duplex): Promise<{ client: Client; fingerprint: string }> {
  const env = options.env ?? process.env;
  const folder = sshDir(env);
  const record: LoginRecord = { tried: [], accepted: undefined };
  const keyCheck = await hostKeyCheck(path.join(folder, 'known_hosts'), target.host, target.port, options.verifyNewKey);
  const client = new ssh2.Client();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const agentSocket = env.SSH_AUTH_SOCK && env.SSH_AUTH_SOCK !== '' ? env.SSH_AUTH_SOCK : undefined;
  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: timeoutMs,
    hostVerifier: keyCheck.verifier,
    authHandler: loginHandler({
      user: target.user, label: `${target.user}@${target.host}`,
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.askSecret ? { askSecret: options.askSecret } : {}),
      identityFiles: target.identityFiles,
      ...(agentSocket ? { agentSocket } : {}),
      sshDir: folder,
      ...(options.signal ? { signal: options.signal } : {}),
    }, record),
    algorithms: keyCheck.algorithms,
    ...(options.keepAlive ? { keepaliveInterval: KEEPALIVE_INTERVAL_MS, keepaliveCountMax: 3 } : {}),
  };
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      client.destroy();
      reject(new FerryError(ErrorCode.CANCELLED, 'cancelled'));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => options.signal?.removeEventListener('abort', onAbort);
    client.once('ready', () => {
      settle();
      client.removeListener('error', onError);
      // From here the owner (SftpRemote) hears errors through 'close'; until it listens, and for a jump
      // host that never does, an 'error' without a listener would end the process.
      client.on('error', () => undefined);
      resolve();
    });
    const onError = (error: Error & { level?: string }): void => {
      settle();
      client.destroy();
      if (keyCheck.refusal()) reject(keyCheck.refusal());
      else if (error.level === 'client-authentication') reject(loginFailure(target, record));
      else if (error.level === 'client-timeout') reject(new FerryError(ErrorCode.TIMEOUT, `${target.host}:${target.port} did not finish the SSH handshake within ${timeoutMs} ms`));
      else reject(new FerryError(ErrorCode.CONNECTION_LOST, `cannot connect to ${target.host}:${target.port}: ${error.message}`, { cause: error }));
    };
    client.once('error', onError);
    if (options.signal?.aborted) onAbort();
    else {
      client.connect({ ...config, sock: batchWritesPerTurn(sock ?? directSocket(target)) });
      // Requests and window adjustments are small packets: Nagle's algorithm would hold them back for
      // the peer's delayed ACK, idling the pipeline (a 128 MiB download spent most of its time waiting).
      client.setNoDelay(true);
    }
  });
  return { client, fingerprint: keyCheck.fingerprint() };
}

function openSftpChannel(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => {
    client.sftp((error, sftp) => {
      if (error) reject(new FerryError(ErrorCode.UNSUPPORTED, `the server offers no SFTP subsystem: ${error.message}`, { cause: error }));
      else resolve(sftp);
    });
  });
}

/** A channel to `target` through an already connected jump host (ProxyJump's one hop). */
function forwardThrough(jump: Client, target: SshTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, target.host, target.port, (error, channel) => {
      if (error) reject(new FerryError(ErrorCode.CONNECTION_LOST, `the jump host cannot reach ${target.host}:${target.port}: ${error.message}`, { cause: error }));
      else resolve(channel);
    });
  });
}

export async function openSftpRemote(url: RemoteUrl, options: OpenRemoteOptions): Promise<Remote> {
  const target = await resolveTarget(url.host, url.portGiven ? url.port : undefined, url.user, options);
  const password = url.password ?? options.password;
  const sessionOptions = { ...options, ...(password !== undefined ? { password } : {}) };
  let jumpClient: Client | undefined;
  let sock: Duplex | undefined;
  if (target.proxyJump) {
    const hop = parseJump(target.proxyJump);
    // The jump host logs in with its own settings: no password or key meant for the target.
    const jumpTarget = await resolveTarget(hop.host, hop.port, hop.user, { ...options, password: undefined, identityFile: undefined });
    jumpClient = (await connectSsh(jumpTarget, { ...options, password: undefined })).client;
    try {
      sock = await forwardThrough(jumpClient, target);
    } catch (error) {
      jumpClient.end();
      throw error;
    }
  }
  let client: Client;
  let fingerprint: string;
  try {
    ({ client, fingerprint } = await connectSsh(target, sessionOptions, sock));
  } catch (error) {
    jumpClient?.end();
    throw error;
  }
  if (jumpClient) client.on('close', () => jumpClient.end());
  let sftp: SFTPWrapper;
  try {
    sftp = await openSftpChannel(client);
  } catch (error) {
    client.end();
    throw error;
  }
  return new SftpRemote(client, new SftpCalls(sftp), {
    kind: 'sftp',
    host: target.host,
    port: target.port,
    user: target.user,
    origin: formatOrigin({ scheme: 'sftp', host: url.host, port: url.portGiven ? url.port : 22, user: target.user }),
    encrypted: true,
    fingerprint,
    readOnly: false,
    verification: 'size',
  }, serverPipeline(sftp));
}

/**
 * The request sizes the server accepts. ssh2 learns them (limits@openssh.com,
 * or its defaults for other servers) but keeps them to itself: read here,
 * with SFTP's 32 KiB minimum when they are not there.
 */
function serverPipeline(sftp: SFTPWrapper): PipelineShapes {
  const limits = sftp as unknown as { _maxReadLen?: unknown; _maxWriteLen?: unknown };
  const limit = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  return { read: pipelineShape(limit(limits._maxReadLen)), write: pipelineShape(limit(limits._maxWriteLen)) };
}
