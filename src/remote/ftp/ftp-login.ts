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
 * held to the same certificate: checked like the control connection's when
 * an authority vouched for it, compared by fingerprint when it was trusted
 * on first use (pinDataConnections).
 */
import net from 'node:net';
import { TLSSocket, type ConnectionOptions, type PeerCertificate } from 'node:tls';
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
  /** Also ask what the server offers (FtpAbilities): on the session's first connection, for all of them. */
  askAbilities?: boolean;
}

/** How the session's certificate was trusted, once the first connection has settled it. */
export interface SettledTrust {
  fingerprint: string;
  /** TLS options for the data sockets. */
  tlsOptions: ConnectionOptions;
  /** Trusted by its fingerprint (no authority vouches for it): data sockets are checked against it (pinDataConnections). */
  pinned?: boolean;
}

export interface OpenedFtp {
  client: Client;
  trust?: SettledTrust;
  /** With `askAbilities`. */
  abilities?: FtpAbilities;
}

/** What a server offers this user beyond the basic commands, asked once per session. */
export interface FtpAbilities {
  /** Whether the server accepts SITE CHMOD from this user. */
  siteChmod: boolean;
  /** FEAT's answer: feature name (`MFMT`, `MLST`, ...) → its parameters. */
  features: ReadonlyMap<string, string>;
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
      if (trust.pinned) pinDataConnections(client, trust.fingerprint);
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
    const abilities = login.askAbilities ? await askAbilities(client) : undefined;
    return { client, ...(trust ? { trust } : {}), ...(abilities ? { abilities } : {}) };
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

async function askAbilities(client: Client): Promise<FtpAbilities> {
  const help = await client.sendIgnoringError('SITE HELP');
  const features = await client.features();
  return { siteChmod: help.code < 400 && /\bCHMOD\b/i.test(help.message), features };
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
  return { fingerprint, pinned: true, tlsOptions: { rejectUnauthorized: false, ...(servername ? { servername } : {}) } };
}

/**
 * Holds every data connection of `client` to the certificate with
 * `fingerprint`. Node cannot express "this one certificate" as TLS options
 * that also survive session resumption (a resumed session carries the
 * control connection's verify result, "self-signed"), so each data socket
 * is checked itself as its handshake completes, before a byte is read from
 * or written to it; basic-ftp sets them through `ftp.dataSocket`. A socket
 * that resumed the control connection's session passes: only a server
 * holding that session's secrets can resume it.
 */
export function pinDataConnections(client: Client, fingerprint: string): void {
  const context = client.ftp;
  const property = findProperty(context, 'dataSocket');
  if (!property?.set || !property.get) throw new FerryError(ErrorCode.INTERNAL, 'basic-ftp no longer exposes its data socket');
  const { get, set } = property;
  Object.defineProperty(context, 'dataSocket', {
    configurable: true,
    get(this: unknown) {
      return get.call(this) as unknown;
    },
    set(this: unknown, socket: unknown) {
      if (socket instanceof TLSSocket) {
        socket.once('secureConnect', () => {
          // A resumed session shows no certificate (TLS 1.3), but resuming it took the keys of the checked one.
          if (socket.isSessionReused()) return;
          const presented = socket.getPeerCertificate()?.fingerprint256;
          if (presented !== fingerprint) {
            socket.destroy(new Error(`the data connection presented another certificate (SHA-256 ${presented ?? 'none'})`));
          }
        });
      }
      set.call(this, socket);
    },
  });
}

function findProperty(object: object, name: string): PropertyDescriptor | undefined {
  for (let at: object | null = object; at; at = Object.getPrototypeOf(at) as object | null) {
    const found = Object.getOwnPropertyDescriptor(at, name);
    if (found) return found;
  }
  return undefined;
}
