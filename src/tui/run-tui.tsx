/**
 * Entry of the terminal UI: `runTui` sets up the terminal (alternate screen,
 * raw keys), renders the App, and restores the terminal on every way out —
 * quit key, Ctrl-C, SIGTERM/SIGHUP/SIGINT, or an unexpected error (reported
 * as one line, never a stack trace). Signals and errors quit through the
 * App's own quit (transfers cancelled, QUIT sent), with a forced exit after
 * FORCE_EXIT_MS as a backstop; the exit code is then 128 + the signal's
 * number, or 1 for an error.
 */
import os from 'node:os';
import { render } from 'ink';
import { App } from './components/App.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { describeError } from './describe-error.js';
import type { ConnectFunction, ConnectParams, StartedDemo } from './connect-params.js';
import { loadTrustStore, type TrustStore } from './trust.js';
import { loadClientModule, loadUrlParser } from './load-client.js';
import { loadTuiConfig } from './config/apply-config.js';
import { defaultConfigFile } from './config/config-file.js';
import { defaultSavedQueueFile } from './transfers/saved-queue.js';

export interface TuiOptions {
  /** `ferry://[user[:password]@]host[:port]/path`: connect at start. */
  url?: string | undefined;
  /** Password for a URL that names a user but no password (FERRY_PASSWORD, or the kept password of `ferry @NAME`'s bookmark). */
  password?: string | undefined;
  /** SSH private key file for an sftp:// `url` (`ferry -i FILE URL`, or `ferry @NAME`'s bookmark). */
  identityFile?: string | undefined;
  /**
   * `ferry --demo`: starts a demo server (src/cli/demo.ts) once the UI has a
   * terminal; the UI connects to it and calls its `close` at the end.
   */
  demo?: (() => Promise<StartedDemo>) | undefined;
  /** Folder of the local pane (default: the current folder). */
  localPath?: string | undefined;
  /** Opens sessions (default: FerryClient.connect). */
  connect?: ConnectFunction | undefined;
  /** Known TLS servers (default: the user's known-hosts file). */
  trustStore?: TrustStore | undefined;
  /** Where unfinished transfers are kept across restarts (default: transfers.json in the XDG state folder). */
  savedQueueFile?: string | undefined;
  /** The UI's config file (default: config.json in Ferry's config folder). */
  configFile?: string | undefined;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H';
/** How long a signal or fatal error waits for the clean quit (QUIT gets 500 ms of it) before the process is ended. */
const FORCE_EXIT_MS = 2000;
const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';

/** Parses a `ferry://` URL into what the App connects with. */
export async function paramsFromUrl(url: string): Promise<ConnectParams> {
  const parseFerryUrl = await loadUrlParser();
  const parsed = parseFerryUrl(url);
  return {
    host: parsed.host,
    port: parsed.port,
    user: parsed.user ?? '',
    password: parsed.password ?? '',
    path: parsed.path || '/',
    tls: parsed.scheme === 'ferrys' ? 'require' : 'auto',
  };
}

/** Runs the TUI until the user quits; resolves with the process exit code. */
export async function runTui(options: TuiOptions = {}): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (!stdin.isTTY || !stdout.isTTY) {
    stderr.write('ferry: the interactive UI needs a terminal; for scripts use `ferry ls|get|put|rm|mkdir|mv URL`\n');
    return 2;
  }

  let initial: ConnectParams | undefined;
  /** A URL with a user but no password: the dialog opens on the password field. */
  let prefill: ConnectParams | undefined;
  let localPath = options.localPath ?? process.cwd();
  let cleanupDemo: (() => Promise<void>) | undefined;
  try {
    if (options.demo) {
      const demo = await options.demo();
      initial = demo.initial;
      localPath = demo.localPath;
      cleanupDemo = demo.close;
    } else if (options.url) {
      initial = await paramsFromUrl(options.url);
      if (initial.user && !initial.password) {
        if (options.password) initial.password = options.password;
        else [prefill, initial] = [initial, undefined];
      }
    }
  } catch (error) {
    stderr.write(`ferry: ${describeError(error)}\n`);
    await cleanupDemo?.();
    return 2;
  }

  // The client library loads on first use, after the first frame is on
  // screen: the UI draws at once (panes say "connecting…") and connects after.
  const connect: ConnectFunction = options.connect ?? (async (connectOptions) => (await loadClientModule()).connect(connectOptions));
  const trustStore = options.trustStore ?? (await loadTrustStore());
  const { config, problems: configProblems } = await loadTuiConfig(options.configFile ?? defaultConfigFile());

  let exitCode = 0;
  let fatal: string | undefined;
  let restored = false;
  const restoreTerminal = (): void => {
    if (restored) return;
    restored = true;
    stdout.write(LEAVE_ALTERNATE_SCREEN);
    if (stdin.isTTY) stdin.setRawMode(false);
  };

  stdout.write(ENTER_ALTERNATE_SCREEN);
  // Ending from outside: the App quits the way the quit key does (QUIT to the
  // server, terminal restored); if that does not finish in time the process
  // is ended anyway, so a signal never leaves it hanging.
  const shutdown = new AbortController();
  let forceExit: NodeJS.Timeout | undefined;
  const endFromOutside = (code: number): void => {
    if (exitCode === 0) exitCode = code;
    shutdown.abort();
    forceExit ??= setTimeout(() => {
      restoreTerminal();
      if (fatal) stderr.write(`ferry: ${fatal}\n`);
      process.exit(exitCode);
    }, FORCE_EXIT_MS);
    // Only a backstop: a clean quit lets the process end before it fires.
    forceExit.unref();
  };
  const onSignal = (signal: NodeJS.Signals): void => endFromOutside(128 + (os.constants.signals[signal] ?? 0));
  const onUnexpected = (error: unknown): void => {
    fatal ??= describeError(error);
    endFromOutside(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', onUnexpected);
  process.on('unhandledRejection', onUnexpected);

  let unmount: () => void = () => undefined;
  const instance = render(
    <ErrorBoundary
      onFatal={(message) => {
        // The App is gone already (its unmount closed the session): nothing is left to quit politely.
        onUnexpected(new Error(message));
        unmount();
      }}
    >
      <App
        localPath={localPath}
        initial={initial}
        prefill={prefill}
        connect={connect}
        trustStore={trustStore}
        onQuit={() => unmount()}
        shutdown={shutdown.signal}
        config={config}
        configProblems={configProblems}
        savedQueueFile={options.savedQueueFile ?? defaultSavedQueueFile()}
      />
    </ErrorBoundary>,
    {
      stdin,
      stdout,
      stderr,
      exitOnCtrlC: false,
      patchConsole: true,
      // A key press is drawn without waiting for Ink's default 30 fps
      // throttle (key → frame latency). Ink's incrementalRendering is left
      // off: it left stale lines on screen in this layout.
      maxFps: 120,
    },
  );
  unmount = () => instance.unmount();
  try {
    await instance.waitUntilExit();
  } catch (error) {
    fatal ??= describeError(error);
    exitCode = 1;
  } finally {
    restoreTerminal();
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('SIGINT', onSignal);
    process.off('uncaughtException', onUnexpected);
    process.off('unhandledRejection', onUnexpected);
    await cleanupDemo?.();
  }
  for (const problem of configProblems) stderr.write(`ferry: config: ${problem}\n`);
  if (fatal) stderr.write(`ferry: ${fatal}\n`);
  return exitCode;
}
