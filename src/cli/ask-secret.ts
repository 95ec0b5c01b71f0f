/**
 * The commands' `askSecret` (openRemote): a password, a key's passphrase or
 * an SSH server's keyboard-interactive question, typed at the terminal
 * without echo. Only when stdin and stderr are a terminal: scripts are never
 * asked (their password comes from the URL, a bookmark or FERRY_PASSWORD).
 */
import type { ReadStream } from 'node:tty';
import { promptHidden } from '../security/password-input.js';
import { escapeControlCharacters } from '../terminal/control-characters.js';

export interface SecretPromptIo {
  stdin: NodeJS.ReadableStream & Partial<Pick<ReadStream, 'isTTY' | 'setRawMode'>>;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** The asker, or undefined when there is no terminal to ask at. Ctrl-C or Ctrl-D at the prompt resolves undefined (cancelled). */
export function terminalSecretAsker(io: SecretPromptIo): ((prompt: string) => Promise<string | undefined>) | undefined {
  if (io.stdin.isTTY !== true || typeof io.stdin.setRawMode !== 'function' || io.stderr.isTTY !== true) return undefined;
  return async (prompt) => {
    try {
      // A keyboard-interactive prompt is the server's text: shown, never acted on.
      return await promptHidden({ stdin: io.stdin, prompt: io.stderr, env: {} }, escapeControlCharacters(prompt));
    } catch {
      return undefined;
    }
  };
}
