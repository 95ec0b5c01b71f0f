/**
 * Keeps an idle session open (docs/PROTOCOL.md §4, capability `keepalive`):
 * a server closes a session whose client has sent nothing for its idle
 * timeout, so once per interval in which the client sent nothing and has no
 * request open, one PING goes out. Traffic of any kind counts: a busy session
 * never pings.
 */
import type { Connection } from './connection.js';

/**
 * Starts pinging through `ping` (which sends PING and resolves or rejects
 * with its answer); stops when the connection closes, or when the returned
 * function is called.
 */
export function keepSessionAlive(connection: Connection, intervalMs: number, ping: () => Promise<void>): () => void {
  let pinging = false;
  const timer = setInterval(() => {
    // A request in flight holds the session open by itself (the server never idles one out).
    if (connection.sentSinceLastCheck() || pinging || connection.openRequests > 0) return;
    pinging = true;
    ping().then(
      () => {
        pinging = false;
      },
      // A lost connection is reported through the connection itself; nothing to add here.
      () => {
        pinging = false;
      },
    );
  }, intervalMs);
  // The keep-alive alone must not keep a process running.
  timer.unref();
  const stop = (): void => clearInterval(timer);
  connection.onClose(stop);
  return stop;
}
