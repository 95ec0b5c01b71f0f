/**
 * One remote path's entry (Remote.stat) without listing the folder it is in:
 * a folder of 100 000 files lists in megabytes and seconds, and `ferry get`,
 * `put`, `ls FILE` and chmod each ask about one path.
 *
 * - MLST where the server offers it (RFC 3659): one reply with the type,
 *   size, time to the second and mode, no data connection.
 * - Otherwise SIZE (a file) or CWD (a folder), MDTM for the file's second,
 *   and `LIST path` for the file's mode and link-ness: servers list the one
 *   file (vsftpd and ProFTPD answer with its line alone). A path with glob
 *   characters is not given to LIST (vsftpd expands them): its folder is
 *   listed instead, as for a path neither SIZE nor CWD works on, where only
 *   the folder's listing tells a link, a special file, "there but not for
 *   you" and "not there" apart. A server that lists with MLSD but refused
 *   MLST is not asked for a listing (MLSD does not take a file): its file
 *   has no mode.
 */
import type { Client, FileInfo } from 'basic-ftp';
import { parseLine as parseMlsxLine } from 'basic-ftp/dist/parseListMLSD.js';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import { entryOf, SECOND_MS } from './ftp-entries.js';
import { baseName, parentOf } from './ftp-paths.js';
import { listFolderIfPossible, probePath } from './ftp-probe.js';
import { askFileTime } from './ftp-times.js';

/** Characters a LIST argument is globbed on (vsftpd's and ProFTPD's pattern syntax). */
const GLOB_CHARACTERS = /[*?[\]{}~\\]/;

/**
 * The entry of `target` (absolute). `machineListing`: the server offers MLST
 * (and so lists folders with MLSD).
 */
export async function statPath(client: Client, target: string, machineListing: boolean): Promise<Entry> {
  if (target === '/') return folderEntry('/');
  const name = baseName(target);
  if (machineListing) {
    const described = await describedByMlst(client, target);
    if (described) return described;
  }
  const what = await probePath(client, target, { listParent: false });
  if (what.kind === 'directory') return folderEntry(name);
  if (what.kind === 'file' && !GLOB_CHARACTERS.test(target)) {
    const listed = machineListing ? undefined : await listedAlone(client, target);
    return withExactTime(client, target, listed ?? sizedFile(name, what.size));
  }
  const info = (await listFolderIfPossible(client, parentOf(target)))?.find((each) => each.name === name);
  const entry = info && entryOf(info, { linkTargets: true });
  if (entry) {
    if (entry.kind === EntryKind.FILE) await withExactTime(client, target, entry);
    return entry;
  }
  if (what.kind === 'file') return withExactTime(client, target, sizedFile(name, what.size));
  if (info) throw new FerryError(ErrorCode.PERMISSION, `permission denied: ${target}`);
  throw new FerryError(ErrorCode.NOT_FOUND, `no such file or folder: ${target}`);
}

function folderEntry(name: string): Entry {
  return { name, kind: EntryKind.DIRECTORY, size: 0, mtimeMs: 0, mode: 0 };
}

/** A file known only by its SIZE: no mode, its time still to be asked. */
function sizedFile(name: string, size: number): Entry {
  return { name, kind: EntryKind.FILE, size, mtimeMs: 0, mode: 0 };
}

/** LIST times are to the minute at best, SIZE gives none: MDTM gives the second, where the server has it. */
async function withExactTime(client: Client, target: string, entry: Entry): Promise<Entry> {
  const exact = await askFileTime(client, target);
  if (exact !== undefined) Object.assign(entry, { mtimeMs: exact, mtimeResolutionMs: SECOND_MS });
  return entry;
}

/**
 * MLST's one line of facts (` type=file;size=3;modify=…;UNIX.mode=0644; /pub/a.txt`)
 * as an entry; undefined when refused or not understood.
 */
async function describedByMlst(client: Client, target: string): Promise<Entry | undefined> {
  const reply = await client.sendIgnoringError(`MLST ${target}`);
  if (reply.code !== 250) return undefined;
  const facts = reply.message.split(/\r?\n/).find((line) => line.startsWith(' '));
  const info: FileInfo | undefined = facts === undefined ? undefined : parseMlsxLine(facts.trim());
  if (!info) return undefined;
  info.name = baseName(target);
  return entryOf(info, { linkTargets: true });
}

/** The file's own line from `LIST path`, when the server gives exactly that. */
async function listedAlone(client: Client, target: string): Promise<Entry | undefined> {
  let infos: FileInfo[];
  try {
    infos = await client.list(target);
  } catch {
    return undefined;
  }
  const entry = infos.length === 1 ? entryOf(infos[0]!, { linkTargets: true }) : undefined;
  return entry?.name === baseName(target) ? entry : undefined;
}
