/**
 * Lends the terminal to another program (F4's editor) and takes it back:
 * the alternate screen is left and the cursor shown, raw mode goes off, the
 * program runs, then raw mode, the alternate screen and the whole frame come
 * back. The program runs synchronously: while it runs the UI's event loop
 * stands still, so Ink neither draws nor reads a key the program was meant to
 * get (a Node stream that merely has no listener keeps reading the terminal).
 */
import { spawnSync } from 'node:child_process';
import { useCallback } from 'react';
import { useStdin, useStdout } from 'ink';

const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';
const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[2J\x1b[H\x1b[?25l';

/** How a lent program ended: its exit status, or why it could not run. */
export type HandoffResult = { status: number | null } | { error: Error };

/** Runs `command` (a shell command line, as $EDITOR is written) with `args` appended, in the terminal. */
export type RunInTerminal = (command: string, args: readonly string[]) => HandoffResult;

export function useTerminalHandoff(): RunInTerminal {
  const { stdin } = useStdin();
  const { stdout, write } = useStdout();
  return useCallback((command, args) => {
    const raw = stdin.isTTY === true && stdin.isRaw === true;
    stdout.write(LEAVE_ALTERNATE_SCREEN);
    if (raw) stdin.setRawMode(false);
    try {
      // As git runs $EDITOR: through the shell, so `code --wait` or `vim -u NONE` work, the file as "$@".
      const result = spawnSync('/bin/sh', ['-c', `${command} "$@"`, command, ...args], { stdio: 'inherit' });
      return result.error ? { error: result.error } : { status: result.status };
    } finally {
      if (raw) stdin.setRawMode(true);
      stdout.write(ENTER_ALTERNATE_SCREEN);
      // Ink's own write clears what it believes is on screen and draws its last frame again, whole.
      write('');
    }
  }, [stdin, stdout, write]);
}

/** The editor a user asked for: $VISUAL, then $EDITOR, then vi. */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
}
