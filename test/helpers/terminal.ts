/**
 * Drives a program in a real pseudo-terminal (node-pty) and reads its screen
 * through a headless xterm, so end-to-end tests see exactly what a user sees.
 * Tests press keys and wait for the screen to change; nothing waits a fixed
 * time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pty from 'node-pty';
import xterm from '@xterm/headless';

const { Terminal } = xterm;

/** Escape sequences of the keys the tests press (xterm's defaults). */
export const Keys = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  home: '\x1b[H',
  end: '\x1b[F',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  backspace: '\x7f',
  delete: '\x1b[3~',
  insert: '\x1b[2~',
  space: ' ',
  f1: '\x1bOP',
  f5: '\x1b[15~',
  f6: '\x1b[17~',
  f7: '\x1b[18~',
  f8: '\x1b[19~',
  f10: '\x1b[21~',
  ctrl: (letter: string): string => String.fromCharCode(letter.toLowerCase().charCodeAt(0) - 96),
} as const;

export interface TerminalSession {
  /** Sends raw input (keys) to the program. */
  write(data: string): void;
  /** The visible screen, one string per row, trailing spaces trimmed. */
  screen(): string[];
  /** The visible screen as one string. */
  text(): string;
  /** Resolves with the screen once `predicate` holds; rejects with the screen after `timeoutMs`. */
  waitForFrame(predicate: (screen: string) => boolean, options?: { timeoutMs?: number; what?: string }): Promise<string>;
  /** waitForFrame for a substring or pattern. */
  waitForText(needle: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code when the program ends and its last output is on the screen; rejects after `timeoutMs` (default 20 s). */
  exited(timeoutMs?: number): Promise<number>;
  resize(columns: number, rows: number): void;
  /** Kills the program if it still runs and frees the terminal. */
  close(): void;
  /** Everything the program wrote, raw. */
  output(): string;
  /** Whether the program has the alternate screen up (full-screen UIs leave it on exit). */
  onAlternateScreen(): boolean;
  /** Whether the cursor is shown (DECTCEM, `ESC [ ? 25 h` / `l`). */
  cursorVisible(): boolean;
  /** Palette numbers of every cell background on screen (1 is red). */
  paletteBackgrounds(): Set<number>;
  /** Resolves once the emulator has drawn everything received so far. */
  flush(): Promise<void>;
  /** The process id of the program, to signal it. */
  readonly pid: number;
}

export interface SpawnOptions {
  columns?: number;
  rows?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The home folder the programs see unless a test gives its own: private to this test process, so a
 * connect's recent list, known hosts or saved queue never land in the user's own folders.
 */
const privateHome = mkdtempSync(path.join(os.tmpdir(), 'ferry-terminal-home-'));
process.once('exit', () => rmSync(privateHome, { recursive: true, force: true }));
const privateFolders = {
  HOME: privateHome,
  XDG_CONFIG_HOME: path.join(privateHome, '.config'),
  XDG_STATE_HOME: path.join(privateHome, '.local', 'state'),
};

export function spawnInTerminal(command: string, args: readonly string[], options: SpawnOptions = {}): TerminalSession {
  const columns = options.columns ?? 100;
  const rows = options.rows ?? 30;
  const term = new Terminal({ cols: columns, rows, allowProposedApi: true });
  const child = pty.spawn(command, [...args], {
    name: 'xterm-256color',
    cols: columns,
    rows,
    cwd: options.cwd ?? process.cwd(),
    // CI=true as on build machines: the UI must draw at a terminal there too (src/tui/load.ts).
    env: { ...process.env, ...privateFolders, TERM: 'xterm-256color', FORCE_COLOR: '1', CI: 'true', ...options.env } as Record<string, string>,
  });
  let raw = '';
  let exitCode: number | undefined;
  let cursorVisible = true;
  // Watch DECTCEM without changing what the emulator does with it (returning false lets it handle the sequence).
  const watchCursor = (visible: boolean) => (params: (number | number[])[]): boolean => {
    if (params.includes(25)) cursorVisible = visible;
    return false;
  };
  term.parser.registerCsiHandler({ prefix: '?', final: 'h' }, watchCursor(true));
  term.parser.registerCsiHandler({ prefix: '?', final: 'l' }, watchCursor(false));
  const exitWaiters: ((code: number) => void)[] = [];
  const changeWaiters = new Set<() => void>();
  /** Output received but not yet on the emulator's screen, and when output last came. */
  let unwritten = 0;
  let lastOutputAt = 0;
  child.onData((data) => {
    raw += data;
    unwritten++;
    lastOutputAt = performance.now();
    term.write(data, () => {
      unwritten--;
      for (const waiter of [...changeWaiters]) waiter();
    });
  });
  /**
   * Resolves once everything the program wrote is on the screen: the pty may
   * report the exit before its last output (a message printed on the way
   * out) has been read, so this waits until the output has been quiet for a
   * moment and the emulator has taken all of it.
   */
  const outputSettled = async (): Promise<void> => {
    const quietMs = 50;
    while (unwritten > 0 || performance.now() - lastOutputAt < quietMs) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  child.onExit(({ exitCode: code }) => {
    exitCode = code;
    for (const waiter of exitWaiters) waiter(code);
    for (const waiter of [...changeWaiters]) waiter();
  });

  const screen = (): string[] => {
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < term.rows; row++) {
      lines.push(buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
    }
    return lines;
  };
  const text = (): string => screen().join('\n');

  const waitForFrame: TerminalSession['waitForFrame'] = (predicate, waitOptions = {}) => {
    const timeoutMs = waitOptions.timeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const current = text();
        if (predicate(current)) {
          finish();
          resolve(current);
          return true;
        }
        if (exitCode !== undefined) {
          finish();
          reject(new Error(`program exited (${exitCode}) before ${waitOptions.what ?? 'the expected screen'}:\n${current}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${waitOptions.what ?? 'the expected screen'}; screen:\n${text()}`));
      }, timeoutMs);
      const listener = (): void => {
        check();
      };
      const finish = (): void => {
        clearTimeout(timer);
        changeWaiters.delete(listener);
      };
      changeWaiters.add(listener);
      check();
    });
  };

  return {
    write: (data) => child.write(data),
    screen,
    text,
    waitForFrame,
    waitForText: (needle, timeoutMs) =>
      waitForFrame((current) => (typeof needle === 'string' ? current.includes(needle) : needle.test(current)), {
        timeoutMs,
        what: String(needle),
      }),
    exited: async (timeoutMs = 20_000) => {
      const code = exitCode !== undefined
        ? exitCode
        : await new Promise<number>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`the program did not exit within ${timeoutMs} ms; screen:\n${text()}`)),
            timeoutMs,
          );
          exitWaiters.push((exited) => {
            clearTimeout(timer);
            resolve(exited);
          });
        });
      await outputSettled();
      return code;
    },
    resize: (newColumns, newRows) => {
      child.resize(newColumns, newRows);
      term.resize(newColumns, newRows);
    },
    close: () => {
      if (exitCode === undefined) {
        try {
          // The whole process group, as a terminal's hang-up does: a program the UI lent the terminal to
          // (F4's editor, run synchronously) would otherwise keep it waiting, and the test with it.
          process.kill(-child.pid, 'SIGHUP');
        } catch {
          try {
            child.kill();
          } catch {
            // Already gone.
          }
        }
      }
      term.dispose();
    },
    output: () => raw,
    onAlternateScreen: () => term.buffer.active.type === 'alternate',
    cursorVisible: () => cursorVisible,
    paletteBackgrounds: () => {
      const colors = new Set<number>();
      const buffer = term.buffer.active;
      for (let row = 0; row < term.rows; row++) {
        const line = buffer.getLine(buffer.viewportY + row);
        for (let column = 0; column < term.cols; column++) {
          const cell = line?.getCell(column);
          if (cell?.isBgPalette()) colors.add(cell.getBgColor());
        }
      }
      return colors;
    },
    flush: () => new Promise((resolve) => term.write('', resolve)),
    pid: child.pid,
  };
}

/**
 * Connects the left pane (Alt-O) to the ferryd on loopback `port`: the connect
 * dialog's port field is erased and typed, then Enter. The caller waits for
 * what the pane should list.
 */
export async function connectLeftPane(term: TerminalSession, port: number): Promise<void> {
  term.write('\x1bo');
  await term.waitForText('Connect the left pane');
  // Port field: down from the host, erase, type the server's.
  term.write(Keys.down);
  term.write(Keys.ctrl('u'));
  term.write(String(port));
  await term.waitForText(new RegExp(`Port\\s+${port}`));
  term.write(Keys.enter);
}

/** Quits as a user does while transfers run: F10, then "y" to the question; the exit code. */
export async function quitConfirmed(term: TerminalSession): Promise<number> {
  term.write(Keys.f10);
  await term.waitForText('Quit Ferry?');
  term.write('y');
  return term.exited();
}

/**
 * Two transfers under way, one through each pane's session: the right pane
 * (on a server listing `download`) downloads it into the local folder, then
 * the left pane is connected to the ferryd on `leftPort` (listing `copy`),
 * made active and copies `copy` to the right pane's server. Resolves once
 * both rows show progress. Needs a rate limit slow enough for both to run.
 */
export async function downloadRightAndCopyLeft(term: TerminalSession, leftPort: number, download: string, copy: string): Promise<void> {
  await term.waitForText(download);
  term.write('d');
  await term.waitForText(new RegExp(`↓${escapeRegExp(download)}.*\\b[1-9]\\d*%`));
  await connectLeftPane(term, leftPort);
  await term.waitForText(copy);
  term.write(Keys.tab);
  await term.waitForText(new RegExp(`connected 127\\.0\\.0\\.1:${leftPort}`));
  term.write(Keys.f5);
  await term.waitForText(`Copy ${copy}`);
  term.write(Keys.enter);
  await term.waitForText(new RegExp(`⇄\\s*${escapeRegExp(copy)}.*\\b[1-9]\\d*%`));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
