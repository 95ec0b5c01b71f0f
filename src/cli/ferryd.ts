/**
 * The `ferryd` command line: parses flags, starts the server, prints the
 * address it listens on, and shuts down gracefully on SIGINT/SIGTERM:
 * first `--drain` seconds in which new sessions are refused (FAIL LIMIT, so a
 * load balancer's health check moves them to another instance) while open
 * ones go on, then running transfers get `--grace` seconds; a second signal
 * exits at once.
 */
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import meow from 'meow';
import { createLogger, isLogLevel, type Logger, type LogThreshold } from '../server/log.js';
import { DEFAULT_PORT } from '../protocol/constants.js';
import { DEFAULT_LIMITS, startServer, type FerryServer, type ServerOptions } from '../server/server.js';
import { isFerryError } from '../protocol/errors.js';
import { resolveHost } from '../net/host.js';
import {
  SECURITY_FLAGS, SECURITY_HELP, UsageError, checkSecurityFlags, resolveServerSecurity, type SecurityFlags,
} from '../security/ferryd-options.js';
import { defaultConfigDir } from '../security/config-dir.js';
import { reviewAccount } from '../security/revocation.js';
import { runUserCommand } from '../security/user-command.js';
import { usersFilePath } from '../security/users.js';

const HELP = `
  Usage
    $ ferryd --root DIR [options]

  Options
    --root DIR                 folder to serve (required)
    --host H                   address to listen on (default 127.0.0.1); a name is resolved once
                               and its address is both bound and judged (loopback or not)
    --port P                   port (default ${DEFAULT_PORT}; 0 picks a free one)
    --read-only                refuse every change
    --log-level L              error, warn, info (default) or debug
    --drain S                  on SIGINT/SIGTERM, first refuse new sessions for S seconds while open
                               ones go on, so a load balancer sends new ones elsewhere (default 0)
    --grace S                  seconds running transfers get on SIGINT/SIGTERM (default 10)
    --max-connections N        connections in total (default ${DEFAULT_LIMITS.maxConnections})
    --max-per-address N        connections from one address (default ${DEFAULT_LIMITS.maxConnectionsPerAddress})
    --handshake-timeout S      seconds to complete the handshake (default ${DEFAULT_LIMITS.handshakeTimeoutMs / 1000})
    --idle-timeout S           seconds of silence before an idle session closes (default ${DEFAULT_LIMITS.idleTimeoutMs / 1000})
    --stall-timeout S          seconds a transfer may wait on its client without progress (no DATA or
                               WIND) before it fails with TIMEOUT (default ${DEFAULT_LIMITS.stallTimeoutMs / 1000})
    --max-frame BYTES          largest frame offered (default ${DEFAULT_LIMITS.maxFrame})
    --max-in-flight N          requests in flight per session (default ${DEFAULT_LIMITS.maxInFlight})
    --max-reply-backlog BYTES  unsent reply bytes above which a session reads no more requests until
                               its client reads (default ${DEFAULT_LIMITS.maxReplyBacklog})
    --max-partial-frames BYTES bytes of large frames (over 64 KiB) being received at once, all sessions
                               together; a frame that does not fit waits unread (default ${DEFAULT_LIMITS.maxPartialFrameBytes})

${SECURITY_HELP}
  Logs go to stderr: readable lines on a terminal, JSON lines otherwise. At info
  (the default) there is one line per connection, per login and per request
  (an access log: the request, its result, its milliseconds and, for a
  transfer of any size, the bytes moved and MB/s); limits, refusals and
  stalled transfers are warnings. --log-level warn keeps only those.

  Exit status: 0 after a clean stop; 2 for a bad argument (reported in one line,
  before anything is read, generated or opened); 1 when the server cannot start.
`;

export const ferrydFlags = {
  root: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'number', default: DEFAULT_PORT },
  readOnly: { type: 'boolean', default: false },
  logLevel: { type: 'string', default: 'info' },
  drain: { type: 'number', default: 0 },
  grace: { type: 'number', default: 10 },
  maxConnections: { type: 'number' },
  maxPerAddress: { type: 'number' },
  handshakeTimeout: { type: 'number' },
  idleTimeout: { type: 'number' },
  stallTimeout: { type: 'number' },
  maxFrame: { type: 'number' },
  maxInFlight: { type: 'number' },
  maxReplyBacklog: { type: 'number' },
  maxPartialFrames: { type: 'number' },
  ...SECURITY_FLAGS,
} as const;

export function parseFerrydArgs(argv: string[]) {
  return meow(HELP, { importMeta: import.meta, argv, flags: ferrydFlags, allowUnknownFlags: false });
}

export type FerrydCli = ReturnType<typeof parseFerrydArgs>;

/**
 * Checks every argument before ferryd does anything (reads the users file,
 * generates a certificate, listens): a typo costs one clear line and exit 2,
 * never a half-started server or a certificate made for nothing. Returns the
 * root (as given) and the log level; throws UsageError.
 */
export async function checkFerrydFlags(flags: FerrydCli['flags']): Promise<{ root: string; logLevel: LogThreshold }> {
  if (!Number.isSafeInteger(flags.port) || flags.port < 0 || flags.port > 65_535) {
    throw new UsageError('--port must be a whole number from 0 to 65535 (0 picks a free port)');
  }
  if (flags.host.trim() === '') throw new UsageError('--host needs an address');
  if (!isLogLevel(flags.logLevel)) {
    throw new UsageError(`unknown --log-level ${JSON.stringify(flags.logLevel)}: use error, warn, info or debug`);
  }
  if (!(flags.grace >= 0) || !Number.isFinite(flags.grace)) throw new UsageError('--grace must be a number of seconds, 0 or more');
  if (!(flags.drain >= 0) || !Number.isFinite(flags.drain)) throw new UsageError('--drain must be a number of seconds, 0 or more');
  checkSecurityFlags(flags as SecurityFlags);
  const root = flags.root;
  if (root === undefined || root === '') throw new UsageError('--root DIR is required');
  const stats = await fs.stat(root).catch(() => undefined);
  if (!stats) throw new UsageError(`--root ${root}: no such folder`, 'NOT_FOUND');
  if (!stats.isDirectory()) throw new UsageError(`--root ${root}: not a folder`, 'NOT_A_DIRECTORY');
  return { root, logLevel: flags.logLevel };
}

/** Formats host:port for the listening line, with brackets for IPv6. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Runs ferryd until a signal stops it. `extend` lets other modules add to the
 * server options (authentication, TLS) before the server starts.
 */
export async function runFerryd(
  argv: string[],
  extend?: (options: ServerOptions, cli: FerrydCli, logger: Logger) => Promise<ServerOptions> | ServerOptions,
): Promise<number> {
  const cli = parseFerrydArgs(argv);
  const { flags } = cli;
  if (cli.input[0] === 'user') {
    const usersFile = flags.users ?? usersFilePath(flags.configDir ?? defaultConfigDir());
    return runUserCommand(cli.input.slice(1), { usersFile, root: flags.root, readOnly: flags.readOnly, replace: flags.replace }, {
      stdin: process.stdin, prompt: process.stderr, env: process.env, stdout: process.stdout, stderr: process.stderr,
    });
  }
  let root: string;
  let logLevel: LogThreshold;
  try {
    ({ root, logLevel } = await checkFerrydFlags(flags));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`ferryd: ${error.toString()} (see ferryd --help)\n`);
    return 2;
  }
  const logger = createLogger({ level: logLevel });
  let server: FerryServer;
  let fingerprint: string | undefined;
  let stopWatchingUsers = (): void => undefined;
  try {
    // Resolved once: the address that decides the exposure rules is the one bound.
    const address = await resolveHost(flags.host).catch((error: unknown) => {
      throw new Error(`cannot resolve --host ${flags.host}: ${error instanceof Error ? error.message : String(error)}`);
    });
    let options: ServerOptions = { root, host: address, port: flags.port, readOnly: flags.readOnly, logger };
    const security = await resolveServerSecurity(flags as SecurityFlags, {
      host: address, hostName: flags.host, root, readOnly: flags.readOnly, log: logger,
    });
    for (const line of security.startupWarnings) logger.warn(line);
    for (const line of security.startupLines) logger.info(line);
    fingerprint = security.fingerprint;
    options = {
      ...options, authenticate: security.authenticate, tempRoots: security.userRoots, allowPlain: security.allowPlain,
      limits: security.limits, proxyProtocolFrom: security.proxyProtocolFrom, ...(security.tls ? { tls: security.tls } : {}),
    };
    if (extend) options = await extend(options, cli, logger);
    server = await startServer(options);
    const running = server;
    // A user removed or made read-only loses those rights in open sessions too, not only at the next login.
    stopWatchingUsers = security.watchUsers((users) => running.reviewSessions((account) => reviewAccount(account, users)));
  } catch (error) {
    const message = isFerryError(error) ? error.toString() : error instanceof Error ? error.message : String(error);
    process.stderr.write(`ferryd: ${message}\n`);
    return 1;
  }
  process.stdout.write(`ferryd listening on ${formatAddress(server.host, server.port)}\n`);
  if (fingerprint !== undefined) process.stdout.write(`ferryd TLS certificate SHA-256 ${fingerprint}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        logger.warn('second signal: exiting now', { signal });
        process.exit(1);
      }
      stopping = true;
      stopWatchingUsers();
      logger.info('stopping', { signal, drainSeconds: flags.drain, graceSeconds: flags.grace });
      server.drain();
      // The drain is a plain wait: the balancer needs that long (its check interval times `fall`) to stop
      // sending new sessions here, however many sessions are open now.
      void sleep(flags.drain * 1000)
        .then(() => server.close(flags.grace * 1000))
        .then(() => resolve(0), (error: unknown) => {
          logger.error('error while stopping', { error: error instanceof Error ? error.message : String(error) });
          resolve(1);
        });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
