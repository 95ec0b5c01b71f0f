/**
 * Opens the TCP or TLS socket of a session. TLS servers are trusted by the
 * SHA-256 fingerprint of their certificate (trust on first use, like SSH),
 * not by a certificate authority: the socket is opened without CA checks and
 * the fingerprint goes to the caller's `verifyFingerprint` before a single
 * Ferry byte (and so before any password) is sent.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import type tlsModule from 'node:tls';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { isLoopbackAddress, unbracketHost } from '../net/host.js';

/**
 * node:tls is loaded on the first TLS session, not with this module: every
 * `ferry` command imports it, and a loopback session (or `ferry --version`)
 * would otherwise compile Node's TLS modules at start-up for nothing
 * (docs/PERFORMANCE.md, start-up of the commands).
 */
const requireBuiltin = createRequire(import.meta.url);
let tlsLoaded: typeof tlsModule | undefined;
function tls(): typeof tlsModule {
  tlsLoaded ??= requireBuiltin('node:tls') as typeof tlsModule;
  return tlsLoaded;
}

export type TlsMode = 'auto' | 'require' | 'off';

export interface OpenSocketOptions {
  host: string;
  port: number;
  tls: TlsMode;
  /** `signal` is aborted if the attempt ends (timeout, error, cancel) before the answer: stop asking then. */
  verifyFingerprint?: (fingerprint: string, host: string, port: number, signal?: AbortSignal) => Promise<boolean>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** How `host` becomes addresses (default: the system resolver); net.connect's option. */
  lookup?: net.LookupFunction;
}

export interface OpenedSocket {
  socket: net.Socket;
  tls: boolean;
  fingerprint?: string;
}

/**
 * Whether a session to `address` (the IP address the socket connects to, not
 * a name: `evil.localhost` may resolve to anything) in `mode` runs over TLS.
 */
export function usesTls(mode: TlsMode, address: string): boolean {
  if (mode === 'require') return true;
  if (mode === 'off') return false;
  return !isLoopbackAddress(address);
}

/**
 * Connects over TCP first, then decides by the address actually connected to
 * (`socket.remoteAddress`, not the name: `evil.localhost` may resolve to
 * 0.0.0.0) whether the session stays plain or starts TLS on that same socket,
 * so the address that decides whether a password may cross in clear is the
 * one that will receive it.
 */
export function openSocket(options: OpenSocketOptions): Promise<OpenedSocket> {
  const host = unbracketHost(options.host);
  return new Promise<OpenedSocket>((resolve, reject) => {
    let settled = false;
    // Ends a pending fingerprint question (say, a terminal prompt) once the attempt is over either way,
    // so a question nobody needs any more cannot keep the process alive.
    const verification = new AbortController();
    const raw = net.connect({ host, port: options.port, ...(options.lookup ? { lookup: options.lookup } : {}) });
    let socket: net.Socket = raw;

    const timer = setTimeout(() => {
      fail(new FerryError(ErrorCode.TIMEOUT, `no connection to ${describe(host, options.port)} within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const onAbort = (): void => fail(new FerryError(ErrorCode.CANCELLED, 'connecting was cancelled'));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    function cleanup(): void {
      clearTimeout(timer);
      verification.abort();
      options.signal?.removeEventListener('abort', onAbort);
      for (const each of new Set([raw, socket])) {
        each.removeListener('error', onError);
        each.removeListener('close', onCloseWhileVerifying);
      }
    }
    function fail(error: FerryError): void {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      raw.destroy();
      reject(error);
    }
    function succeed(opened: OpenedSocket): void {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(opened);
    }
    function onCloseWhileVerifying(): void {
      fail(new FerryError(ErrorCode.CONNECTION_LOST, `${describe(host, options.port)} closed the connection before its certificate was trusted`));
    }
    function onError(error: NodeJS.ErrnoException): void {
      fail(connectError(error, host, options.port));
    }

    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    raw.on('error', onError);
    raw.once('connect', () => {
      if (settled) return;
      if (!usesTls(options.tls, raw.remoteAddress ?? '')) {
        succeed({ socket: raw, tls: false });
        return;
      }
      const secure = tls().connect({
        socket: raw,
        rejectUnauthorized: false,
        // SNI must not be an IP address.
        ...(net.isIP(host) ? {} : { servername: host }),
      });
      socket = secure;
      secure.on('error', onError);
      secure.once('secureConnect', () => {
        const peer = secure.getPeerCertificate();
        const fingerprint = peer?.fingerprint256;
        if (!fingerprint) {
          fail(new FerryError(ErrorCode.TRUST, `${describe(host, options.port)} sent no certificate`));
          return;
        }
        const verify = options.verifyFingerprint;
        if (!verify) {
          fail(untrusted(host, options.port, fingerprint));
          return;
        }
        // The server may give up on us while the user is still deciding.
        secure.once('close', onCloseWhileVerifying);
        verify(fingerprint, host, options.port, verification.signal).then(
          (trusted) => {
            if (trusted === true) succeed({ socket: secure, tls: true, fingerprint });
            else fail(untrusted(host, options.port, fingerprint));
          },
          (error: unknown) => {
            fail(error instanceof FerryError ? error : new FerryError(ErrorCode.TRUST, String(error), { cause: error }));
          },
        );
      });
    });
  });
}

function untrusted(host: string, port: number, fingerprint: string): FerryError {
  return new FerryError(ErrorCode.TRUST, `the certificate of ${describe(host, port)} (SHA-256 ${fingerprint}) is not trusted`);
}

function describe(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function connectError(error: NodeJS.ErrnoException, host: string, port: number): FerryError {
  const where = describe(host, port);
  switch (error.code) {
    case 'ECONNREFUSED':
      return new FerryError(ErrorCode.CONNECTION_LOST, `connection refused by ${where}`, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FerryError(ErrorCode.CONNECTION_LOST, `unknown host ${host}`, { cause: error });
    case 'ETIMEDOUT':
      return new FerryError(ErrorCode.TIMEOUT, `connecting to ${where} timed out`, { cause: error });
    default:
      return new FerryError(ErrorCode.CONNECTION_LOST, `cannot connect to ${where}: ${error.message}`, { cause: error });
  }
}
