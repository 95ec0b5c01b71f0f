/**
 * What `ferry --help` prints. A module of its own so that the entry point
 * (src/bin/ferry.ts) answers `ferry --help` without loading the commands'
 * bundle, the client library or the parser (docs/PERFORMANCE.md, start-up).
 */
import { packageInfo } from './package-info.js';

const USAGE = `
  Usage
    $ ferry [URL | @NAME]                 the dual-pane UI (connect dialog, or URL at once)
    $ ferry --demo                        the UI against a demo server started in-process
    $ ferry ls URL                        list a folder (kind, mode, size, mtime, name;
                                          a symlink as name -> target)
    $ ferry get URL [LOCAL]               download a file (-r: a folder)
    $ ferry put LOCAL URL                 upload a file (-r: a folder)
    $ ferry rm URL                        delete a file (-r: a folder and its contents)
    $ ferry mkdir URL                     make a folder (-p: with parents, ok if it exists)
    $ ferry mv URL NEWPATH                rename or move within the server (into NEWPATH
                                          when it is a folder, like mv)
    $ ferry sync SRC DST                  make the folder DST like SRC (each a local folder
                                          or a URL): exit 0 in sync, 3 changed, 1 error
    $ ferry chmod MODE URL                change permission bits: octal (644) or clauses
                                          (u+x,go-w); -R: everything below a folder too
                                          (symlinks are never changed nor followed)
    $ ferry find URL PATTERN              search below a folder on the server by name glob
                                          (* ? [a-z] [!x]), printing matches as ls does
    $ ferry bookmark add NAME URL         save a connection as @NAME (--identity FILE: its
                                          SSH key; --save-password: keep its password)
    $ ferry bookmark remove NAME          forget it
    $ ferry bookmark list                 the saved connections (passwords never shown)

  URL
    ferry://[user[:password]@]host[:port]/path   Ferry: TLS, or plain TCP on a loopback host (7070)
    ferrys://...                                 Ferry, TLS always
    sftp://[user@]host[:port]/path               SSH's SFTP (22); host may be a ~/.ssh/config Host
    ftp://[user[:password]@]host[:port]/path     FTP (21)
    ftps://...                                   FTP with explicit TLS (21)
    @NAME[/path]                                 a saved connection, and a path below its folder
    The password may also come from a bookmark or FERRY_PASSWORD, or is asked at a terminal.
    After get and put, "checked:" says how the content was verified: SHA-256 end to end
    (Ferry), or the size (SFTP, FTP; size+sha256 where an FTP server hashes files).

  Options
    -r, -R, --recursive  folders and their contents (ls, get, put, rm, chmod)
    -p, --parents      mkdir: create missing parents
    -f, --overwrite    replace an existing destination (bookmark add: an existing bookmark)
    --resume           continue an interrupted transfer
    --limit RATE       get, put: at most RATE bytes per second (500K, 10M; k, M, G: 1024-based)
    --delete           sync: remove what is only in DST
    --dry-run          sync: print the plan, change nothing
    --checksum         sync: compare files of equal size by content (SHA-256), not mtime
    --exclude GLOB     sync: leave out matching names or paths (repeatable); see docs/SYNC.md
    --links=skip|follow|copy   get -r, put -r: symlinks in the tree are left out and counted
                       (skip, the default), copied as what they point to when that is inside
                       the tree (follow), or made again when their target stays inside it
                       (copy; uploads: only targets going down from the link's folder)
    -i, --identity FILE   sftp://: the SSH private key to log in with (before ssh-agent and
                       ~/.ssh/id_*); for find, -i is --ignore-case
    --ignore-case      find: the pattern ignores case
    --min-size N, --max-size N    find: size bounds in bytes (suffix k, M, G: 1024-based)
    --newer DATE, --older DATE    find: modified at or after / at or before DATE (ISO 8601)
    --trust-new        trust a server met for the first time and remember its key: a TLS
                       certificate in ~/.config/ferry/known_hosts, an SSH host key in
                       ~/.ssh/known_hosts (else: asked at a terminal; scripts fail with TRUST)
    --save-password    bookmark add: keep the password (in a file only you can read)
    -h, --help         this help
    --version          the version
`;

/** The package's description, then the usage. */
export function helpText(): string {
  const { description } = packageInfo(import.meta.url);
  return `${description ? `  ${description}\n\n` : ''}${USAGE.replace(/^\n+|\n+$/g, '')}\n\n`;
}
