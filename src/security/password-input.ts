/**
 * Getting a new password for `ferryd user add` without it showing up where it
 * should not: from FERRY_PASSWORD when set (scripts), from a prompt without
 * echo when stdin is a terminal, otherwise from the first line of stdin
 * (`printf '%s\n' "$pw" | ferryd user add ...`). Never from a command-line
 * argument, which other users can see in the process list.
 */
import type { ReadStream } from 'node:tty';

export interface PasswordInputIo {
  stdin: NodeJS.ReadableStream & Partial<Pick<ReadStream, 'isTTY' | 'setRawMode'>>;
  /** Where the prompt goes (stderr, so stdout stays clean). */
  prompt: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Longest line read from a pipe; a password is far shorter. */
const MAX_PIPED_BYTES = 4096;

export async function readNewPassword(io: PasswordInputIo): Promise<string> {
  const fromEnv = io.env.FERRY_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function') {
    const first = await promptHidden(io, 'Password: ');
    const second = await promptHidden(io, 'Repeat the password: ');
    if (first !== second) throw new Error('the two passwords differ');
    return first;
  }
  return readFirstLine(io.stdin);
}

/** Reads one line from a terminal in raw mode, echoing nothing. Ctrl-C / Ctrl-D abort. */
export function promptHidden(io: PasswordInputIo, question: string): Promise<string> {
  const stdin = io.stdin;
  // Echo off before the question shows: a password typed the moment it appears is not echoed either.
  stdin.setRawMode?.(true);
  io.prompt.write(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.prompt.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    stdin.resume();
    stdin.on('data', onData);
  });
}

async function readFirstLine(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += chunk.toString();
    if (text.includes('\n') || text.length > MAX_PIPED_BYTES) break;
  }
  const line = text.split('\n')[0] ?? '';
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
