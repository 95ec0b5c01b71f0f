/**
 * Unfinished transfers kept across a restart of `ferry`: the queue's
 * unfinished items (and those a dropped connection cut off) are written to a
 * small JSON file whenever that set changes, atomically (a crash leaves the
 * old list or the new one), and offered again on the next start once the
 * same pane is connected to the same server. Either pane's session has its
 * own list in the file, naming its pane and its server by host, port, user
 * and TLS mode, never a password. A copy between two servers goes through
 * both sessions and is not kept (docs/TUI.md says why), nor is a copy
 * between two local folders (no server to wait for).
 *
 * File: `$XDG_STATE_HOME/ferry/transfers.json`, else
 * `~/.local/state/ferry/transfers.json` (state, not settings: the XDG base
 * directory spec's place for what a program keeps between runs).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../../security/config-dir.js';
import { isOutstanding, type SelectedEntry, type TransferItem, type TransferRequest } from '../state/transfers.js';
import type { ConnectParams } from '../connect-params.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { goesThrough, type TransferQueue } from './transfer-queue.js';

export interface SavedServer {
  host: string;
  port: number;
  user: string;
  tls: ConnectParams['tls'];
}

/** One pane's session in the list: its server and the transfers that go through it. */
export interface SavedSession {
  /** The pane whose session it was (`local`: the left pane, connected with Alt-O). */
  side: PaneSide;
  server: SavedServer;
  transfers: TransferRequest[];
}

/** At most one session a pane. */
export interface SavedQueue {
  sessions: SavedSession[];
}

/** 2: a list a pane; 1 (read still): the right pane's list alone. */
const FORMAT_VERSION = 2;
const SIDES: readonly PaneSide[] = ['remote', 'local'];
/** A bound on what is read back: a state file this big was not written by ferry. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

export function defaultSavedQueueFile(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg !== undefined && xdg !== '' && path.isAbsolute(xdg)
    ? xdg
    : path.join(env.HOME && env.HOME !== '' ? env.HOME : os.homedir(), '.local', 'state');
  return path.join(base, 'ferry', 'transfers.json');
}

export function savedServerOf(params: ConnectParams): SavedServer {
  return { host: params.host, port: params.port, user: params.user, tls: params.tls };
}

export function sameServer(a: SavedServer, b: SavedServer): boolean {
  return a.host === b.host && a.port === b.port && a.user === b.user && a.tls === b.tls;
}

/**
 * What is kept of `side`'s session: its rows not finished, and those a dropped connection cut off (they
 * resume on reconnect). Only uploads and downloads: a copy between two servers needs both sessions.
 */
export function sessionRequests(items: readonly TransferItem[], side: PaneSide): TransferRequest[] {
  return items
    .filter((item) => isOutstanding(item) && (item.direction === 'upload' || item.direction === 'download') && goesThrough(item, side))
    .map(requestOf);
}

/**
 * The fields that say what a transfer is (a selection keeps its names: without them it would be the whole
 * folder; a sync its choices: without them it would be a copy of the whole folder; `from` the pane of its
 * source when that is the left pane's server or the right pane's folder).
 */
function requestOf({ direction, name, source, target, isFolder, selection, sync, from }: TransferRequest): TransferRequest {
  return {
    direction, name, source, target, isFolder,
    ...(selection ? { selection: selection.map(({ name: entry, isFolder: folder }) => ({ name: entry, isFolder: folder })) } : {}),
    ...(sync ? { sync: { deleteExtra: sync.deleteExtra, checksum: sync.checksum } } : {}),
    ...(from ? { from } : {}),
  };
}

function isSyncChoices(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const choices = value as Record<string, unknown>;
  return typeof choices.deleteExtra === 'boolean' && typeof choices.checksum === 'boolean';
}

function isSelectedEntry(value: unknown): value is SelectedEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.name === 'string' && typeof entry.isFolder === 'boolean';
}

const isSide = (value: unknown): value is PaneSide => value === 'local' || value === 'remote';

/** A kept transfer of `side`'s session: an upload or download through that session (version 1: a local copy too). */
function isRequest(value: unknown, side: PaneSide, version: number): value is TransferRequest {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  const directions = version === 1 ? ['upload', 'download', 'copy'] : ['upload', 'download'];
  return (
    directions.includes(entry.direction as string) &&
    typeof entry.name === 'string' && typeof entry.source === 'string' && typeof entry.target === 'string' &&
    typeof entry.isFolder === 'boolean' &&
    (entry.selection === undefined || (Array.isArray(entry.selection) && entry.selection.length > 0 && entry.selection.every(isSelectedEntry))) &&
    (entry.sync === undefined || isSyncChoices(entry.sync)) &&
    (entry.from === undefined || isSide(entry.from)) &&
    (entry.direction === 'copy' || goesThrough(entry as unknown as TransferRequest, side))
  );
}

function isServer(value: unknown): value is SavedServer {
  if (typeof value !== 'object' || value === null) return false;
  const server = value as Record<string, unknown>;
  return typeof server.host === 'string' && Number.isInteger(server.port) && typeof server.user === 'string' &&
    ['auto', 'require', 'off'].includes(server.tls as string);
}

function sessionOf(side: unknown, server: unknown, transfers: unknown, version: number): SavedSession | undefined {
  if (!isSide(side) || !isServer(server) || !Array.isArray(transfers) || transfers.length === 0) return undefined;
  if (!transfers.every((request) => isRequest(request, side, version))) return undefined;
  return {
    side,
    server: { host: server.host, port: server.port, user: server.user, tls: server.tls },
    transfers: (transfers as TransferRequest[]).map(requestOf),
  };
}

/** The saved list, or undefined when there is none or it is not ferry's (a broken file is ignored, not fatal). */
export async function readSavedQueue(file: string): Promise<SavedQueue | undefined> {
  let text: string | undefined;
  try {
    const stats = await fs.stat(file).catch(() => undefined);
    if (!stats || stats.size > MAX_FILE_BYTES) return undefined;
    text = await readFileIfExists(file);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (parsed.version === 1) {
      // Before either pane had its own list: the right pane's.
      const session = sessionOf('remote', parsed.server, parsed.transfers, 1);
      return session ? { sessions: [session] } : undefined;
    }
    if (parsed.version !== FORMAT_VERSION || !Array.isArray(parsed.sessions) || parsed.sessions.length === 0) return undefined;
    const sessions = (parsed.sessions as unknown[]).map((entry) => {
      const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
      return sessionOf(fields.side, fields.server, fields.transfers, FORMAT_VERSION);
    });
    if (!sessions.every((session): session is SavedSession => session !== undefined)) return undefined;
    if (new Set(sessions.map((session) => session.side)).size !== sessions.length) return undefined;
    return { sessions };
  } catch {
    return undefined;
  }
}

/** The file's text for `sessions`; empty: no file. */
function contentOf(sessions: readonly SavedSession[]): string {
  return sessions.length === 0 ? '' : `${JSON.stringify({ version: FORMAT_VERSION, sessions }, null, 2)}\n`;
}

export async function forgetSavedQueue(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/**
 * Keeps `file` in step with the queue's unfinished items, a list for each
 * pane's session. A pane's list kept from before (read at start) stays in
 * the file until that pane is connected to its server again and the user
 * answers (`take`, `forget`), or until the pane's transfers through another
 * server replace it. `freeze()` stops it before quitting cancels them, so
 * the list survives the quit.
 */
export class QueueSaver {
  private lastWritten: string | undefined;
  /** Which items were unfinished at the last look: progress reports change nothing here and cost no JSON. */
  private lastShape: string | undefined;
  /** The lists kept from before, a pane, not answered yet. */
  private readonly earlier = new Map<PaneSide, SavedSession>();
  /** Those being asked about now: not offered twice. */
  private readonly offering = new Set<PaneSide>();
  private writing: Promise<void>;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly queue: TransferQueue,
    private readonly file: string,
    /** The server of a pane's session (the last one, while it is lost or after it ended), if it had one. */
    private readonly server: (side: PaneSide) => ConnectParams | undefined,
    private readonly onError: (message: string) => void = () => undefined,
  ) {
    // Writes wait for what was kept: a pane's list from before is carried over, not lost to the first write.
    this.writing = readSavedQueue(file).then((saved) => {
      if (!saved) return;
      for (const session of saved.sessions) this.earlier.set(session.side, session);
      this.lastWritten = contentOf(saved.sessions);
    });
    this.follow();
  }

  /** Follows the queue (again, after freeze): the list is brought up to date at once. */
  follow(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.queue.subscribe(() => this.save());
    this.save();
  }

  /**
   * The list kept from before for `side`'s session, once that pane is connected to `params`' server; it is
   * then being asked about (take or forget answer it). Undefined when there is none, or it is asked already.
   */
  async offer(side: PaneSide, params: ConnectParams): Promise<SavedSession | undefined> {
    await this.writing;
    const saved = this.earlier.get(side);
    if (!saved || this.offering.has(side) || !sameServer(saved.server, savedServerOf(params))) return undefined;
    this.offering.add(side);
    return saved;
  }

  /** An offer was not put to the user after all (the pane went elsewhere first): the list may be offered again. */
  withdraw(side: PaneSide): void {
    this.offering.delete(side);
  }

  /** The list of `side` is queued again: the queue's rows stand for it from now on. */
  take(side: PaneSide): void {
    this.earlier.delete(side);
    this.offering.delete(side);
  }

  /** The list of `side` is not wanted: it leaves the file (the other pane's stays). */
  forget(side: PaneSide): void {
    this.earlier.delete(side);
    this.offering.delete(side);
    this.lastShape = undefined;
    this.save();
  }

  /** Writes (or removes) the file when the list of unfinished transfers changed. */
  save(): void {
    if (!this.unsubscribe) return;
    const items = this.queue.getState().items;
    // What the queue holds now, a pane; a pane whose rows name no server (never connected) has nothing to keep.
    const current = SIDES.map((side) => {
      const params = this.server(side);
      const transfers = sessionRequests(items, side);
      return params && transfers.length > 0 ? { side, server: savedServerOf(params), transfers } : undefined;
    });
    const shape = JSON.stringify([
      current.map((session) => session && [session.server, session.side]),
      items.filter(isOutstanding).map((item) => `${item.id}/${item.name}/${item.status === 'failed' ? 'lost' : ''}`),
    ]);
    if (shape === this.lastShape) return;
    this.lastShape = shape;
    // One write at a time, in order: the last one leaves the latest list.
    this.writing = this.writing
      .then(() => {
        // A pane's own rows replace its list from before; without any, that list stays.
        const sessions = SIDES.map((side, index) => current[index] ?? this.earlier.get(side))
          .filter((session): session is SavedSession => session !== undefined);
        const content = contentOf(sessions);
        if (content === this.lastWritten) return;
        // Nothing read nor written yet this run: a file that is not ferry's list is left alone.
        if (this.lastWritten === undefined && content === '') return;
        this.lastWritten = content;
        return content === '' ? forgetSavedQueue(this.file) : writeFileAtomic(this.file, content, 0o600);
      })
      .catch((error: unknown) => this.onError(`cannot keep the transfer list in ${this.file}: ${(error as Error).message}`));
  }

  /** Stops following the queue (quitting cancels everything next); resolves once the last write is done. */
  freeze(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.lastShape = undefined;
    return this.writing;
  }

  /** Resolves once the writes so far are done. */
  flushed(): Promise<void> {
    return this.writing;
  }
}
