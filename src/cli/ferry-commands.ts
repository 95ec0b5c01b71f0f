/**
 * The scriptable `ferry` commands: ls, get, put, rm, mkdir, mv, chmod, find, sync. Each
 * one opens a session from a ferry:// URL, does its work, quits, and returns an
 * exit code: 0 on success, 1 with one line `ferry: CODE: message` on stderr on
 * failure, 2 for a usage error (sync: 3 when it changed something). A progress bar goes to stderr only when it is
 * a terminal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FerryClient } from '../client/client.js';
import { parseModeSpec } from '../client/mode-spec.js';
import { joinRemote, remoteBasename } from '../client/remote-path.js';
import { LINK_POLICIES, type LinkPolicy } from '../client/tree-links.js';
import type { Entry, TreeTransferResult } from '../client/types.js';
import { connectOptionsFromUrl, parseFerryUrl, type FerryUrl } from '../client/url.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { EntryKind } from '../protocol/messages.js';
import { escapeControlCharacters } from '../terminal/control-characters.js';
import { packageInfo, parseCommandLine } from './command-line.js';
import { createProgressBar, type ProgressBar } from './progress-bar.js';
import { syncCommand } from './sync-command.js';
import { createTrustCheck } from './trust.js';
import { createCliKeyApprover } from './trust-prompt.js';
import { openRemote } from '../remote/open-remote.js';

const HELP = `
  Usage
    $ ferry [URL]                         the dual-pane UI (connect dialog, or URL at once)
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

  URL
    ferry://[user[:password]@]host[:port]/path   TLS, or plain TCP on a loopback host
    ferrys://...                                 TLS always
    Default port 7070. The password may also come from FERRY_PASSWORD.

  Options
    -r, -R, --recursive  folders and their contents (ls, get, put, rm, chmod)
    -p, --parents      mkdir: create missing parents
    -f, --overwrite    replace an existing destination
    --resume           continue an interrupted transfer
    --delete           sync: remove what is only in DST
    --dry-run          sync: print the plan, change nothing
    --checksum         sync: compare files of equal size by content (SHA-256), not mtime
    --exclude GLOB     sync: leave out matching names or paths (repeatable); see docs/SYNC.md
    --links=skip|follow|copy   get -r, put -r: symlinks in the tree are left out and counted
                       (skip, the default), copied as what they point to when that is inside
                       the tree (follow), or made again when their target stays inside it
                       (copy; downloads only)
    -i, --ignore-case  find: the pattern ignores case
    --min-size N, --max-size N    find: size bounds in bytes (suffix k, M, G: 1024-based)
    --newer DATE, --older DATE    find: modified at or after / at or before DATE (ISO 8601)
    --trust-new        trust a TLS server met for the first time and remember its
                       fingerprint in ~/.config/ferry/known_hosts (else: asked on a terminal)
    -h, --help         this help
    --version          the version
`;

export interface FerryIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const FLAGS = {
  recursive: { type: 'boolean', shortFlag: 'r', aliases: ['R'] as string[], default: false },
  parents: { type: 'boolean', shortFlag: 'p', default: false },
  overwrite: { type: 'boolean', shortFlag: 'f', default: false },
  resume: { type: 'boolean', default: false },
  delete: { type: 'boolean', default: false },
  dryRun: { type: 'boolean', default: false },
  checksum: { type: 'boolean', default: false },
  exclude: { type: 'string', isMultiple: true, default: [] as string[] },
  trustNew: { type: 'boolean', default: false },
  help: { type: 'boolean', shortFlag: 'h', default: false },
  version: { type: 'boolean', default: false },
  demo: { type: 'boolean', default: false },
  ignoreCase: { type: 'boolean', shortFlag: 'i', default: false },
  minSize: { type: 'string' },
  maxSize: { type: 'string' },
  newer: { type: 'string' },
  older: { type: 'string' },
  links: { type: 'string', default: 'skip' },
} as const;

interface Flags {
  recursive: boolean;
  parents: boolean;
  overwrite: boolean;
  resume: boolean;
  trustNew: boolean;
  delete: boolean;
  dryRun: boolean;
  checksum: boolean;
  exclude: string[];
  ignoreCase: boolean;
  minSize?: string | undefined;
  maxSize?: string | undefined;
  newer?: string | undefined;
  older?: string | undefined;
  links: string;
}

class UsageError extends Error {}

/** Runs `ferry` with `argv` (without node and the script); resolves with the exit code. */
export async function runFerry(argv: readonly string[], io: FerryIo = defaultIo()): Promise<number> {
  const cli = parseCommandLine(argv, FLAGS);
  if (cli.unknown.length > 0) {
    io.stderr.write(`ferry: unknown option ${cli.unknown.join(', ')} (see ferry --help)\n`);
    return 2;
  }
  const flags = cli.flags as unknown as Flags & { version: boolean; help: boolean; demo: boolean };
  if (flags.version) {
    io.stdout.write(`${packageInfo(import.meta.url).version ?? 'unknown'}\n`);
    return 0;
  }
  if (flags.help) {
    const { description } = packageInfo(import.meta.url);
    io.stdout.write(`${description ? `  ${description}\n\n` : ''}${HELP.replace(/^\n+|\n+$/g, '')}\n\n`);
    return 0;
  }
  const [command, ...args] = cli.input;
  if (command === undefined || flags.demo || (args.length === 0 && /^ferrys?:\/\//i.test(command))) {
    return runWithoutSubcommand(command, flags.demo, io);
  }
  try {
    return (await runCommand(command, args, flags, io)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`ferry: ${error.message} (see ferry --help)\n`);
      return 2;
    }
    io.stderr.write(`ferry: ${describeError(error)}\n`);
    return 1;
  }
}

/**
 * `ferry`, `ferry URL`, `ferry --demo`: the interactive UI (src/tui). Loaded
 * only here so the scriptable commands start without Ink and React.
 */
async function runWithoutSubcommand(url: string | undefined, demo: boolean, io: FerryIo): Promise<number> {
  const { startTui } = await import('../tui/load.js');
  const startDemo = demo ? (await import('./demo.js')).startDemo : undefined;
  return startTui({ url, demo: startDemo, password: io.env.FERRY_PASSWORD }, io.stderr);
}

function describeError(error: unknown): string {
  if (error instanceof FerryError) return oneLine(error.toString());
  return oneLine(`INTERNAL: ${error instanceof Error ? error.message : String(error)}`);
}

/** One line, and no control character from a server's message reaches the terminal. */
function oneLine(text: string): string {
  return escapeControlCharacters(text.replace(/\s*\n\s*/g, ' '));
}

const COMMANDS: Record<string, { args: [number, number]; run: (args: string[], flags: Flags, io: FerryIo) => Promise<void | number> }> = {
  ls: { args: [1, 1], run: listCommand },
  get: { args: [1, 2], run: getCommand },
  put: { args: [2, 2], run: putCommand },
  rm: { args: [1, 1], run: removeCommand },
  mkdir: { args: [1, 1], run: mkdirCommand },
  mv: { args: [2, 2], run: moveCommand },
  sync: {
    args: [2, 2],
    run: ([source, target], flags, io) => syncCommand(source!, target!, flags, {
      stdout: io.stdout,
      open: (url) => openRemote(url, {
        ...(io.env.FERRY_PASSWORD !== undefined ? { password: io.env.FERRY_PASSWORD } : {}), env: io.env,
        verifyNewKey: createCliKeyApprover({ trustNew: flags.trustNew, env: io.env, stderr: io.stderr }),
      }),
      progress: (title) => progressFor(io, title),
    }),
  },
  chmod: { args: [2, 2], run: chmodCommand },
  find: { args: [2, 2], run: findCommand },
};

async function runCommand(command: string, args: string[], flags: Flags, io: FerryIo): Promise<void | number> {
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const [min, max] = spec.args;
  if (args.length < min || args.length > max) {
    throw new UsageError(`${command} takes ${min === max ? min : `${min} to ${max}`} argument${max > 1 ? 's' : ''}`);
  }
  return spec.run(args, flags, io);
}

/** Connects for `url`, runs `work`, and always ends the session. */
async function withSession<T>(url: FerryUrl, flags: Flags, io: FerryIo, work: (client: FerryClient) => Promise<T>): Promise<T> {
  const options = connectOptionsFromUrl(url);
  if (options.password === undefined && io.env.FERRY_PASSWORD !== undefined) options.password = io.env.FERRY_PASSWORD;
  const client = await FerryClient.connect({ ...options, verifyFingerprint: createTrustCheck({ trustNew: flags.trustNew, env: io.env, stderr: io.stderr }) });
  try {
    return await work(client);
  } finally {
    if (client.connected) await client.quit().catch(() => client.close());
  }
}

function progressFor(io: FerryIo, title: string): ProgressBar | undefined {
  const stream = io.stderr as NodeJS.WriteStream;
  return stream.isTTY ? createProgressBar(stream, title) : undefined;
}

async function listCommand([target]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const url = parseFerryUrl(target!);
  await withSession(url, flags, io, async (client) => {
    const entries = await client.list(url.path, { recursive: flags.recursive, linkTargets: true }).catch(async (error: unknown) => {
      // A file: show its one entry, as ls does.
      if (error instanceof FerryError && error.code === ErrorCode.NOT_A_DIRECTORY) return [await client.stat(url.path)];
      throw error;
    });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    io.stdout.write(entries.map(formatEntry).join(''));
  });
}

const KIND_LETTER: Record<number, string> = {
  [EntryKind.FILE]: '-', [EntryKind.DIRECTORY]: 'd', [EntryKind.SYMLINK]: 'l', [EntryKind.OTHER]: '?',
};

export function formatEntry(entry: Entry): string {
  const kind = KIND_LETTER[entry.kind] ?? '?';
  const mode = (entry.mode & 0o7777).toString(8).padStart(4, '0');
  const when = new Date(entry.mtimeMs).toISOString().slice(0, 19).replace('T', ' ');
  // The name is the server's: a control character in it is printed as \xHH, never sent to the terminal.
  const target = entry.linkTarget === undefined ? '' : ` -> ${escapeControlCharacters(entry.linkTarget)}`;
  return `${kind} ${mode} ${String(entry.size).padStart(12)} ${when} ${escapeControlCharacters(entry.name)}${target}\n`;
}

async function getCommand([source, localArg]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const url = parseFerryUrl(source!);
  const name = remoteBasename(url.path);
  let local = localArg ?? (name === '' ? '.' : name);
  await withSession(url, flags, io, async (client) => {
    const entry = await client.stat(url.path);
    const localIsFolder = await isLocalFolder(local);
    if (entry.kind === EntryKind.DIRECTORY) {
      if (!flags.recursive) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${url.path} is a folder (use -r)`);
      if (localArg !== undefined && localIsFolder && name !== '') local = path.join(local, name);
      const bar = progressFor(io, 'get');
      try {
        const links = linkPolicy(flags);
        const result = await client.downloadTree(url.path, local, {
          overwrite: flags.overwrite, resume: flags.resume, links,
          onProgress: (p) => bar?.update(p.bytesDone, p.bytesTotal, `${p.filesDone}/${p.filesTotal} files`),
        });
        bar?.finish();
        reportLinks(io, result);
      } finally {
        bar?.finish();
      }
      return;
    }
    if (entry.kind !== EntryKind.FILE) throw new FerryError(ErrorCode.UNSUPPORTED, `${url.path} is not a regular file`);
    if (localIsFolder) local = path.join(local, name);
    const bar = progressFor(io, 'get');
    try {
      await client.download(url.path, local, {
        overwrite: flags.overwrite, resume: flags.resume, onProgress: (p) => bar?.update(p.bytes, p.total),
      });
    } finally {
      bar?.finish();
    }
  });
}

async function putCommand([local, target]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const url = parseFerryUrl(target!);
  let stats: fs.Stats;
  try {
    stats = await fs.promises.stat(local!);
  } catch {
    throw new FerryError(ErrorCode.NOT_FOUND, `no such local file: ${local}`);
  }
  await withSession(url, flags, io, async (client) => {
    let remote = url.path;
    const existing = await client.stat(remote).catch((error: unknown) => {
      if (error instanceof FerryError && error.code === ErrorCode.NOT_FOUND) return undefined;
      throw error;
    });
    // A trailing `/` names a folder that must exist (like cp), not a new file of that name.
    if (remote.length > 1 && remote.endsWith('/') && existing?.kind !== EntryKind.DIRECTORY) {
      throw existing
        ? new FerryError(ErrorCode.NOT_A_DIRECTORY, `${remote} is not a folder`)
        : new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${remote}`);
    }
    // Into an existing folder, under the local name (like cp).
    if (existing?.kind === EntryKind.DIRECTORY) remote = joinRemote(remote, path.basename(path.resolve(local!)));
    const bar = progressFor(io, 'put');
    try {
      if (stats.isDirectory()) {
        if (!flags.recursive) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${local} is a folder (use -r)`);
        const result = await client.uploadTree(local!, remote, {
          overwrite: flags.overwrite, resume: flags.resume, links: linkPolicy(flags),
          onProgress: (p) => bar?.update(p.bytesDone, p.bytesTotal, `${p.filesDone}/${p.filesTotal} files`),
        });
        bar?.finish();
        reportLinks(io, result);
      } else {
        await client.upload(local!, remote, {
          overwrite: flags.overwrite, resume: flags.resume, onProgress: (p) => bar?.update(p.bytes, p.total),
        });
      }
    } finally {
      bar?.finish();
    }
  });
}

async function removeCommand([target]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const url = parseFerryUrl(target!);
  await withSession(url, flags, io, async (client) => {
    const entry = await client.stat(url.path);
    if (entry.kind === EntryKind.DIRECTORY) {
      if (!flags.recursive) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${url.path} is a folder (use -r)`);
      await client.rmdir(url.path, { recursive: true });
    } else {
      await client.delete(url.path);
    }
  });
}

async function mkdirCommand([target]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const url = parseFerryUrl(target!);
  await withSession(url, flags, io, (client) => client.mkdir(url.path, { parents: flags.parents }));
}

/**
 * NEWPATH: a path on the same server; relative ones are taken from the
 * source's folder (a rename). Like mv, onto an existing folder (not a
 * symlink to one) the source moves into it under its own name; a NEWPATH
 * ending in `/` must be such a folder.
 */
async function moveCommand([source, newPath]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const url = parseFerryUrl(source!);
  let to: string;
  if (/^ferrys?:\/\//i.test(newPath!)) {
    const other = parseFerryUrl(newPath!);
    if (other.host !== url.host || other.port !== url.port) {
      throw new FerryError(ErrorCode.UNSUPPORTED, 'mv works within one server');
    }
    to = other.path;
  } else if (newPath!.startsWith('/')) {
    to = newPath!;
  } else {
    // Joined as text, not normalised: a `..` goes to the server, which judges it.
    const folder = path.posix.dirname(url.path);
    to = folder === '/' || folder === '.' ? `/${newPath}` : `${folder}/${newPath}`;
  }
  await withSession(url, flags, io, async (client) => {
    const existing = await client.stat(to).catch((error: unknown) => {
      if (error instanceof FerryError && error.code === ErrorCode.NOT_FOUND) return undefined;
      throw error;
    });
    if (to.length > 1 && to.endsWith('/') && existing?.kind !== EntryKind.DIRECTORY) {
      throw existing
        ? new FerryError(ErrorCode.NOT_A_DIRECTORY, `${to} is not a folder`)
        : new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${to}`);
    }
    const target = existing?.kind === EntryKind.DIRECTORY ? joinRemote(to, remoteBasename(url.path)) : to;
    await client.rename(url.path, target, { overwrite: flags.overwrite });
  });
}

function linkPolicy(flags: Flags): LinkPolicy {
  const policy = LINK_POLICIES.find((known) => known === flags.links);
  if (!policy) throw new UsageError(`--links takes ${LINK_POLICIES.join(', ')}, not ${JSON.stringify(flags.links)}`);
  return policy;
}

/** Links a tree transfer left out are said, not silently dropped (stderr: stdout stays the data). */
function reportLinks(io: FerryIo, result: TreeTransferResult): void {
  const skipped = result.skippedLinks ?? 0;
  const copied = result.copiedLinks ?? 0;
  if (copied > 0) io.stderr.write(`ferry: ${copied} symlink${copied === 1 ? '' : 's'} copied\n`);
  if (skipped > 0) {
    io.stderr.write(`ferry: ${skipped} symlink${skipped === 1 ? '' : 's'} skipped (see --links)\n`);
  }
}

async function chmodCommand([modeSpec, target]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const change = parseModeSpec(modeSpec!);
  if (!change) throw new UsageError(`not a mode: ${JSON.stringify(modeSpec)} (octal like 644, or clauses like u+x,go-w)`);
  const url = parseFerryUrl(target!);
  await withSession(url, flags, io, (client) => client.chmod(url.path, change, { recursive: flags.recursive }));
}

/** Matches are printed batch by batch as the server finds them, in the order it walks. */
async function findCommand([target, pattern]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const url = parseFerryUrl(target!);
  const query = {
    pattern: pattern!, ignoreCase: flags.ignoreCase,
    ...optionalBound('minSize', flags.minSize, parseSize), ...optionalBound('maxSize', flags.maxSize, parseSize),
    ...optionalBound('minMtimeMs', flags.newer, parseDate), ...optionalBound('maxMtimeMs', flags.older, parseDate),
  };
  await withSession(url, flags, io, (client) => client.find(url.path, query, {
    linkTargets: true, onBatch: (entries) => io.stdout.write(entries.map(formatEntry).join('')),
  }));
}

function optionalBound<K extends string>(key: K, text: string | undefined, parse: (text: string) => number): Partial<Record<K, number>> {
  return text === undefined ? {} : { [key]: parse(text) } as Record<K, number>;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

function parseSize(text: string): number {
  const match = /^(\d+)([kmgt]?)b?$/i.exec(text.trim());
  const value = match ? Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]! : Number.NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`not a size: ${JSON.stringify(text)} (bytes, or with k, M, G)`);
  return value;
}

function parseDate(text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || ms < 0) throw new UsageError(`not a date: ${JSON.stringify(text)} (ISO 8601, like 2026-01-31)`);
  return ms;
}

async function isLocalFolder(local: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(local)).isDirectory();
  } catch {
    return false;
  }
}

function defaultIo(): FerryIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
