/**
 * The `ferryd` command line: parses flags, starts the server, prints the
 * address it listens on, and shuts down gracefully on SIGINT/SIGTERM
 * (running transfers get `--grace` seconds; a second signal exits at once).
 */
import meow from 'meow';
import { createLogger, isLogLevel, type Logger } from '../server/log.js';
import { DEFAULT_LIMITS, DEFAULT_PORT, startServer, type FerryServer, type ServerLimits, type ServerOptions } from '../server/server.js';
import { isFerryError } from '../protocol/errors.js';
import { SECURITY_FLAGS, SECURITY_HELP, resolveServerSecurity, type SecurityFlags } from '../security/ferryd-options.js';
import { defaultConfigDir } from '../security/config-dir.js';
import { runUserCommand } from '../security/user-command.js';
import { usersFilePath } from '../security/users.js';

const HELP = `
  Usage
    $ ferryd --root DIR [options]

  Options
    --root DIR                 folder to serve (required)
    --host H                   address to listen on (default 127.0.0.1)
    --port P                   port (default ${DEFAULT_PORT}; 0 picks a free one)
    --read-only                refuse every change
    --log-level L              error, warn, info (default) or debug
    --grace S                  seconds running transfers get on SIGINT/SIGTERM (default 10)
    --max-connections N        connections in total (default ${DEFAULT_LIMITS.maxConnections})
    --max-per-address N        connections from one address (default ${DEFAULT_LIMITS.maxConnectionsPerAddress})
    --handshake-timeout S      seconds to complete the handshake (default ${DEFAULT_LIMITS.handshakeTimeoutMs / 1000})
    --idle-timeout S           seconds of silence before an idle session closes (default ${DEFAULT_LIMITS.idleTimeoutMs / 1000})
    --max-frame BYTES          largest frame offered (default ${DEFAULT_LIMITS.maxFrame})
    --max-in-flight N          requests in flight per session (default ${DEFAULT_LIMITS.maxInFlight})

${SECURITY_HELP}
  Logs go to stderr: readable lines on a terminal, JSON lines otherwise.
`;

export const ferrydFlags = {
  root: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'number', default: DEFAULT_PORT },
  readOnly: { type: 'boolean', default: false },
  logLevel: { type: 'string', default: 'info' },
  grace: { type: 'number', default: 10 },
  maxConnections: { type: 'number' },
  maxPerAddress: { type: 'number' },
  handshakeTimeout: { type: 'number' },
  idleTimeout: { type: 'number' },
  maxFrame: { type: 'number' },
  maxInFlight: { type: 'number' },
  ...SECURITY_FLAGS,
} as const;

export function parseFerrydArgs(argv: string[]) {
  return meow(HELP, { importMeta: import.meta, argv, flags: ferrydFlags, allowUnknownFlags: false });
}

export type FerrydCli = ReturnType<typeof parseFerrydArgs>;

/** The limits given on the command line (seconds converted to milliseconds). */
export function limitsFromFlags(flags: FerrydCli['flags']): Partial<ServerLimits> {
  const limits: Partial<ServerLimits> = {};
  if (flags.maxConnections !== undefined) limits.maxConnections = flags.maxConnections;
  if (flags.maxPerAddress !== undefined) limits.maxConnectionsPerAddress = flags.maxPerAddress;
  if (flags.handshakeTimeout !== undefined) limits.handshakeTimeoutMs = flags.handshakeTimeout * 1000;
  if (flags.idleTimeout !== undefined) limits.idleTimeoutMs = flags.idleTimeout * 1000;
  if (flags.maxFrame !== undefined) limits.maxFrame = flags.maxFrame;
  if (flags.maxInFlight !== undefined) limits.maxInFlight = flags.maxInFlight;
  return limits;
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
  if (!flags.root) {
    process.stderr.write('ferryd: --root DIR is required (see ferryd --help)\n');
    return 2;
  }
  if (!isLogLevel(flags.logLevel)) {
    process.stderr.write(`ferryd: unknown log level ${JSON.stringify(flags.logLevel)}\n`);
    return 2;
  }
  const logger = createLogger({ level: flags.logLevel });
  let server: FerryServer;
  let fingerprint: string | undefined;
  try {
    let options: ServerOptions = {
      root: flags.root, host: flags.host, port: flags.port, readOnly: flags.readOnly, logger,
      limits: limitsFromFlags(flags),
    };
    const security = await resolveServerSecurity(flags as SecurityFlags, { host: flags.host, root: flags.root, readOnly: flags.readOnly, log: logger });
    for (const line of security.startupLines) logger.info(line);
    fingerprint = security.fingerprint;
    options = {
      ...options, authenticate: security.authenticate, allowPlain: security.allowPlain,
      limits: { ...options.limits, ...security.limits }, ...(security.tls ? { tls: security.tls } : {}),
    };
    if (extend) options = await extend(options, cli, logger);
    server = await startServer(options);
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
      logger.info('stopping', { signal, graceSeconds: flags.grace });
      void server.close(flags.grace * 1000).then(() => resolve(0), (error: unknown) => {
        logger.error('error while stopping', { error: error instanceof Error ? error.message : String(error) });
        resolve(1);
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
