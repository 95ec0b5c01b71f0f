/**
 * Reconnecting by itself after a dropped connection: a bounded number of
 * tries (the config's `reconnectTries`), waiting 1 s, 2 s, 4 s … (at most
 * 30 s) before each, so a server that restarts is found again and one that
 * is gone is not hammered. On success what the drop cut off resumes
 * (use-connection's onConnected, as after ^O or the connect dialog). The
 * pane of the session shows the wait; the status line keeps the reason of
 * the drop. It stands aside as soon as the user acts: ^O connects at once, a
 * disconnect or another server ends the waiting.
 *
 * One series per session: use-connection runs it for whichever pane the
 * session belongs to (the right pane's, and the left pane's from Alt-O), so
 * both sides reconnect alike.
 */
import { useEffect, useRef, useState } from 'react';
import { formatAddress, type ConnectParams } from '../connect-params.js';
import { paneName, type PaneSide } from '../fs/pane-fs.js';
import type { Connection } from './use-connection.js';

export const FIRST_RETRY_DELAY_MS = 1000;
export const MAX_RETRY_DELAY_MS = 30_000;

/** The wait before try `attempt` (1-based). */
export function retryDelayMs(attempt: number, firstDelayMs = FIRST_RETRY_DELAY_MS): number {
  return Math.min(MAX_RETRY_DELAY_MS, firstDelayMs * 2 ** (attempt - 1));
}

export interface AutoReconnectOptions {
  connection: Connection;
  /** The pane whose session this is: the messages name it. */
  side: PaneSide;
  /** Tries before giving up; 0: never by itself. */
  tries: number;
  /** One quiet attempt (use-connection's open with `retrying`); resolves whether it connected. */
  reconnect: (params: ConnectParams) => Promise<boolean>;
  fail: (text: string) => void;
  firstDelayMs?: number;
}

/** The try being waited for, shown in the session's pane. */
export interface ReconnectWait {
  attempt: number;
  tries: number;
  seconds: number;
}

export function useAutoReconnect(options: AutoReconnectOptions): ReconnectWait | undefined {
  const [waiting, setWaiting] = useState<ReconnectWait | undefined>(undefined);
  const latest = useRef(options);
  latest.current = options;
  /** The running series of tries, if any, and whether one of its attempts is in flight. */
  const series = useRef<{ abort: AbortController; attempting: boolean } | undefined>(undefined);
  const { status, params } = options.connection;

  useEffect(() => {
    const running = series.current;
    if (running) {
      // The user connected (^O, the dialog) or disconnected meanwhile: the series ends.
      const ours = running.attempting && (status === 'connecting' || status === 'connected');
      if (status !== 'lost' && !ours) {
        running.abort.abort();
        series.current = undefined;
      }
      return;
    }
    if (status !== 'lost' || !params || latest.current.tries <= 0) return;
    const current = { abort: new AbortController(), attempting: false };
    series.current = current;
    void runSeries(params, current, latest, setWaiting).finally(() => {
      if (series.current === current) series.current = undefined;
      setWaiting(undefined);
    });
  }, [status, params]);

  useEffect(() => () => series.current?.abort.abort(), []);
  return waiting;
}

async function runSeries(
  params: ConnectParams,
  series: { abort: AbortController; attempting: boolean },
  latest: { readonly current: AutoReconnectOptions },
  setWaiting: (wait: ReconnectWait | undefined) => void,
): Promise<void> {
  const { signal } = series.abort;
  const { tries } = latest.current;
  for (let attempt = 1; attempt <= tries; attempt++) {
    const delay = retryDelayMs(attempt, latest.current.firstDelayMs);
    setWaiting({ attempt, tries, seconds: Math.round(delay / 1000) });
    if (!(await sleep(delay, signal))) return;
    setWaiting(undefined);
    series.attempting = true;
    const connected = await latest.current.reconnect(params);
    series.attempting = false;
    if (signal.aborted) return;
    if (connected) return;
  }
  const { side, fail } = latest.current;
  fail(`${paneName(side)}: could not reconnect to ${formatAddress(params)} after ${tries === 1 ? '1 try' : `${tries} tries`} — ^O in it tries again`);
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
