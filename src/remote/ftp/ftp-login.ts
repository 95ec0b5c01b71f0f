/**
 * One logged-in FTP control connection (a basic-ftp Client): connect, for
 * FTPS `AUTH TLS` and the certificate check, then USER/PASS, binary mode and
 * (FTPS) `PBSZ 0` / `PROT P` so every data connection is TLS as well.
 *
 * The certificate is checked before the password is sent. One a public
 * certificate authority vouches for (chain and host name, as Node checks
 * them) passes. Any other goes through the same trust on first use as
 * ferrys://: its SHA-256 fingerprint is looked up in Ferry's known_hosts,
 * an unknown one is put to the person (`verifyNewKey`), a changed one is
 * refused with TRUST. The data connections resume the control connection's
 * TLS session (basic-ftp does this; vsftpd requires it by default) and are
 * held to the same certificate: the trusted one alone as their authority,
 * its fingerprint compared in place of the host name.
 */
import net from 'node:net';
import type { ConnectionOptions, PeerCertificate, TLSSocket } from 'node:tls';
import { Client } from 'basic-ftp';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { ferryErrorFromFtp, isFtpReply } from './ftp-errors.js';

export interface FtpLogin {
  host: string;
  port: number;
  /** Explicit TLS (`AUTH TLS`) before logging in. */
  secure: boolean;
  /** Empty: anonymous. */
  user: string;
  password: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Decides on a certificate no public authority vouches for, given its
   * SHA-256 fingerprint (`AB:CD:...`): resolves true to go on, throws TRUST
   * (or resolves false) to refuse.
   */
  trustCertificate(fingerprint: string): Promise<boolean>;
}

/** How the session's certificate was trusted, once the first connection has settled it. */
export interface SettledTrust {
  fingerprint: string;
  /** TLS options for the later connections' control and data sockets. */
  tlsOptions: ConnectionOptions;
}

export interface OpenedFtp {
  client: Client;
  trust?: SettledTrust;
  /** Whether the server accepts SITE CHMOD from this user. */
  siteChmod: boolean;
}

/** Inactivity allowed during a command or transfer before basic-ftp gives up on the connection. */
const COMMAND_TIMEOUT_MS = 30_000;

/**
 * Opens and logs in one control connection. `settled` (from the first
 * connection) pins later connections of the pool to the same certificate
 * without asking again.
 */
export async function openFtpConnection(login: FtpLogin, settled?: SettledTrust): Promise<OpenedFtp> {
  const client = new Client(Math.max(COMMAND_TIMEOUT_MS, login.timeoutMs));
  const onAbort = (): void => client.close();
  login.signal?.addEventListener('abort', onAbort, { once: true });
  const where = `${login.host.includes(':') ? `[${login.host}]` : login.host}:${login.port}`;
  const timer = setTimeout(() => client.ftp.closeWithError(new Error('Timeout (login)')), login.timeoutMs);
  let stage = `connecting to ${where}`;
  try {
    if (login.signal?.aborted) throw new FerryError(ErrorCode.CANCELLED, 'connecting was cancelled');
    await client.connect(login.host, login.port);
    let trust: SettledTrust | undefined;
    if (login.secure) {
      stage = `starting TLS with ${where}`;
      const servername = net.isIP(login.host) ? undefined : login.host;
      await client.useTLS({ rejectUnauthorized: false, ...(servername ? { servername } : {}) });
      const socket = client.ftp.socket as TLSSocket;
      // The person may take a while to decide: the login timer waits for them.
      clearTimeout(timer);
      trust = await checkCertificate(socket, login, settled, servername);
      client.ftp.tlsOptions = trust.tlsOptions;
    }
    stage = `logging in to ${where}`;
    const anonymous = login.user === '';
    try {
      await client.login(anonymous ? 'anonymous' : login.user, anonymous ? 'anonymous@' : login.password);
    } catch (error) {
      if (isFtpReply(error, 530, 331, 332)) {
        throw new FerryError(ErrorCode.AUTH, anonymous
          ? `${where} refused the anonymous login: give a user name in the URL (ftp://user@host)`
          : `login failed for ${login.user} at ${where}: wrong user name or password`, { cause: error });
      }
      throw error;
    }
    await client.useDefaultSettings();
    const help = await client.sendIgnoringError('SITE HELP');
    return { client, ...(trust ? { trust } : {}), siteChmod: help.code < 400 && /\bCHMOD\b/i.test(help.message) };
  } catch (error) {
    client.close();
    if (login.signal?.aborted) throw new FerryError(ErrorCode.CANCELLED, 'connecting was cancelled');
    if (error instanceof FerryError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') throw new FerryError(ErrorCode.CONNECTION_LOST, `connection refused by ${where}`, { cause: error });
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new FerryError(ErrorCode.CONNECTION_LOST, `unknown host ${login.host}`, { cause: error });
    throw ferryErrorFromFtp(error, stage);
  } finally {
    clearTimeout(timer);
    login.signal?.removeEventListener('abort', onAbort);
  }
}

async function checkCertificate(
  socket: TLSSocket, login: FtpLogin, settled: SettledTrust | undefined, servername: string | undefined,
): Promise<SettledTrust> {
  const peer = socket.getPeerCertificate(true) as PeerCertificate | undefined;
  const fingerprint = peer?.fingerprint256;
  if (!peer || !fingerprint || !peer.raw) {
    throw new FerryError(ErrorCode.TRUST, `${login.host}:${login.port} sent no TLS certificate`);
  }
  if (settled) {
    if (settled.fingerprint !== fingerprint) {
      throw new FerryError(ErrorCode.TRUST, `${login.host}:${login.port} presented another certificate (SHA-256 ${fingerprint}) ` +
        `than this session trusted (${settled.fingerprint})`);
    }
    return settled;
  }
  if (socket.authorized) {
    // A public authority vouches for the certificate and the host name: later sockets are checked the same way.
    return { fingerprint, tlsOptions: { rejectUnauthorized: true, ...(servername ? { servername } : {}) } };
  }
  const trusted = await login.trustCertificate(fingerprint);
  if (!trusted) throw new FerryError(ErrorCode.TRUST, `the certificate of ${login.host}:${login.port} (SHA-256 ${fingerprint}) is not trusted`);
  return { fingerprint, tlsOptions: pinnedTlsOptions(peer, fingerprint, servername) };
}

/** TLS options that accept exactly the certificate with `fingerprint` (self-signed or not) and nothing else. */
function pinnedTlsOptions(peer: PeerCertificate, fingerprint: string, servername: string | undefined): ConnectionOptions {
  const pem = `-----BEGIN CERTIFICATE-----\n${peer.raw.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  return {
    rejectUnauthorized: true,
    ca: [pem],
    ...(servername ? { servername } : {}),
    checkServerIdentity: (_host, cert) => (cert.fingerprint256 === fingerprint
      ? undefined
      : new Error(`the data connection presented another certificate (SHA-256 ${cert.fingerprint256})`)),
  };
}
