/**
 * ferryd's listener: accepts connections, enforces the connection limits,
 * tells TLS from plain sessions by the first byte, starts a Session for each,
 * sweeps stale upload temporary files, drains and shuts down gracefully.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { DEFAULT_MAX_FRAME, DEFAULT_MAX_IN_FLIGHT, DEFAULT_PORT, DEFAULT_WINDOW, HANDSHAKE_MAX_FRAME, MAX_MAX_FRAME, MAX_NAME_BYTES, MAX_PATH_BYTES, MIN_MAX_FRAME } from '../protocol/constants.js';
import { encodeMessageToBuffer } from '../protocol/codec.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { createLogger, type Logger } from './log.js';
import { readProxyHeader } from './proxy-header.js';
import { Session, type SessionEnvironment, type SessionIdentity } from './session.js';
import { Storage } from './storage/storage.js';
import { UploadRegistry } from './upload-registry.js';
import { PartialFrameBudget } from './partial-frame-budget.js';

export const DEFAULT_HOST = '127.0.0.1';
export const SERVER_NAME = 'ferryd/0.1.0';

export interface ServerLimits {
  /** Connections at once, in total. */
  maxConnections: number;
  /** Connections at once from one source address. */
  maxConnectionsPerAddress: number;
  /** From accepting a connection to the CONN reply. */
  handshakeTimeoutMs: number;
  /** Silence after which a session with no request in flight is closed. */
  idleTimeoutMs: number;
  /**
   * How long a transfer (or a listing) may wait on its peer without any
   * progress — no DATA, WIND or other frame for it either way — before it is
   * failed with TIMEOUT. Never counts while the server itself works.
   */
  stallTimeoutMs: number;
  /** The server's frame limit offered in the handshake (65 536 … 16 777 216). */
  maxFrame: number;
  /** Requests in flight per session. */
  maxInFlight: number;
  /** Longest path and name, in UTF-8 bytes. */
  maxPathLength: number;
  maxNameLength: number;
  /** Age after which an upload's temporary file is removed. */
  tempMaxAgeMs: number;
  /** How often the temporary-file sweep runs. */
  tempSweepIntervalMs: number;
  /** Credit window granted to each upload, in bytes (also the most one upload buffers). */
  uploadWindow: number;
  /**
   * Unsent reply bytes per session above which the session reads no more
   * requests until its socket drains: a client that sends requests and never
   * reads the replies stops itself instead of filling the server's memory.
   */
  maxReplyBacklog: number;
  /**
   * Bytes of frames above 64 KiB being received at once, server-wide (each
   * reserved at its full length when its length field arrives). A session
   * whose frame does not fit waits, unread, until one in progress completes.
   */
  maxPartialFrameBytes: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxConnections: 1024,
  maxConnectionsPerAddress: 64,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 5 * 60_000,
  stallTimeoutMs: 2 * 60_000,
  maxFrame: DEFAULT_MAX_FRAME,
  maxInFlight: DEFAULT_MAX_IN_FLIGHT,
  maxPathLength: MAX_PATH_BYTES,
  maxNameLength: MAX_NAME_BYTES,
  tempMaxAgeMs: 24 * 60 * 60_000,
  tempSweepIntervalMs: 60 * 60_000,
  uploadWindow: DEFAULT_WINDOW,
  maxReplyBacklog: 8 * 1024 * 1024,
  maxPartialFrameBytes: 64 * 1024 * 1024,
};

export interface AuthAttempt {
  /** The CONN's authMethod: `none` or `password`. */
  method: string;
  user: string;
  secret: string;
  remoteAddress: string;
}

export interface ServerOptions {
  /** Served folder (the root of anonymous sessions, and the default for others). */
  root: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7070; 0 picks a free port. */
  port?: number;
  readOnly?: boolean;
  logger?: Logger;
  /**
   * Decides who a CONN is. Throw FerryError(AUTH) to refuse (the hook owns
   * any delay for failed logins), or FerryError(LIMIT) for a blocked address.
   * Default: anonymous (`none`) sessions on `root`; `password` is refused.
   */
  authenticate?: (attempt: AuthAttempt) => Promise<SessionIdentity>;
  /**
   * The other folders sessions may be given as their root (the users'
   * roots). Asked before each sweep of stale upload temporary files, so
   * every root is swept, including those added while the server runs.
   */
  tempRoots?: () => Promise<readonly string[]>;
  /** When set, connections whose first byte is 0x16 are TLS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Where plain TCP is accepted from; default 'loopback' when tls is set, else 'always'. */
  allowPlain?: 'loopback' | 'always';
  limits?: Partial<ServerLimits>;
  /**
   * Addresses (load balancers) whose connections start with a PROXY protocol
   * header (v1 or v2) naming the real client, who is then the one the limits,
   * logs and login throttle see. From any other address such a header is a
   * bad frame like any other.
   */
  proxyProtocolFrom?: readonly string[];
}

/** Who a connection is from: its peer, or the client a trusted proxy named (`via` is then the proxy). */
interface ClientAddress {
  address: string;
  port: number | undefined;
  via?: string;
}

export interface FerryServer {
  readonly host: string;
  readonly port: number;
  /** Sessions open now. */
  readonly sessionCount: number;
  /** True once drain() or close() was called. */
  readonly draining: boolean;
  /**
   * Stops taking new sessions while everything else goes on: the listener
   * stays open and every new CONN is answered FAIL `LIMIT` ("draining"), so
   * a load balancer's Ferry-level health check sees the instance go down and
   * sends new sessions elsewhere, while the sessions already open keep
   * working until close(). Idempotent.
   */
  drain(): void;
  /**
   * Stops accepting, lets running requests finish for up to `graceMs`
   * (default 10 000), then drops what is left (uploads keep their temporary
   * files) and resolves once every file is closed.
   */
  close(graceMs?: number): Promise<void>;
  /**
   * Asks `review` about every logged-in session's account (after the users
   * file changed): `read-only` refuses its writes from then on, `revoked`
   * ends it with FAIL AUTH.
   */
  reviewSessions(review: (account: SessionIdentity) => 'keep' | 'read-only' | 'revoked'): void;
}

/**
 * TLS 1.3 suites in ferryd's order of preference, then OpenSSL's defaults for
 * TLS 1.2. AES-128-GCM first: with AES instructions it encrypts faster than
 * AES-256-GCM (the bulk of a transfer's cost over TLS) and is as much a
 * standard TLS 1.3 suite; ChaCha20 stays for clients without AES hardware.
 */
const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', tls.DEFAULT_CIPHERS,
].join(':');

export async function startServer(options: ServerOptions): Promise<FerryServer> {
  const logger = options.logger ?? createLogger();
  const limits = resolveLimits(options.limits);
  const rootStorage = await Storage.open(options.root, limits);
  const storages = new Map<string, Promise<Storage>>([[options.root, Promise.resolve(rootStorage)]]);
  const uploads = new UploadRegistry();
  const readOnly = options.readOnly ?? false;
  const allowPlain = options.allowPlain ?? (options.tls ? 'loopback' : 'always');
  const secureContext = options.tls
    ? tls.createSecureContext({
      key: options.tls.key, cert: options.tls.cert, ciphers: TLS_CIPHERS, honorCipherOrder: true,
      // A TLS 1.2 client could renegotiate without end, a full handshake's work for the server each time.
      secureOptions: crypto.constants.SSL_OP_NO_RENEGOTIATION,
    })
    : undefined;

  const authenticate = options.authenticate ?? defaultAuthenticate(options.root, readOnly);
  let draining = false;
  const env: SessionEnvironment = {
    serverName: SERVER_NAME,
    logger,
    uploads,
    limits,
    partialFrames: new PartialFrameBudget(limits.maxPartialFrameBytes, HANDSHAKE_MAX_FRAME),
    async authenticate(attempt) {
      // Refused before the credentials are looked at: a draining instance takes no new session, whoever asks.
      if (draining) throw new FerryError(ErrorCode.LIMIT, DRAINING_MESSAGE);
      const identity = await authenticate(attempt);
      return { ...identity, readOnly: identity.readOnly || readOnly };
    },
    storageFor(root) {
      let storage = storages.get(root);
      if (!storage) {
        storage = Storage.open(root, limits);
        storage.catch(() => storages.delete(root));
        storages.set(root, storage);
      }
      return storage;
    },
  };

  const sessions = new Set<Session>();
  const perAddress = new Map<string, number>();
  const pendingSockets = new Set<net.Socket>();
  let connections = 0;
  let closing: Promise<void> | undefined;
  let nextSessionNumber = 1;
  const proxyFrom = new Set((options.proxyProtocolFrom ?? []).map(canonicalAddress));

  /** Removes stale upload temporary files below every root a session may have: --root and each user's. */
  const sweep = async (): Promise<void> => {
    let roots: readonly string[] = [];
    try {
      roots = await options.tempRoots?.() ?? [];
    } catch (error) {
      logger.warn('temporary file sweep: cannot list the users\' roots', { error: errorMessage(error) });
    }
    const swept = new Set<string>();
    for (const root of [options.root, ...roots]) {
      try {
        const storage = await env.storageFor(root);
        if (swept.has(storage.root)) continue; // two spellings of one folder
        swept.add(storage.root);
        const removed = await storage.removeStaleTemps(limits.tempMaxAgeMs, (temp) => uploads.isActiveTemp(temp));
        if (removed > 0) logger.info('removed stale upload temporary files', { root: storage.root, count: removed });
      } catch (error) {
        logger.warn('temporary file sweep failed', { root, error: errorMessage(error) });
      }
    }
  };
  const sweeping = sweep();
  const sweepTimer = setInterval(() => void sweep(), limits.tempSweepIntervalMs);
  sweepTimer.unref();

  const startSession = (socket: net.Socket | tls.TLSSocket, client: ClientAddress, secure: boolean, deadline: number): void => {
    const number = nextSessionNumber++;
    const session = new Session(socket, client.address, env, logger.child({ session: number }), deadline);
    sessions.add(session);
    logger.info('connection opened', {
      session: number, remote: `${client.address}:${client.port ?? '?'}`, tls: secure,
      ...(client.via !== undefined ? { via: client.via } : {}),
    });
    void session.closed.then(() => sessions.delete(session));
  };

  /** Refuses a counted connection (`raw`) through `channel` (itself, or its TLS): it stops counting towards the total at once. */
  const releases = new WeakMap<net.Socket, () => void>();
  const turnAway = (raw: net.Socket, channel: net.Socket | tls.TLSSocket, code: number, message: string): void => {
    releases.get(raw)?.();
    refuse(channel, code, message);
  };

  /** Until its session starts, a connection is pending: the server's close ends it at once. */
  const settle = (socket: net.Socket): void => {
    pendingSockets.delete(socket);
  };

  const onConnection = (socket: net.Socket): void => {
    const peer = normalizeAddress(socket.remoteAddress ?? 'unknown');
    socket.on('error', () => undefined); // reported by the session, or irrelevant before it
    if (closing) {
      socket.destroy();
      return;
    }
    if (connections >= limits.maxConnections) {
      logger.warn('connection limit reached: refusing', { remote: peer, limit: limits.maxConnections });
      refuse(socket, ErrorCode.LIMIT, 'too many connections');
      return;
    }
    // A connection counts towards the total from its first moment until it closes or is refused
    // (a refused TLS client counts during the handshake that carries its refusal).
    connections++;
    let counted = true;
    const release = (): void => {
      if (counted) connections--;
      counted = false;
    };
    releases.set(socket, release);
    socket.once('close', release);
    socket.setNoDelay(true);
    // One deadline for everything before the CONN reply: PROXY header, TLS handshake and CONN.
    const deadline = Date.now() + limits.handshakeTimeoutMs;
    pendingSockets.add(socket);
    socket.once('close', () => settle(socket));
    if (!proxyFrom.has(peer)) {
      admit(socket, { address: peer, port: socket.remotePort }, deadline);
      return;
    }
    readProxyHeader(socket, deadline - Date.now()).then((source) => {
      if (socket.destroyed || closing) {
        socket.destroy();
        return;
      }
      admit(socket, source ? { address: canonicalAddress(source.address), port: source.port, via: peer } : { address: peer, port: socket.remotePort }, deadline);
    }, (error: unknown) => {
      const failure = error instanceof FerryError ? error : new FerryError(ErrorCode.BAD_FRAME, String(error));
      logger.warn('bad PROXY protocol header: refusing', { remote: peer, code: failure.codeName, error: failure.message });
      turnAway(socket, socket, failure.code, failure.message);
    });
  };

  /** The connection of `client` (the real client, after a PROXY header): limits, then TLS or plain, then its session. */
  const admit = (socket: net.Socket, client: ClientAddress, deadline: number): void => {
    const { address } = client;
    const fromAddress = perAddress.get(address) ?? 0;
    let refusal: { code: number; message: string } | undefined;
    if (fromAddress >= limits.maxConnectionsPerAddress) {
      logger.warn('per-address connection limit reached: refusing', { remote: address, limit: limits.maxConnectionsPerAddress });
      refusal = { code: ErrorCode.LIMIT, message: 'too many connections from your address' };
    } else {
      perAddress.set(address, fromAddress + 1);
      socket.once('close', () => {
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      });
    }
    if (!secureContext) {
      settle(socket);
      if (refusal) turnAway(socket, socket, refusal.code, refusal.message);
      else startSession(socket, client, false, deadline);
      return;
    }
    // Tell TLS from plain by the first byte (docs/PROTOCOL.md §10). A silent peer gets FAIL TIMEOUT in plain:
    // a TLS client always speaks first, so one that sends nothing is not (yet) talking TLS.
    const sniffTimer = setTimeout(() => {
      logger.warn('handshake timeout: closing', { remote: address, ms: limits.handshakeTimeoutMs, stage: 'first byte' });
      settle(socket);
      turnAway(socket, socket, ErrorCode.TIMEOUT, `no handshake within ${limits.handshakeTimeoutMs} ms`);
    }, Math.max(0, deadline - Date.now()));
    sniffTimer.unref();
    socket.once('close', () => clearTimeout(sniffTimer));
    socket.once('data', (first: Buffer) => {
      clearTimeout(sniffTimer);
      socket.pause();
      socket.unshift(first);
      if (first[0] === 0x16) {
        startTls(socket, client, deadline, refusal);
        return;
      }
      settle(socket);
      if (refusal) {
        turnAway(socket, socket, refusal.code, refusal.message);
        return;
      }
      if (allowPlain === 'loopback' && !isLoopback(address)) {
        logger.warn('plain TCP from a non-loopback address: refusing', { remote: address });
        turnAway(socket, socket, ErrorCode.AUTH, 'plain TCP not allowed; use TLS');
        return;
      }
      startSession(socket, client, false, deadline);
    });
    socket.resume();
  };

  /**
   * The TLS handshake, bounded by what is left of the handshake deadline. A
   * refusal decided before (a per-address LIMIT) is sent inside TLS, so a TLS
   * client reads the reason instead of a TLS error.
   */
  const startTls = (socket: net.Socket, client: ClientAddress, deadline: number, refusal: { code: number; message: string } | undefined): void => {
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: secureContext! });
    const tlsTimer = setTimeout(() => {
      logger.warn('handshake timeout: closing', { remote: client.address, ms: limits.handshakeTimeoutMs, stage: 'TLS' });
      socket.destroy();
    }, Math.max(0, deadline - Date.now()));
    tlsTimer.unref();
    socket.once('close', () => clearTimeout(tlsTimer));
    secure.on('error', (error: Error) => {
      logger.info('TLS handshake failed', { remote: client.address, error: error.message });
      socket.destroy();
    });
    secure.once('secure', () => {
      clearTimeout(tlsTimer);
      settle(socket);
      if (closing) secure.destroy();
      else if (refusal) turnAway(socket, secure, refusal.code, refusal.message);
      else startSession(secure, client, true, deadline);
    });
  };

  const listener = net.createServer({ noDelay: true }, onConnection);
  listener.on('error', (error) => logger.error('listener error', { error: error.message }));
  const host = options.host ?? DEFAULT_HOST;
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port ?? DEFAULT_PORT, host, () => {
      listener.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    clearInterval(sweepTimer);
    throw error;
  });
  const port = (listener.address() as net.AddressInfo).port;
  logger.info('listening', {
    host, port, root: rootStorage.root, readOnly, tls: Boolean(secureContext),
    maxReplyBacklog: limits.maxReplyBacklog, maxPartialFrameBytes: limits.maxPartialFrameBytes,
  });

  const close = async (graceMs = 10_000): Promise<void> => {
    clearInterval(sweepTimer);
    const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
    for (const socket of pendingSockets) socket.destroy();
    const running = [...sessions];
    const active = running.reduce((sum, session) => sum + session.activeRequests, 0);
    logger.info('shutting down', { sessions: running.length, activeRequests: active, graceMs });
    for (const session of running) session.beginShutdown();
    const allClosed = Promise.all(running.map((session) => session.closed));
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => {
      graceTimer = setTimeout(() => resolve('grace over'), graceMs);
    });
    const outcome = await Promise.race([allClosed, graceOver]);
    clearTimeout(graceTimer);
    if (outcome === 'grace over') {
      logger.warn('grace period over: dropping the remaining sessions', { sessions: sessions.size });
      for (const session of sessions) session.destroy();
      await Promise.all([...sessions].map((session) => session.closed));
    }
    await Promise.all([listenerClosed, sweeping]);
    logger.info('stopped');
  };

  return {
    host,
    port,
    get sessionCount() {
      return sessions.size;
    },
    get draining() {
      return draining;
    },
    drain() {
      if (draining) return;
      draining = true;
      logger.info('draining: new sessions are refused, open ones go on', { sessions: sessions.size });
    },
    close(graceMs) {
      draining = true;
      closing ??= close(graceMs);
      return closing;
    },
    reviewSessions(review) {
      for (const session of sessions) {
        const account = session.account;
        if (!account) continue;
        const change = review(account);
        if (change !== 'keep') session.applyAccountChange(change);
      }
    },
  };
}

/** The FAIL `LIMIT` message of a CONN to a draining server (docs/PROTOCOL.md §4). */
export const DRAINING_MESSAGE = 'this server is draining: connect again (to another instance)';

function resolveLimits(overrides: Partial<ServerLimits> | undefined): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value !== undefined) limits[key as keyof ServerLimits] = value;
  }
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`limit ${key} must be a non-negative number, not ${value}`);
  }
  if (limits.maxFrame < MIN_MAX_FRAME || limits.maxFrame > MAX_MAX_FRAME) {
    throw new RangeError(`maxFrame must be within ${MIN_MAX_FRAME}..${MAX_MAX_FRAME}`);
  }
  if (limits.maxInFlight < 1) throw new RangeError('maxInFlight must be at least 1');
  if (limits.stallTimeoutMs <= 0) throw new RangeError('stallTimeoutMs must be above 0');
  return limits;
}

function defaultAuthenticate(root: string, readOnly: boolean): (attempt: AuthAttempt) => Promise<SessionIdentity> {
  return (attempt) => {
    if (attempt.method === 'none') return Promise.resolve({ user: '', root, readOnly });
    if (attempt.method === 'password') {
      return Promise.reject(new FerryError(ErrorCode.AUTH, 'this server has no user accounts; connect anonymously'));
    }
    return Promise.reject(new FerryError(ErrorCode.AUTH, `unknown authentication method ${JSON.stringify(attempt.method)}`));
  };
}

/** Sends a connection-level FAIL (id 0) and closes. */
function refuse(socket: net.Socket | tls.TLSSocket, code: number, message: string): void {
  socket.end(encodeMessageToBuffer({ op: 'FAIL', id: 0, code, message }));
  // Whatever the peer still sends (its CONN, say) is read and dropped, so that its end of the connection is seen and the socket closes.
  socket.resume();
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** `::ffff:127.0.0.1` → `127.0.0.1`, so one client is one address whatever the socket family. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** An address as socket.remoteAddress writes it (IPv6 compressed, lower case), IPv4-mapped ones as IPv4. */
function canonicalAddress(address: string): string {
  const family = net.isIP(address);
  if (family === 0) return address;
  return normalizeAddress(new net.SocketAddress({ address, family: family === 6 ? 'ipv6' : 'ipv4' }).address);
}

export function isLoopback(address: string): boolean {
  const plain = normalizeAddress(address);
  if (net.isIPv4(plain)) return plain.startsWith('127.');
  return plain === '::1';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
