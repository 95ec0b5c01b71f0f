/**
 * Opens a session of any kind from a parsed URL. The kinds' modules load only
 * when their scheme is used (ssh2 and basic-ftp are not paid for by a Ferry
 * session, nor by `ferry --version`).
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';
import type { Remote } from './remote.js';
import type { RemoteUrl } from './remote-url.js';

/** A key the client has not met before for this host and port, or one that changed. */
export interface PresentedKey {
  /** `tls`: a certificate (ferrys://, ftps://, ferry:// off loopback); `ssh`: an SSH host key. */
  kind: 'tls' | 'ssh';
  host: string;
  port: number;
  /** `AB:CD:...` for TLS (SHA-256 of the certificate), `SHA256:base64` for SSH, as OpenSSH prints it. */
  fingerprint: string;
  /** SSH key type (`ssh-ed25519`, ...). */
  algorithm?: string;
}

export interface OpenRemoteOptions {
  /** Used when the URL has none; asked through `askSecret` when needed and missing. */
  password?: string;
  /**
   * Asks the person for a secret: a password, a keyboard-interactive prompt,
   * a key's passphrase. Resolves undefined when they cancel. Missing: a login
   * that needs one fails with AUTH.
   */
  askSecret?: (prompt: string) => Promise<string | undefined>;
  /** SFTP: a private key file (`-i FILE`, a bookmark's key), tried before the agent and ~/.ssh/id_*. */
  identityFile?: string;
  /**
   * Decides whether to trust a key met for the first time (trust on first
   * use); resolve true to go on, and the key is remembered (Ferry's
   * known_hosts for TLS, ~/.ssh/known_hosts for SSH). A key that differs from
   * the remembered one is refused with TRUST without asking. Missing: every
   * new key is refused with TRUST.
   */
  verifyNewKey?: (key: PresentedKey) => Promise<boolean>;
  /** Gives up connecting and logging in after this long (default 10 000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Keep an idle session open (the UI); scripted commands leave it off. */
  keepAlive?: boolean;
  /** The environment for HOME / XDG paths (known hosts, ~/.ssh, bookmarks); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export async function openRemote(url: RemoteUrl, options: OpenRemoteOptions = {}): Promise<Remote> {
  switch (url.kind) {
    case 'ferry': {
      const { openFerryRemote } = await import('./ferry/open-ferry.js');
      return openFerryRemote(url, options);
    }
    case 'ftp': {
      const { openFtpRemote } = await import('./ftp/open-ftp.js');
      return openFtpRemote(url, options);
    }
    default:
      throw new FerryError(ErrorCode.UNSUPPORTED, `${url.scheme}:// servers are not supported yet`);
  }
}
