/**
 * ferryd's security flags and what they turn into: the `authenticate`, `tls`,
 * `allowPlain` and `limits` options of startServer, plus the lines ferryd
 * prints at start (the certificate's fingerprint). Kept here so the ferryd
 * command line only spreads SECURITY_FLAGS into its flags and calls
 * resolveServerSecurity.
 */
import net from 'node:net';
import path from 'node:path';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { createAuthenticator, type Authenticate, type SecurityLog } from './authenticator.js';
import { keyPermissionWarning, loadOrCreateCertificate } from './certificate.js';
import { defaultConfigDir } from './config-dir.js';
import { decideExposure } from './exposure.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { watchUsersFile } from './revocation.js';
import { UsersFileCache, usersFilePath, type UserRecord } from './users.js';

/**
 * meow flag definitions; ferryd spreads them into its own. ferryd itself
 * defines --max-connections, --max-per-address, --handshake-timeout,
 * --idle-timeout, --stall-timeout, --max-frame, --max-in-flight,
 * --max-reply-backlog and --max-partial-frames; the
 * limits it lacks are here (all are checked by limitsFromFlags).
 */
export const SECURITY_FLAGS = {
  configDir: { type: 'string' },
  users: { type: 'string' },
  anonymous: { type: 'boolean', default: false },
  insecureAllowAnonymousOnNetwork: { type: 'boolean', default: false },
  tls: { type: 'boolean', default: true },
  tlsCert: { type: 'string' },
  tlsKey: { type: 'string' },
  allowPlain: { type: 'boolean', default: false },
  /** The longer name of ferryd's --max-per-address. */
  maxConnectionsPerAddress: { type: 'number' },
  maxPathLength: { type: 'number' },
  maxNameLength: { type: 'number' },
  tempMaxAge: { type: 'number' },
  loginMaxFailures: { type: 'number' },
  loginWindow: { type: 'number' },
  loginBlock: { type: 'number' },
  /** Comma-separated addresses of the load balancers whose connections start with a PROXY protocol header. */
  proxyProtocolFrom: { type: 'string' },
  /** `ferryd user add --replace`: change an existing user's password or root. */
  replace: { type: 'boolean', default: false },
} as const;

/** Help text for SECURITY_FLAGS, in ferryd's help style. */
export const SECURITY_HELP = `  Access and TLS (docs/SECURITY.md)
    --users FILE               users file (default CONFIG/users.json); manage it with \`ferryd user\`
    --config-dir DIR           CONFIG folder (default $XDG_CONFIG_HOME/ferry or ~/.config/ferry)
    --anonymous                serve anonymous sessions (on --root, --read-only) beside users. Without
                               users, a loopback ferryd is anonymous anyway (with a warning) until
                               the first user is added
    --insecure-allow-anonymous-on-network
                               allow --anonymous on an address other than loopback
    --tls-cert FILE --tls-key FILE
                               serve TLS with this certificate (default: one generated in CONFIG)
    --no-tls                   no TLS at all
    --allow-plain              accept plain TCP from every address (default: loopback only)
    --proxy-protocol-from ADDR[,ADDR...]
                               connections from these addresses (HAProxy's send-proxy or
                               send-proxy-v2) must start with a PROXY protocol header (v1 or v2);
                               the client it names is then the one limits, logs and the login
                               throttle see. Anything else from them is refused; from other
                               addresses such a header is an ordinary bad frame
    --login-max-failures N     failed logins that block an address (default ${DEFAULT_LOGIN_THROTTLE.maxFailures})
    --login-window S           ... counted within S seconds (default ${DEFAULT_LOGIN_THROTTLE.windowMs / 1000})
    --login-block S            how long the block lasts (default ${DEFAULT_LOGIN_THROTTLE.blockMs / 1000})
    --max-connections-per-address N
                               same as --max-per-address
    --max-path-length BYTES    longest path (default 4096)
    --max-name-length BYTES    longest file name (default 255)
    --temp-max-age HOURS       age at which unfinished uploads are removed (default 24)

  Users
    $ ferryd user add NAME --root DIR [--read-only] [--replace]
    $ ferryd user remove NAME
    $ ferryd user list
`;

export interface SecurityFlags {
  configDir?: string;
  users?: string;
  anonymous?: boolean;
  insecureAllowAnonymousOnNetwork?: boolean;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  allowPlain?: boolean;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /** ferryd's short name for maxConnectionsPerAddress (--max-per-address). */
  maxPerAddress?: number;
  /** Seconds; also bounds the delay of a failed login. */
  handshakeTimeout?: number;
  idleTimeout?: number;
  stallTimeout?: number;
  maxFrame?: number;
  maxInFlight?: number;
  /** Bytes (--max-reply-backlog). */
  maxReplyBacklog?: number;
  /** Bytes (--max-partial-frames): the server's maxPartialFrameBytes. */
  maxPartialFrames?: number;
  maxPathLength?: number;
  maxNameLength?: number;
  tempMaxAge?: number;
  loginMaxFailures?: number;
  loginWindow?: number;
  loginBlock?: number;
  proxyProtocolFrom?: string;
}

/** The limits of ServerOptions.limits that flags can set (names as in src/server). */
export interface LimitOverrides {
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  stallTimeoutMs?: number;
  maxFrame?: number;
  maxInFlight?: number;
  maxReplyBacklog?: number;
  maxPartialFrameBytes?: number;
  maxPathLength?: number;
  maxNameLength?: number;
  tempMaxAgeMs?: number;
}

export interface ServerSecurity {
  authenticate: Authenticate;
  /** The users' root folders as the users file lists them now (for the stale-upload sweep). */
  userRoots: () => Promise<string[]>;
  /**
   * Starts watching the users file; `review` gets its contents after each
   * change (to revoke open sessions' rights). Returns a function that stops.
   */
  watchUsers: (review: (users: readonly UserRecord[]) => void) => () => void;
  tls?: { key: string; cert: string };
  allowPlain: 'loopback' | 'always';
  limits: LimitOverrides;
  /** --proxy-protocol-from: the addresses whose connections start with a PROXY header. */
  proxyProtocolFrom: string[];
  /** Where the files are, for messages. */
  configDir: string;
  usersFile: string;
  fingerprint?: string;
  /** Lines for the operator at start: the fingerprint, notices. */
  startupLines: string[];
  /** Lines the operator must not miss (anonymous or insecure access, a readable key): logged as warnings. */
  startupWarnings: string[];
}

export interface ResolveContext {
  /** The IP address ferryd will bind (--host resolved: resolveHost). */
  host: string;
  /** --host as given, for messages. */
  hostName?: string;
  /** `--root` and `--read-only`: what anonymous sessions get. */
  root: string;
  readOnly: boolean;
  log?: SecurityLog;
  env?: NodeJS.ProcessEnv;
}

/**
 * A command-line mistake (a malformed flag value, a missing folder): ferryd
 * reports it in one line and exits 2 before it has touched anything.
 * `codeName` is USAGE for a malformed value, or the protocol's name for what
 * is wrong with a path argument (NOT_FOUND, NOT_A_DIRECTORY).
 */
export class UsageError extends Error {
  constructor(message: string, readonly codeName = 'USAGE') {
    super(message);
    this.name = 'UsageError';
  }

  override toString(): string {
    return `${this.codeName}: ${this.message}`;
  }
}

/**
 * Checks every security and limit flag's value without acting on any, so a
 * typo is reported before a users file is read or a certificate generated.
 * Throws UsageError.
 */
export function checkSecurityFlags(flags: SecurityFlags): void {
  limitsFromFlags(flags);
  throttleOptionsFromFlags(flags);
  proxyAddressesFromFlag(flags.proxyProtocolFrom);
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw usage('give both --tls-cert and --tls-key, or neither');
  for (const [flag, value] of [['--users', flags.users], ['--config-dir', flags.configDir], ['--tls-cert', flags.tlsCert], ['--tls-key', flags.tlsKey]] as const) {
    if (value === '') throw usage(`${flag} needs a path`);
  }
}

/**
 * Turns the flags into server options. When ferryd must not start it throws:
 * UsageError for a malformed flag value (checked first, before anything is
 * read or written), FerryError AUTH for an unsafe exposure, INTERNAL for an
 * unusable users file or certificate.
 */
export async function resolveServerSecurity(flags: SecurityFlags, context: ResolveContext): Promise<ServerSecurity> {
  checkSecurityFlags(flags);
  const configDir = path.resolve(flags.configDir ?? defaultConfigDir(context.env));
  const usersFile = path.resolve(flags.users ?? usersFilePath(configDir));
  const limits = limitsFromFlags(flags);
  const usersCache = new UsersFileCache(usersFile);
  const users = { users: await usersCache.current() };
  const tlsWanted = flags.tls !== false;
  const decision = decideExposure({
    host: context.host,
    ...(context.hostName !== undefined ? { hostName: context.hostName } : {}),
    userCount: users.users.length,
    anonymous: flags.anonymous === true,
    insecureAllowAnonymousOnNetwork: flags.insecureAllowAnonymousOnNetwork === true,
    tls: tlsWanted,
    allowPlain: flags.allowPlain === true,
    usersFile,
    root: path.resolve(context.root),
  });
  if (decision.refusals.length > 0) throw new FerryError(ErrorCode.AUTH, decision.refusals.join('\n'));

  const startupLines = [...decision.notices];
  const startupWarnings = [...decision.warnings];
  if (users.users.length > 0) startupLines.push(`${users.users.length} user(s) in ${usersFile}`);
  let tls: ServerSecurity['tls'];
  let fingerprint: string | undefined;
  if (tlsWanted) {
    const certificate = await loadOrCreateCertificate({
      configDir,
      ...(flags.tlsCert !== undefined ? { certFile: flags.tlsCert } : {}),
      ...(flags.tlsKey !== undefined ? { keyFile: flags.tlsKey } : {}),
    });
    tls = { key: certificate.key, cert: certificate.cert };
    fingerprint = certificate.fingerprint;
    if (certificate.generated) startupLines.push(`generated a TLS certificate in ${certificate.certPath}`);
    const warning = await keyPermissionWarning(certificate.keyPath);
    if (warning !== undefined) startupWarnings.push(warning);
    startupLines.push(`TLS certificate SHA-256 fingerprint: ${certificate.fingerprint}`);
  }
  const throttle = new LoginThrottle(throttleOptionsFromFlags(flags));
  const authenticate = createAuthenticator({
    users: usersCache,
    ...(decision.anonymous
      ? { anonymous: { root: path.resolve(context.root), readOnly: context.readOnly, untilUsers: decision.anonymousUntilUsers } }
      : {}),
    throttle,
    ...(context.log ? { log: context.log } : {}),
  });
  return {
    authenticate,
    userRoots: async () => (await usersCache.current()).map((user) => user.root),
    watchUsers: (review) => watchUsersFile(usersCache, review, context.log ? { log: context.log } : {}),
    ...(tls ? { tls } : {}),
    allowPlain: flags.allowPlain === true || !tls ? 'always' : 'loopback',
    limits,
    proxyProtocolFrom: proxyAddressesFromFlag(flags.proxyProtocolFrom),
    configDir,
    usersFile,
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    startupLines,
    startupWarnings,
  };
}

/** --proxy-protocol-from as a list of IP addresses (UsageError for anything else: a name would be resolved, and could change). */
export function proxyAddressesFromFlag(value: string | undefined): string[] {
  if (value === undefined) return [];
  const addresses = value.split(',').map((part) => part.trim());
  for (const address of addresses) {
    if (net.isIP(address) === 0) {
      throw usage(`--proxy-protocol-from takes IP addresses separated by commas; ${JSON.stringify(address)} is not one`);
    }
  }
  return addresses;
}

/** The login throttle's settings from the flags (UsageError for a bad value). */
export function throttleOptionsFromFlags(flags: SecurityFlags): LoginThrottleOptions {
  // A failed login's delay must end well before the handshake timeout, or the client sees TIMEOUT instead of AUTH.
  const handshakeMs = flags.handshakeTimeout;
  return {
    ...(handshakeMs !== undefined && handshakeMs > 0
      ? { maxDelayMs: Math.min(DEFAULT_LOGIN_THROTTLE.maxDelayMs, (handshakeMs * 1000) / 2), baseDelayMs: Math.min(DEFAULT_LOGIN_THROTTLE.baseDelayMs, (handshakeMs * 1000) / 8) }
      : {}),
    ...(flags.loginMaxFailures !== undefined ? { maxFailures: positiveInteger(flags.loginMaxFailures, '--login-max-failures') } : {}),
    ...(flags.loginWindow !== undefined ? { windowMs: seconds(flags.loginWindow, '--login-window') } : {}),
    ...(flags.loginBlock !== undefined ? { blockMs: seconds(flags.loginBlock, '--login-block') } : {}),
  };
}

/** The limit flags as ServerOptions.limits; flags not given are left to the server's defaults. */
export function limitsFromFlags(flags: SecurityFlags): LimitOverrides {
  const limits: LimitOverrides = {};
  if (flags.maxConnections !== undefined) limits.maxConnections = positiveInteger(flags.maxConnections, '--max-connections');
  if (flags.maxConnectionsPerAddress !== undefined) {
    limits.maxConnectionsPerAddress = positiveInteger(flags.maxConnectionsPerAddress, '--max-connections-per-address');
  } else if (flags.maxPerAddress !== undefined) {
    limits.maxConnectionsPerAddress = positiveInteger(flags.maxPerAddress, '--max-per-address');
  }
  if (flags.handshakeTimeout !== undefined) limits.handshakeTimeoutMs = seconds(flags.handshakeTimeout, '--handshake-timeout');
  if (flags.idleTimeout !== undefined) limits.idleTimeoutMs = seconds(flags.idleTimeout, '--idle-timeout');
  if (flags.stallTimeout !== undefined) limits.stallTimeoutMs = seconds(flags.stallTimeout, '--stall-timeout');
  if (flags.maxFrame !== undefined) {
    const value = positiveInteger(flags.maxFrame, '--max-frame');
    if (value < 65_536 || value > 16_777_216) throw usage('--max-frame must be between 65536 and 16777216');
    limits.maxFrame = value;
  }
  if (flags.maxInFlight !== undefined) limits.maxInFlight = positiveInteger(flags.maxInFlight, '--max-in-flight');
  if (flags.maxReplyBacklog !== undefined) limits.maxReplyBacklog = positiveInteger(flags.maxReplyBacklog, '--max-reply-backlog');
  if (flags.maxPartialFrames !== undefined) {
    limits.maxPartialFrameBytes = positiveInteger(flags.maxPartialFrames, '--max-partial-frames');
  }
  if (flags.maxPathLength !== undefined) limits.maxPathLength = positiveInteger(flags.maxPathLength, '--max-path-length');
  if (flags.maxNameLength !== undefined) limits.maxNameLength = positiveInteger(flags.maxNameLength, '--max-name-length');
  if (flags.tempMaxAge !== undefined) {
    if (!(flags.tempMaxAge > 0)) throw usage('--temp-max-age must be a positive number of hours');
    limits.tempMaxAgeMs = Math.round(flags.tempMaxAge * 3_600_000);
  }
  return limits;
}

function positiveInteger(value: number, flag: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw usage(`${flag} must be a positive whole number`);
  return value;
}

function seconds(value: number, flag: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw usage(`${flag} must be a positive number of seconds`);
  return Math.round(value * 1000);
}

function usage(message: string): UsageError {
  return new UsageError(message);
}
