/**
 * A private vsftpd for the FTP kind's tests: its own configuration, folders
 * and (for FTPS) a freshly generated self-signed certificate in a temporary
 * folder, listening on an ephemeral loopback port with passive ports on
 * loopback, in the foreground (background=NO) so stop() ends it.
 *
 * Logins:
 * - anonymous, always: the FTP root is `root` (owned by root, as vsftpd
 *   requires of an anonymous root) and `root/pub` is writable by vsftpd's
 *   `ftp` user, so anonymous sessions may upload, create folders, delete and
 *   rename there (anon_upload_enable, anon_mkdir_write_enable,
 *   anon_other_write_enable). Tests work below `/pub`.
 * - a password login, with `passwordUser`: a throwaway system user
 *   (`ferryftpNNNNNN`, shell /bin/sh, home `home`) is made with useradd and
 *   chpasswd when the server starts and removed with userdel when it stops.
 *   vsftpd checks the password through the system's `vsftpd` PAM service, and
 *   a private userlist (userlist_deny=NO) admits that one user (and the
 *   anonymous names) and no other local account. The user is chrooted to its home, so `/` is `home`.
 *   Making a user needs root, as the tests run (here and in CI).
 *
 * `maxRate` caps each session's transfer speed (anon_max_rate and
 * local_max_rate), so a test can cut or cancel a transfer midway without
 * racing the loopback. `deniedCommands` (cmds_denied) makes a server that
 * lacks some commands, such as one without MDTM.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { generateSelfSigned, fingerprintOf } from '../../src/security/certificate.js';
import { anonymousFtpFolders, killDescendants, startDaemon, systemUser } from './daemon.js';
import { freePort } from './listener.js';
import { findSystemTool } from './system-tool.js';
import { removeTempFolder, tempFolder } from './temp-folders.js';

export interface VsftpdOptions {
  /** FTPS: explicit AUTH TLS with a self-signed certificate, required for logins and data. */
  tls?: boolean;
  /** Also admit a throwaway system user with a password. */
  passwordUser?: boolean;
  /** Bytes per second per session (0: no cap). */
  maxRate?: number;
  /** Commands refused after login ("550 Permission denied."), e.g. `['MDTM']`. */
  deniedCommands?: readonly string[];
  /** Log every command the server receives (`commandsReceived()`). */
  logCommands?: boolean;
}

export interface PrivateVsftpd {
  host: string;
  port: number;
  /** The anonymous FTP root on disk (`/` of anonymous sessions). */
  root: string;
  /** `root/pub`: where anonymous sessions may write (`/pub`). */
  pub: string;
  /** The password user's name, password and home (`/` of its sessions). */
  user?: { name: string; password: string; home: string };
  /** The certificate's SHA-256 fingerprint (`AB:CD:…`) with `tls`. */
  fingerprint?: string;
  /** `ftp://127.0.0.1:PORT` (or ftps://), no path. */
  origin: string;
  /** Kills every FTP session the server runs (a connection cut from the server's side); the listener stays. */
  cutSessions(): void;
  /** With `logCommands`: every command received so far, in order (`LIST -a /pub`), passwords included. */
  commandsReceived(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startVsftpd(options: VsftpdOptions = {}): Promise<PrivateVsftpd> {
  const vsftpd = findSystemTool('vsftpd');
  if (vsftpd === undefined) throw new Error('vsftpd is not installed');
  const dir = await tempFolder('ferry-vsftpd-');
  const cleanups: (() => Promise<void> | void)[] = [() => removeTempFolder(dir)];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step();
  };
  try {
    const { root, pub } = await anonymousFtpFolders(dir);
    const empty = path.join(dir, 'empty');
    await fs.mkdir(empty);

    const port = await freePort();
    const lines = [
      'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
      'pasv_enable=YES', 'pasv_address=127.0.0.1', 'pasv_min_port=0', 'pasv_max_port=0', 'port_enable=NO',
      'anonymous_enable=YES', 'no_anon_password=YES', `anon_root=${root}`, 'ftp_username=ftp',
      'write_enable=YES', 'anon_upload_enable=YES', 'anon_mkdir_write_enable=YES', 'anon_other_write_enable=YES',
      'anon_umask=022', 'anon_world_readable_only=NO',
      'seccomp_sandbox=NO', `secure_chroot_dir=${empty}`, 'dirmessage_enable=NO',
      'max_clients=64', 'max_per_ip=64', 'idle_session_timeout=120',
    ];
    if (options.maxRate) lines.push(`anon_max_rate=${options.maxRate}`, `local_max_rate=${options.maxRate}`);
    if (options.deniedCommands?.length) lines.push(`cmds_denied=${options.deniedCommands.join(',')}`);
    const commandLog = path.join(dir, 'commands.log');
    lines.push(...(options.logCommands
      ? ['xferlog_enable=YES', 'xferlog_std_format=NO', 'log_ftp_protocol=YES', `vsftpd_log_file=${commandLog}`]
      : ['xferlog_enable=NO']));

    let user: PrivateVsftpd['user'];
    if (options.passwordUser) {
      const name = `ferryftp${randomBytes(3).toString('hex')}`;
      const password = randomBytes(12).toString('base64url');
      const home = path.join(dir, 'home');
      execFileSync('useradd', ['--no-create-home', '--home-dir', home, '--shell', '/bin/sh', '--user-group', name]);
      cleanups.push(() => {
        execFileSync('userdel', [name], { stdio: 'ignore' });
      });
      execFileSync('chpasswd', [], { input: `${name}:${password}\n` });
      const created = systemUser(name);
      await fs.mkdir(home);
      await fs.chown(home, created.uid, created.gid);
      const userlist = path.join(dir, 'userlist');
      // The userlist applies to anonymous logins too, which vsftpd names `anonymous` or `ftp`.
      await fs.writeFile(userlist, `${name}\nanonymous\nftp\n`);
      lines.push(
        'local_enable=YES', 'local_umask=022', 'pam_service_name=vsftpd', 'chroot_local_user=YES', 'allow_writeable_chroot=YES',
        'userlist_enable=YES', 'userlist_deny=NO', `userlist_file=${userlist}`,
      );
      user = { name, password, home };
    } else {
      lines.push('local_enable=NO');
    }

    let fingerprint: string | undefined;
    if (options.tls) {
      const { cert, key } = await generateSelfSigned('localhost');
      const certFile = path.join(dir, 'cert.pem');
      const keyFile = path.join(dir, 'key.pem');
      await fs.writeFile(certFile, cert);
      await fs.writeFile(keyFile, key, { mode: 0o600 });
      fingerprint = fingerprintOf(cert);
      lines.push(
        'ssl_enable=YES', `rsa_cert_file=${certFile}`, `rsa_private_key_file=${keyFile}`, 'ssl_ciphers=HIGH',
        'allow_anon_ssl=YES', 'force_anon_logins_ssl=YES', 'force_anon_data_ssl=YES',
        'force_local_logins_ssl=YES', 'force_local_data_ssl=YES', 'require_ssl_reuse=YES',
        'ssl_tlsv1=YES', 'ssl_sslv2=NO', 'ssl_sslv3=NO',
      );
    }
    const config = path.join(dir, 'vsftpd.conf');
    await fs.writeFile(config, `${lines.join('\n')}\n`);

    const child = await startDaemon(vsftpd, [config], port, 'vsftpd', cleanups);

    const scheme = options.tls ? 'ftps' : 'ftp';
    return {
      host: '127.0.0.1', port, root, pub, ...(user ? { user } : {}), ...(fingerprint ? { fingerprint } : {}),
      origin: `${scheme}://127.0.0.1:${port}`,
      cutSessions: () => killDescendants(child.pid!),
      commandsReceived: async () => {
        if (!options.logCommands) throw new Error('start vsftpd with logCommands to read the commands it received');
        const log = await fs.readFile(commandLog, 'utf8').catch(() => '');
        // `… [pid 12] [ftp] FTP command: Client "127.0.0.1", "LIST -a /pub"`
        return [...log.matchAll(/FTP command: Client "[^"]*", "(.*)"$/gm)].map((match) => match[1]!);
      },
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
