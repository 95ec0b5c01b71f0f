/**
 * A private ProFTPD for the FTP kind's tests of what vsftpd lacks: a server
 * hash command (mod_digest: XSHA256, HASH), MLSD and MFMT. Its own
 * configuration and folders in a temporary folder, an ephemeral loopback
 * port, in the foreground (`-n`) so stop() ends it.
 *
 * ProFTPD's package conflicts with vsftpd's, so scripts/
 * install-system-packages.sh unpacks it into PROFTPD_DIR instead of
 * installing it; the daemon runs from there with its modules from there.
 *
 * Logins: anonymous only. The FTP root is `root` and `root/pub` is writable
 * by the `ftp` account (which vsftpd's package makes). Tests work below `/pub`.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { anonymousFtpFolders, killDescendants, startDaemon } from './daemon.js';
import { freePort } from './listener.js';
import { removeTempFolder, tempFolder } from './temp-folders.js';

/** Where scripts/install-system-packages.sh unpacks ProFTPD's package. */
export const PROFTPD_DIR = process.env.PROFTPD_DIR ?? '/opt/ferry-test/proftpd';
/** The daemon, unpacked. */
export const PROFTPD_BINARY = path.join(PROFTPD_DIR, 'usr', 'sbin', 'proftpd');

export interface PrivateProftpd {
  port: number;
  /** The anonymous FTP root on disk. */
  root: string;
  /** `root/pub`: where anonymous sessions may write (`/pub`). */
  pub: string;
  /** `ftp://127.0.0.1:PORT`, no path. */
  origin: string;
  /** Kills every session the server runs; the listener stays. */
  cutSessions(): void;
  stop(): Promise<void>;
}

export async function startProftpd(): Promise<PrivateProftpd> {
  if (!existsSync(PROFTPD_BINARY)) throw new Error(`no ProFTPD at ${PROFTPD_BINARY}`);
  const dir = await tempFolder('ferry-proftpd-');
  const cleanups: (() => Promise<void> | void)[] = [() => removeTempFolder(dir)];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step();
  };
  try {
    const { root, pub } = await anonymousFtpFolders(dir);
    const port = await freePort();
    const config = path.join(dir, 'proftpd.conf');
    await fs.writeFile(config, [
      'ServerName "ferry-test"', 'ServerType standalone', `Port ${port}`, 'DefaultAddress 127.0.0.1', 'SocketBindTight on',
      'UseIPv6 off', 'User nobody', 'Group nogroup', 'Umask 022', 'AllowOverwrite on', 'RequireValidShell off',
      'UseReverseDNS off', 'DelayTable none', 'WtmpLog off', 'TransferLog none',
      `PidFile ${path.join(dir, 'proftpd.pid')}`, `ScoreboardFile ${path.join(dir, 'proftpd.scoreboard')}`,
      `SystemLog ${path.join(dir, 'system.log')}`,
      `ModulePath ${path.join(PROFTPD_DIR, 'usr', 'lib', 'proftpd')}`, 'LoadModule mod_digest.c', '<IfModule mod_digest.c>', '  DigestEngine on', '</IfModule>',
      `<Anonymous ${root}>`, '  User ftp', '  Group nogroup', '  UserAlias anonymous ftp', '  RequireValidShell off',
      '  <Directory pub>', '    <Limit WRITE>', '      AllowAll', '    </Limit>', '  </Directory>', '</Anonymous>', '',
    ].join('\n'));
    const child = await startDaemon(PROFTPD_BINARY, ['-n', '-c', config], port, 'proftpd', cleanups);
    return {
      port, root, pub, origin: `ftp://127.0.0.1:${port}`,
      cutSessions: () => killDescendants(child.pid!),
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
