/**
 * Component and App tests under ink-testing-library: render, press keys, and
 * wait for the frame to show what is expected (never a fixed wait for a result).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../src/tui/components/App.js';
import { openRemote } from '../../src/remote/open-remote.js';
import type { ConnectFunction, ConnectParams } from '../../src/tui/connect-params.js';
import type { TuiConfig } from '../../src/tui/config/config-file.js';

/** Escape sequences of the keys the tests press. */
export const KEYS = {
  up: '\x1b[A', down: '\x1b[B', left: '\x1b[D', right: '\x1b[C', enter: '\r', backspace: '\x7f', escape: '\x1b',
  f1: '\x1bOP', f5: '\x1b[15~', f6: '\x1b[17~', f7: '\x1b[18~', f8: '\x1b[19~', f10: '\x1b[21~', tab: '\t', pageDown: '\x1b[6~',
  ctrlC: '\x03', ctrlD: '\x04', ctrlU: '\x15',
} as const;

/** Lets effects of the last render run (a component subscribes to keys in an effect). */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** Polls the last frame until `predicate` holds; fails with the frame after `timeoutMs`. */
export async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = lastFrame() ?? '';
    if (predicate(frame)) return frame;
    if (Date.now() > deadline) assert.fail(`frame did not match in ${timeoutMs} ms:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until `check` holds (the disk, a counter), polling; fails with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The home and config folders the App's sessions see in tests (known hosts, ~/.ssh): private to this test
 * process and removed at its end, never the user's.
 */
const testHome = mkdtempSync(path.join(os.tmpdir(), 'ferry-tui-home-'));
process.once('exit', () => rmSync(testHome, { recursive: true, force: true }));
export const testEnv: NodeJS.ProcessEnv = { ...process.env, HOME: testHome, XDG_CONFIG_HOME: path.join(testHome, '.config') };

/** openRemote as the UI uses it, on the test's own home folder. */
export const realConnect: ConnectFunction = (url, options) => openRemote(url, { ...options, env: testEnv });

export interface AppUnderTest extends ReturnType<typeof render> {
  /** How often the App called onQuit. */
  quitCalls(): number;
}

/** The whole App on real folders: `initial` connects at start, `prefill` fills the connect dialog. */
export function renderApp(
  dir: string,
  options: {
    prefill?: ConnectParams; initial?: ConnectParams; connect?: ConnectFunction; shutdown?: AbortSignal; config?: TuiConfig;
    /** The connect dialog's saved connections and ~/.ssh/config (none when not given). */
    savedConnectionsFile?: string; sshConfigFile?: string;
    /** Where unfinished transfers are kept across runs (not kept when not given). */
    savedQueueFile?: string;
  } = {},
): AppUnderTest {
  let quitCalls = 0;
  const view = render(
    <App
      localPath={dir}
      prefill={options.prefill}
      initial={options.initial}
      connect={options.connect ?? realConnect}
      savedConnectionsFile={options.savedConnectionsFile}
      sshConfigFile={options.sshConfigFile}
      savedQueueFile={options.savedQueueFile}
      onQuit={() => (quitCalls += 1)}
      shutdown={options.shutdown}
      config={options.config}
    />,
  );
  return { ...view, quitCalls: () => quitCalls };
}

/** Plain-TCP connect parameters for a test server on loopback. */
export function loopback(port: number, extra: Partial<ConnectParams> = {}): ConnectParams {
  return { host: '127.0.0.1', port, user: '', password: '', path: '/', tls: 'off', ...extra };
}

/** Connects the left pane (Alt-O) to the ferryd on loopback `port` and waits for its listing to show `name`. */
export async function connectLeftPane(app: AppUnderTest, port: number, name: string): Promise<void> {
  app.stdin.write('\x1bo');
  await waitForFrame(app.lastFrame, (f) => f.includes('Connect the left pane'));
  app.stdin.write(KEYS.down);
  app.stdin.write(KEYS.ctrlU);
  app.stdin.write(String(port));
  await waitForFrame(app.lastFrame, (f) => new RegExp(`Port\\s+${port}`).test(f));
  app.stdin.write(KEYS.enter);
  await waitForFrame(app.lastFrame, (f) => f.includes(name) && f.includes(`ferry://127.0.0.1:${port}/`));
}
