/**
 * The config file's problems, on the status line once the start is over (a
 * connection at start would replace them with its own messages at once).
 * All of them are written to stderr again when `ferry` ends.
 */
import { useEffect, useRef } from 'react';
import type { ConnectionStatus } from '../components/StatusLine.js';

export function useStartupProblems(problems: readonly string[], status: ConnectionStatus, fail: (text: string) => void): void {
  const shown = useRef(false);
  useEffect(() => {
    if (shown.current || problems.length === 0 || status === 'connecting') return;
    shown.current = true;
    fail(`config: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more, listed when ferry ends)` : ''}`);
  }, [problems, status, fail]);
}
