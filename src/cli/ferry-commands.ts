/**
 * The scriptable `ferry` commands: ls, get, put, rm, mkdir, mv, chmod, find,
 * sync, bookmark. Each one opens a session from a remote URL of any kind
 * (ferry://, ferrys://, sftp://, ftp://, ftps://) or `@NAME[/path]` through
 * openRemote, talks to it only through the Remote interface, quits, and
 * returns an exit code: 0 on success, 1 with one line `ferry: CODE: message`
 * on stderr on failure, 2 for a usage error (sync: 3 when it changed
 * something). A progress bar goes to stderr only when it is a terminal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { refuseServerRoot } from '../remote/server-root.js';
import { parseModeSpec } from '../client/mode-spec.js';
import { parseRate, RateLimit } from '../client/rate-limit.js';
import { joinRemote, remoteBasename } from '../client/remote-path.js';
import { LINK_POLICIES, type LinkPolicy } from '../client/tree-links.js';
import type { Entry, TransferResult, TreeTransferResult } from '../client/types.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { EntryKind } from '../protocol/messages.js';
import type { Remote } from '../remote/remote.js';
import { parseRemoteUrl } from '../remote/remote-url.js';
import { escapeControlCharacters } from '../terminal/control-characters.js';
import { bookmarkCommand } from './bookmark-command.js';
import { parseCommandLine, type FlagDefinition } from './command-line.js';
import { helpText } from './ferry-help.js';
import { describeVerification, requireFeature, withRemote } from './open-target.js';
import { packageInfo } from './package-info.js';
import { createProgressBar, type ProgressBar } from './progress-bar.js';
import { isRemoteTarget, resolveRemoteTarget, type RemoteTarget } from './remote-target.js';
import { syncCommand } from './sync-command.js';
import { UsageError } from './usage-error.js';

export interface FerryIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Where a terminal's answers come from (a password, a trust question); default process.stdin. */
  stdin?: NodeJS.ReadStream;
}

const FLAGS = {
  recursive: { type: 'boolean', shortFlag: 'r', aliases: ['R'] as string[], default: false },
  parents: { type: 'boolean', shortFlag: 'p', default: false },
  overwrite: { type: 'boolean', shortFlag: 'f', default: false },
  resume: { type: 'boolean', default: false },
  limit: { type: 'string' },
  delete: { type: 'boolean', default: false },
  dryRun: { type: 'boolean', default: false },
  checksum: { type: 'boolean', default: false },
  exclude: { type: 'string', isMultiple: true, default: [] as string[] },
  trustNew: { type: 'boolean', default: false },
  help: { type: 'boolean', shortFlag: 'h', default: false },
  version: { type: 'boolean', default: false },
  demo: { type: 'boolean', default: false },
  identity: { type: 'string', shortFlag: 'i' },
  savePassword: { type: 'boolean', default: false },
  ignoreCase: { type: 'boolean', default: false },
  minSize: { type: 'string' },
  maxSize: { type: 'string' },
  newer: { type: 'string' },
  older: { type: 'string' },
  links: { type: 'string', default: 'skip' },
} as const satisfies Record<string, FlagDefinition>;

/** `find`'s flags: there `-i` is --ignore-case (as in grep), the key file only --identity. */
const FIND_FLAGS = {
  ...FLAGS,
  identity: { type: 'string' },
  ignoreCase: { type: 'boolean', shortFlag: 'i', default: false },
} as const satisfies Record<keyof typeof FLAGS, FlagDefinition>;

interface Flags {
  recursive: boolean;
  parents: boolean;
  overwrite: boolean;
  resume: boolean;
  limit?: string | undefined;
  trustNew: boolean;
  delete: boolean;
  dryRun: boolean;
  checksum: boolean;
  exclude: string[];
  identity?: string | undefined;
  savePassword: boolean;
  ignoreCase: boolean;
  minSize?: string | undefined;
  maxSize?: string | undefined;
  newer?: string | undefined;
  older?: string | undefined;
  links: string;
}

/** Runs `ferry` with `argv` (without node and the script); resolves with the exit code. */
export async function runFerry(argv: readonly string[], io: FerryIo = defaultIo()): Promise<number> {
  const asFind = parseCommandLine(argv, FIND_FLAGS);
  const cli = asFind.input[0] === 'find' ? asFind : parseCommandLine(argv, FLAGS);
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
    io.stdout.write(helpText());
    return 0;
  }
  const [command, ...args] = cli.input;
  try {
    if (typeof flags.identity === 'boolean') throw new UsageError('-i/--identity takes a key file');
    if (command === undefined || flags.demo || (args.length === 0 && isRemoteTarget(command))) {
      return await runWithoutSubcommand(command, flags, io);
    }
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
 * `ferry`, `ferry URL`, `ferry @NAME`, `ferry --demo`: the interactive UI
 * (src/tui), loaded only here so the scriptable commands start without Ink
 * and React. `@NAME` is resolved here: the UI gets the bookmark's URL (with
 * any path below it), its key file and its kept password.
 */
async function runWithoutSubcommand(target: string | undefined, flags: Flags & { demo: boolean }, io: FerryIo): Promise<number> {
  const resolved = target === undefined || flags.demo ? undefined : await resolveRemoteTarget(target, io.env);
  const fromEnvironment = io.env.FERRY_PASSWORD !== undefined && io.env.FERRY_PASSWORD !== '' ? io.env.FERRY_PASSWORD : undefined;
  const { startTui } = await import('../tui/load.js');
  const startDemo = flags.demo ? (await import('./demo.js')).startDemo : undefined;
  return startTui({
    url: resolved?.text,
    demo: startDemo,
    password: resolved?.bookmark?.password ?? fromEnvironment,
    identityFile: flags.identity ?? resolved?.bookmark?.identityFile,
  }, io.stderr);
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
  sync: { args: [2, 2], run: syncBetween },
  chmod: { args: [2, 2], run: chmodCommand },
  find: { args: [2, 2], run: findCommand },
  bookmark: { args: [1, 3], run: (args, flags, io) => bookmarkCommand(args, flags, sessionIo(io)) },
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

/**
 * A command's session with the server `target` names; `recentFolder` is the
 * folder the command worked in, recorded in the recent list.
 */
async function withSession<T>(target: RemoteTarget, recentFolder: string | undefined, flags: Flags, io: FerryIo, work: (remote: Remote) => Promise<T>): Promise<T> {
  if (flags.identity !== undefined && target.url.kind !== 'sftp') {
    throw new UsageError(`-i/--identity is an SSH key file, for sftp:// servers (not ${target.url.scheme}://)`);
  }
  return withRemote(target, { trustNew: flags.trustNew, identityFile: flags.identity, recentFolder }, sessionIo(io), work);
}

function sessionIo(io: FerryIo): FerryIo & { stdin: NodeJS.ReadStream } {
  return { ...io, stdin: io.stdin ?? process.stdin };
}

/**
 * `ferry sync` between places of any kind (src/cli/sync-command.ts): `@NAME`
 * is resolved to its URL first, then each side's session is opened as every
 * command's is.
 */
async function syncBetween([source, target]: string[], flags: Flags, io: FerryIo): Promise<number> {
  const targets = new Map<string, RemoteTarget>();
  const sideOf = async (arg: string): Promise<string> => {
    if (!isRemoteTarget(arg)) return arg;
    const resolved = await resolveRemoteTarget(arg, io.env);
    targets.set(resolved.text, resolved);
    return resolved.text;
  };
  const [from, to] = [await sideOf(source!), await sideOf(target!)];
  return syncCommand(from, to, flags, {
    stdout: io.stdout,
    withSession: (url, work) => withSession(targets.get(url) ?? { url: parseRemoteUrl(url), text: url }, undefined, flags, io, work),
    progress: (title) => progressFor(io, title),
  });
}

function progressFor(io: FerryIo, title: string): ProgressBar | undefined {
  const stream = io.stderr as NodeJS.WriteStream;
  return stream.isTTY ? createProgressBar(stream, title) : undefined;
}

/** The folder a path is in (what the recent list keeps for a command on a file). */
function folderOf(remotePath: string): string {
  return path.posix.dirname(remotePath.replace(/\/+$/, '') || '/');
}

async function listCommand([arg]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const target = await resolveRemoteTarget(arg!, io.env);
  const where = target.url.path;
  await withSession(target, where, flags, io, async (remote) => {
    const linkTargets = remote.features.linkTargets;
    const entries = await remote.list(where, { recursive: flags.recursive, linkTargets }).catch(async (error: unknown) => {
      // A file: show its one entry, as ls does.
      if (error instanceof FerryError && error.code === ErrorCode.NOT_A_DIRECTORY) return [await remote.stat(where)];
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

/** `--resume` where the kind cannot continue a transfer is said, not quietly turned into a fresh one. */
function checkResume(remote: Remote, flags: Flags): void {
  if (flags.resume) requireFeature(remote, 'resume', 'resuming a transfer (--resume)');
}

/** The line that says what a finished transfer moved and how its content was checked. */
function reportTransfer(io: FerryIo, remote: Remote, verb: 'get' | 'put', from: string, to: string, result: TransferResult | TreeTransferResult): void {
  const counts = 'files' in result
    ? `${result.files} file${result.files === 1 ? '' : 's'}, ${result.bytes} bytes`
    : `${result.size} bytes${result.resumedFrom > 0 ? ` (resumed at ${result.resumedFrom})` : ''}`;
  const line = `${verb} ${from} -> ${to}: ${counts}, checked: ${describeVerification(remote.description.verification)}`;
  io.stdout.write(`${escapeControlCharacters(line)}\n`);
}

async function getCommand([source, localArg]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const target = await resolveRemoteTarget(source!, io.env);
  const remotePath = target.url.path;
  const name = remoteBasename(remotePath);
  let local = localArg ?? (name === '' ? '.' : name);
  await withSession(target, folderOf(remotePath), flags, io, async (remote) => {
    checkResume(remote, flags);
    const entry = await remote.stat(remotePath);
    const localIsFolder = await isLocalFolder(local);
    if (entry.kind === EntryKind.DIRECTORY) {
      if (!flags.recursive) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${remotePath} is a folder (use -r)`);
      if (localArg !== undefined && localIsFolder && name !== '') local = path.join(local, name);
      const bar = progressFor(io, 'get');
      try {
        const links = linkPolicy(flags);
        const result = await remote.downloadTree(remotePath, local, {
          overwrite: flags.overwrite, resume: flags.resume, links, ...rateLimitOption(flags),
          onProgress: (p) => bar?.update(p.bytesDone, p.bytesTotal, `${p.filesDone}/${p.filesTotal} files`),
        });
        bar?.finish();
        reportLinks(io, result);
        reportTransfer(io, remote, 'get', remotePath, local, result);
      } finally {
        bar?.finish();
      }
      return;
    }
    if (entry.kind !== EntryKind.FILE) throw new FerryError(ErrorCode.UNSUPPORTED, `${remotePath} is not a regular file`);
    if (localIsFolder) local = path.join(local, name);
    const bar = progressFor(io, 'get');
    try {
      const result = await remote.download(remotePath, local, {
        overwrite: flags.overwrite, resume: flags.resume, ...rateLimitOption(flags), onProgress: (p) => bar?.update(p.bytes, p.total),
      });
      bar?.finish();
      reportTransfer(io, remote, 'get', remotePath, local, result);
    } finally {
      bar?.finish();
    }
  });
}

async function putCommand([local, destination]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const target = await resolveRemoteTarget(destination!, io.env);
  let stats: fs.Stats;
  try {
    stats = await fs.promises.stat(local!);
  } catch {
    throw new FerryError(ErrorCode.NOT_FOUND, `no such local file: ${local}`);
  }
  await withSession(target, folderOf(target.url.path), flags, io, async (remote) => {
    checkResume(remote, flags);
    let remotePath = target.url.path;
    const existing = await remote.stat(remotePath).catch((error: unknown) => {
      if (error instanceof FerryError && error.code === ErrorCode.NOT_FOUND) return undefined;
      throw error;
    });
    // A trailing `/` names a folder that must exist (like cp), not a new file of that name.
    if (remotePath.length > 1 && remotePath.endsWith('/') && existing?.kind !== EntryKind.DIRECTORY) {
      throw existing
        ? new FerryError(ErrorCode.NOT_A_DIRECTORY, `${remotePath} is not a folder`)
        : new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${remotePath}`);
    }
    // Into an existing folder, under the local name (like cp).
    if (existing?.kind === EntryKind.DIRECTORY) remotePath = joinRemote(remotePath, path.basename(path.resolve(local!)));
    const bar = progressFor(io, 'put');
    try {
      if (stats.isDirectory()) {
        if (!flags.recursive) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${local} is a folder (use -r)`);
        const result = await remote.uploadTree(local!, remotePath, {
          overwrite: flags.overwrite, resume: flags.resume, links: linkPolicy(flags), ...rateLimitOption(flags),
          onProgress: (p) => bar?.update(p.bytesDone, p.bytesTotal, `${p.filesDone}/${p.filesTotal} files`),
        });
        bar?.finish();
        reportLinks(io, result);
        reportTransfer(io, remote, 'put', local!, remotePath, result);
      } else {
        const result = await remote.upload(local!, remotePath, {
          overwrite: flags.overwrite, resume: flags.resume, ...rateLimitOption(flags), onProgress: (p) => bar?.update(p.bytes, p.total),
        });
        bar?.finish();
        reportTransfer(io, remote, 'put', local!, remotePath, result);
      }
    } finally {
      bar?.finish();
    }
  });
}

async function removeCommand([arg]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const target = await resolveRemoteTarget(arg!, io.env);
  const remotePath = target.url.path;
  // Checked before connecting: nothing of the server is touched, whatever the kind.
  refuseServerRoot(remotePath);
  await withSession(target, folderOf(remotePath), flags, io, async (remote) => {
    const entry = await remote.stat(remotePath);
    if (entry.kind === EntryKind.DIRECTORY) {
      if (!flags.recursive) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${remotePath} is a folder (use -r)`);
      await remote.rmdir(remotePath, { recursive: true });
    } else {
      await remote.delete(remotePath);
    }
  });
}

async function mkdirCommand([arg]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const target = await resolveRemoteTarget(arg!, io.env);
  await withSession(target, folderOf(target.url.path), flags, io, (remote) => remote.mkdir(target.url.path, { parents: flags.parents }));
}

/**
 * NEWPATH: a path on the same server (or a URL or `@NAME` of it); relative
 * ones are taken from the source's folder (a rename). Like mv, onto an
 * existing folder (not a symlink to one) the source moves into it under its
 * own name; a NEWPATH ending in `/` must be such a folder.
 */
async function moveCommand([source, newPath]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const target = await resolveRemoteTarget(source!, io.env);
  const from = target.url.path;
  let to: string;
  if (isRemoteTarget(newPath!)) {
    const other = (await resolveRemoteTarget(newPath!, io.env)).url;
    if (other.kind !== target.url.kind || other.host !== target.url.host || other.port !== target.url.port) {
      throw new FerryError(ErrorCode.UNSUPPORTED, 'mv works within one server');
    }
    to = other.path;
  } else if (newPath!.startsWith('/')) {
    to = newPath!;
  } else {
    // Joined as text, not normalised: a `..` goes to the server, which judges it.
    const folder = path.posix.dirname(from);
    to = folder === '/' || folder === '.' ? `/${newPath}` : `${folder}/${newPath}`;
  }
  await withSession(target, folderOf(from), flags, io, async (remote) => {
    const existing = await remote.stat(to).catch((error: unknown) => {
      if (error instanceof FerryError && error.code === ErrorCode.NOT_FOUND) return undefined;
      throw error;
    });
    if (to.length > 1 && to.endsWith('/') && existing?.kind !== EntryKind.DIRECTORY) {
      throw existing
        ? new FerryError(ErrorCode.NOT_A_DIRECTORY, `${to} is not a folder`)
        : new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${to}`);
    }
    const destination = existing?.kind === EntryKind.DIRECTORY ? joinRemote(to, remoteBasename(from)) : to;
    await remote.rename(from, destination, { overwrite: flags.overwrite });
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

async function chmodCommand([modeSpec, arg]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const change = parseModeSpec(modeSpec!);
  if (!change) throw new UsageError(`not a mode: ${JSON.stringify(modeSpec)} (octal like 644, or clauses like u+x,go-w)`);
  const target = await resolveRemoteTarget(arg!, io.env);
  await withSession(target, folderOf(target.url.path), flags, io, async (remote) => {
    requireFeature(remote, 'chmod', 'chmod');
    await remote.chmod(target.url.path, change, { recursive: flags.recursive });
  });
}

/** Matches are printed batch by batch as the server finds them, in the order it walks. */
async function findCommand([arg, pattern]: string[], flags: Flags, io: FerryIo): Promise<void> {
  const target = await resolveRemoteTarget(arg!, io.env);
  const query = {
    pattern: pattern!, ignoreCase: flags.ignoreCase,
    ...optionalBound('minSize', flags.minSize, parseSize), ...optionalBound('maxSize', flags.maxSize, parseSize),
    ...optionalBound('minMtimeMs', flags.newer, parseDate), ...optionalBound('maxMtimeMs', flags.older, parseDate),
  };
  await withSession(target, target.url.path, flags, io, async (remote) => {
    requireFeature(remote, 'find', 'find (a search on the server; list with ls -r instead)');
    await remote.find(target.url.path, query, {
      linkTargets: remote.features.linkTargets, onBatch: (entries) => io.stdout.write(entries.map(formatEntry).join('')),
    });
  });
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

/** `--limit RATE`: a bandwidth limit for the one transfer a get or put makes; none without the flag (or with 0). */
function rateLimitOption(flags: Flags): { rateLimit?: RateLimit } {
  if (flags.limit === undefined) return {};
  const rate = parseRate(flags.limit);
  if (rate === undefined) throw new UsageError(`not a rate: ${JSON.stringify(flags.limit)} (bytes per second, or with k, M, G: 500K, 10M)`);
  return rate > 0 ? { rateLimit: new RateLimit(rate) } : {};
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
