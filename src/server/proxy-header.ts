/**
 * Reads the PROXY protocol header (src/server/proxy-protocol.ts) off a fresh
 * connection from a trusted proxy: no more bytes than the longest header,
 * no longer than `timeoutMs`. What follows the header is put back on the
 * socket, paused, for whoever reads it next (the TLS sniff or the session).
 */
import type net from 'node:net';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { parseProxyHeader, V2_MAX_LENGTH, type ProxySource } from './proxy-protocol.js';

/**
 * Resolves with the client the header names (undefined when the proxy speaks
 * for itself: a health check), rejects with FerryError BAD_FRAME for a
 * missing or malformed header, TIMEOUT when it does not arrive in time, and
 * CONNECTION_LOST when the peer closes first.
 */
export function readProxyHeader(socket: net.Socket, timeoutMs: number): Promise<ProxySource | undefined> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const finish = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const fail = (error: FerryError): void => {
      finish();
      socket.pause();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      let parsed;
      try {
        parsed = parseProxyHeader(received);
      } catch (error) {
        fail(error instanceof FerryError ? error : new FerryError(ErrorCode.BAD_FRAME, String(error)));
        return;
      }
      if (parsed.state === 'incomplete') {
        // The parser rejects a v1 header past 107 bytes; a v2 header cannot announce more than this.
        if (received.length > V2_MAX_LENGTH) fail(new FerryError(ErrorCode.BAD_FRAME, 'PROXY header too long'));
        return;
      }
      finish();
      socket.pause();
      if (received.length > parsed.length) socket.unshift(received.subarray(parsed.length));
      resolve(parsed.source);
    };
    const onClose = (): void => fail(new FerryError(ErrorCode.CONNECTION_LOST, 'closed before its PROXY header'));
    const timer = setTimeout(() => fail(new FerryError(ErrorCode.TIMEOUT, `no PROXY header within ${timeoutMs} ms`)), Math.max(0, timeoutMs));
    timer.unref();
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}
