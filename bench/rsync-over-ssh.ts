/**
 * rsync over the bench's private sshd (external-tools.ts), for the sync
 * suite's comparison row. The bench never installs rsync or OpenSSH;
 * `rsyncMissing` says when a row is skipped.
 */
import { findExecutable, opensshMissing, sshRemote, startSshd, timedCommand, toolsMissing } from './external-tools.js';

export interface RsyncServer {
  /** `rsync -a [--delete] localDir/ user@127.0.0.1:remoteDir/` over the private sshd; elapsed ms. */
  push(localDir: string, remoteDir: string, options?: { delete?: boolean }): Promise<number>;
  stop(): Promise<void>;
}

/** Why rsync over ssh cannot run here, or undefined when it can. */
export function rsyncMissing(): string | undefined {
  return toolsMissing('rsync', 'ssh') ?? opensshMissing();
}

export async function startRsyncServer(workDir: string): Promise<RsyncServer> {
  const missing = rsyncMissing();
  if (missing) throw new Error(missing);
  const sshd = await startSshd(workDir);
  // rsync takes its remote shell as one string and splits it at spaces, keeping quoted words whole.
  const ssh = [findExecutable('ssh')!, '-p', String(sshd.port), ...sshd.clientOptions].join(' ');
  const rsync = findExecutable('rsync')!;
  return {
    push: (localDir, remoteDir, options = {}) => timedCommand(rsync, [
      '-a', ...(options.delete ? ['--delete'] : []), '-e', ssh, `${localDir}/`, `${sshRemote(sshd, remoteDir)}/`,
    ]),
    stop: () => sshd.stop(),
  };
}
