/**
 * Unfinished transfers kept across a restart of `ferry`: the queue's
 * unfinished items (and those a dropped connection cut off) are written to a
 * small JSON file whenever that set changes, atomically (a crash leaves the
 * old list or the new one), and offered again on the next start once the
 * same server is connected. The file names the server by host, port, user
 * and TLS mode, never a password.
 *
 * File: `$XDG_STATE_HOME/ferry/transfers.json`, else
 * `~/.local/state/ferry/transfers.json` (state, not settings: the XDG base
 * directory spec's place for what a program keeps between runs).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../../security/config-dir.js';
import { isFinished, type SelectedEntry, type TransferItem, type TransferRequest } from '../state/transfers.js';
import type { ConnectParams } from '../connect-params.js';
import type { TransferQueue } from './transfer-queue.js';

export interface SavedServer {
  host: string;
  port: number;
  user: string;
  tls: ConnectParams['tls'];
}

export interface SavedQueue {
  server: SavedServer;
  transfers: TransferRequest[];
}

const FORMAT_VERSION = 1;
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

/** What is kept: everything not finished, and what a dropped connection cut off (it resumes on reconnect). */
export function unfinishedRequests(items: readonly TransferItem[]): TransferRequest[] {
  return items
    .filter((item) => !isFinished(item) || (item.status === 'failed' && item.lostConnection))
    // The list names one server: a transfer from the left pane's session, or between two servers, is not kept.
    .filter((item) => item.from === undefined && item.direction !== 'relay')
    .map(requestOf);
}

/**
 * The fields that say what a transfer is (a selection keeps its names: without them it would be the whole
 * folder; a sync its choices: without them it would be a copy of the whole folder).
 */
function requestOf({ direction, name, source, target, isFolder, selection, sync }: TransferRequest): TransferRequest {
  return {
    direction, name, source, target, isFolder,
    ...(selection ? { selection: selection.map(({ name: entry, isFolder: folder }) => ({ name: entry, isFolder: folder })) } : {}),
    ...(sync ? { sync: { deleteExtra: sync.deleteExtra, checksum: sync.checksum } } : {}),
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

function isRequest(value: unknown): value is TransferRequest {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    (entry.direction === 'upload' || entry.direction === 'download' || entry.direction === 'copy') &&
    typeof entry.name === 'string' && typeof entry.source === 'string' && typeof entry.target === 'string' &&
    typeof entry.isFolder === 'boolean' &&
    (entry.selection === undefined || (Array.isArray(entry.selection) && entry.selection.length > 0 && entry.selection.every(isSelectedEntry))) &&
    (entry.sync === undefined || isSyncChoices(entry.sync))
  );
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
    const server = parsed.server as Record<string, unknown> | undefined;
    if (
      parsed.version !== FORMAT_VERSION || !server || typeof server.host !== 'string' || !Number.isInteger(server.port) ||
      typeof server.user !== 'string' || !['auto', 'require', 'off'].includes(server.tls as string) ||
      !Array.isArray(parsed.transfers) || !parsed.transfers.every(isRequest) || parsed.transfers.length === 0
    ) return undefined;
    return {
      server: { host: server.host, port: server.port as number, user: server.user, tls: server.tls as ConnectParams['tls'] },
      transfers: parsed.transfers.map(requestOf),
    };
  } catch {
    return undefined;
  }
}

export async function forgetSavedQueue(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/**
 * Keeps `file` in step with the queue's unfinished items. `freeze()` stops
 * it before quitting cancels them, so the list survives the quit.
 */
export class QueueSaver {
  private lastWritten: string | undefined;
  /** Which items were unfinished at the last look: progress reports change nothing here and cost no JSON. */
  private lastShape: string | undefined;
  private writing: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly queue: TransferQueue,
    private readonly file: string,
    private readonly server: () => ConnectParams | undefined,
    private readonly onError: (message: string) => void = () => undefined,
  ) {
    this.follow();
  }

  /** Follows the queue (again, after freeze): the list is brought up to date at once. */
  follow(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.queue.subscribe(() => this.save());
    this.save();
  }

  /** Writes (or removes) the file when the list of unfinished transfers changed. */
  save(): void {
    if (!this.unsubscribe) return;
    const params = this.server();
    const items = this.queue.getState().items;
    const shape = `${params ? JSON.stringify(savedServerOf(params)) : ''}:${items.filter((item) => !isFinished(item) || item.lostConnection).map((item) => `${item.id}/${item.name}`).join(',')}`;
    if (shape === this.lastShape) return;
    this.lastShape = shape;
    const transfers = unfinishedRequests(items);
    if (!params && transfers.length > 0) return;
    const content = transfers.length === 0 || !params
      ? ''
      : `${JSON.stringify({ version: FORMAT_VERSION, server: savedServerOf(params), transfers }, null, 2)}\n`;
    if (content === this.lastWritten) return;
    // The first change of a run (nothing written yet) never removes a list kept from before.
    if (this.lastWritten === undefined && content === '') return;
    this.lastWritten = content;
    // One write at a time, in order: the last one leaves the latest list.
    this.writing = this.writing
      .then(() => (content === '' ? forgetSavedQueue(this.file) : writeFileAtomic(this.file, content, 0o600)))
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
