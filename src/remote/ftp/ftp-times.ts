/**
 * A file's modification time over FTP, read and set one file at a time.
 *
 * Reading: MDTM gives the second (LIST only the minute or the day), so it is
 * asked where a listing's time is not enough: stat, a download from a
 * coarse listing, and a sync's files whose times match only that coarsely.
 *
 * Setting: an upload gives the file its source's time once it has its final
 * name, with `MFMT time path` where FEAT lists MFMT, else `MDTM time path`
 * (vsftpd with mdtm_write, its default; pure-ftpd). A server that refuses a
 * command is not asked with it again in the session; once every command has
 * been refused, uploads keep the server's time (the upload's) and
 * `features.uploadMtime` says so. A refusal never fails the upload: the file
 * is complete, only its time is not the source's.
 */
import type { Client } from 'basic-ftp';
import { ftpTimeArgument, mdtmTime, startOfSecond } from './ftp-entries.js';
import { withoutStackCapture } from './ftp-stack.js';

/** The file's time to the second (MDTM), or undefined where the server does not say (a folder, no MDTM). */
export async function askFileTime(client: Client, remotePath: string): Promise<number | undefined> {
  const reply = await withoutStackCapture(() => client.sendIgnoringError(`MDTM ${remotePath}`));
  return reply.code === 213 ? mdtmTime(reply.message) : undefined;
}

type SetTimeCommand = 'MFMT' | 'MDTM';

export class UploadTimes {
  /** The commands still worth trying, the preferred first. */
  private commands: SetTimeCommand[];

  /** `features`: the server's FEAT answer (basic-ftp's `client.features()`); `onGivenUp` hears once that no command is left. */
  constructor(features: ReadonlyMap<string, string>, private readonly onGivenUp: () => void) {
    this.commands = features.has('MFMT') ? ['MFMT', 'MDTM'] : ['MDTM'];
  }

  get kept(): boolean {
    return this.commands.length > 0;
  }

  /** Gives `remotePath` the time `mtimeMs` (to the second); false where the server would not. */
  async set(client: Client, remotePath: string, mtimeMs: number): Promise<boolean> {
    const time = ftpTimeArgument(mtimeMs);
    for (const command of [...this.commands]) {
      let reply: { code: number; message: string };
      try {
        reply = await client.sendIgnoringError(`${command} ${time} ${remotePath}`);
      } catch {
        // The connection went: the file is in place all the same, with the server's time.
        return false;
      }
      if (reply.code >= 200 && reply.code < 300) {
        // A server that may not set times can take the line for a read and answer the file's time (vsftpd
        // does for anonymous users without anon_other_write_enable): only another time than asked tells.
        const said = mdtmTime(reply.message);
        if (said === undefined || said === startOfSecond(mtimeMs)) return true;
      } else if (reply.code < 500) {
        // A passing trouble (busy, closing): this file keeps the server's time, the command stays.
        return false;
      }
      this.drop(command);
    }
    return false;
  }

  private drop(command: SetTimeCommand): void {
    if (!this.commands.includes(command)) return;
    this.commands = this.commands.filter((each) => each !== command);
    if (this.commands.length === 0) this.onGivenUp();
  }
}
