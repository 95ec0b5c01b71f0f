/**
 * Transfer queue state: a pure reducer over the list of queued, running and
 * finished transfers. The TransferQueue (transfers/transfer-queue.ts) runs the
 * transfers and feeds this reducer; the panel only renders it.
 */
import type { SyncChoices } from '../transfers/sync-transfer.js';
import type { PaneSide } from '../fs/pane-fs.js';
import type { Verification } from '../../remote/remote.js';

/**
 * `upload`: local → server; `download`: server → local; `copy`: between two
 * local panes, without a connection (transfers/local-copy.ts); `relay`:
 * between two servers (each pane connected).
 */
export type TransferDirection = 'upload' | 'download' | 'copy' | 'relay';

export type TransferStatus =
  | 'waiting' // queued, not started
  | 'checking' // looking whether the target exists
  | 'conflict' // the target exists: waiting for the user's choice
  | 'sizing' // started, total not known yet (folders)
  | 'running'
  | 'paused' // stopped by the user; resumes from what already arrived
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'skipped';

/** What the conflict dialog shows of one side: a folder, or a file's size; and when it was last modified. */
export interface ConflictSide {
  isFolder: boolean;
  size: number;
  mtimeMs: number;
  /** How coarse the time is (Entry.mtimeResolutionMs), where the side's kind says. */
  mtimeResolutionMs?: number;
}

/** Both sides of a "target exists" question, when they could be looked at. */
export interface ConflictSides {
  source: ConflictSide | undefined;
  target: ConflictSide | undefined;
}

export interface TransferItem {
  id: number;
  direction: TransferDirection;
  /** Name shown in the panel. */
  name: string;
  /** Full source path (local native path for uploads and copies, remote path for downloads). */
  source: string;
  target: string;
  isFolder: boolean;
  status: TransferStatus;
  /** Bytes present at the target so far, including a resumed prefix. */
  bytes: number;
  total: number;
  filesDone: number;
  filesTotal: number;
  /** Bytes already there when this run started (resume), from the finished run's result. */
  resumedFrom: number;
  /** Smoothed transfer rate in bytes per second, from the progress reports. */
  speed: number;
  /** The previous progress report, for the rate. */
  lastReportAt: number | undefined;
  lastReportBytes: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** Bytes moved by the finished run and how long it took ("N bytes in T s"). */
  movedBytes: number;
  durationMs: number;
  overwrite: boolean;
  resume: boolean;
  /** Failure text for failed items. */
  message: string | undefined;
  /** Failed because the connection was lost: resumed by itself once the same server is reconnected. */
  lostConnection: boolean;
  /** The two sides of the "target exists" question while it is asked (not known when the target appeared mid-transfer). */
  conflictSides?: ConflictSides | undefined;
  /**
   * A run of this item has started before: what is at its target may be its
   * own partial output, so a retry neither asks about it nor sends again
   * what already arrived.
   */
  ranBefore: boolean;
  /** A selection: these entries of the folder `source` go into the folder `target`, as one tree transfer. */
  selection?: readonly SelectedEntry[] | undefined;
  /**
   * The pane the source is in (`local`: the left pane, `remote`: the right),
   * when its direction does not say it: set when the left pane is a server.
   */
  from?: PaneSide | undefined;
  /** How the finished transfer was checked (src/remote/remote.ts); undefined for a local copy. */
  verification?: Verification | undefined;
  /** A sync (the sync dialog): the folder `target` made like the folder `source` (transfers/sync-transfer.ts). */
  sync?: SyncChoices | undefined;
}

/** One entry of a selection, by its name in the source folder. */
export interface SelectedEntry {
  name: string;
  isFolder: boolean;
}

export interface TransferRequest {
  direction: TransferDirection;
  name: string;
  source: string;
  target: string;
  isFolder: boolean;
  /** Several entries of the folder `source` as one transfer into the folder `target` (isFolder is then true). */
  selection?: readonly SelectedEntry[] | undefined;
  /** The pane the source is in, when the direction does not say it (TransferItem.from). */
  from?: PaneSide | undefined;
  /** A sync of the folder `target` with the folder `source` (isFolder is then true). */
  sync?: SyncChoices | undefined;
}

export interface TransfersState {
  items: readonly TransferItem[];
  nextId: number;
  /** How many transfers run at once. */
  concurrency: number;
  /** The queue's bandwidth limit in bytes per second, shared by every transfer; undefined: none. */
  rateLimit?: number | undefined;
}

/** The bounds of `concurrency`: beyond 8 the transfers only share one connection's bandwidth more thinly. */
export const MIN_CONCURRENCY = 1;
export const MAX_CONCURRENCY = 8;
export const DEFAULT_CONCURRENCY = 2;

export type TransfersAction =
  | { type: 'enqueue'; requests: readonly TransferRequest[]; resume: boolean }
  | { type: 'checking'; id: number }
  | { type: 'conflict'; id: number; sides?: ConflictSides | undefined }
  | { type: 'resolve'; id: number; target: string; name: string; overwrite: boolean; resume: boolean }
  | { type: 'start'; id: number; at: number }
  | { type: 'progress'; id: number; bytes: number; total: number; at: number; filesDone?: number | undefined; filesTotal?: number | undefined }
  | { type: 'done'; id: number; movedBytes: number; size: number; durationMs: number; resumedFrom: number; at: number; verification?: Verification | undefined }
  | { type: 'failed'; id: number; message: string; at: number; lostConnection?: boolean }
  | { type: 'cancelled'; id: number; at: number }
  | { type: 'skipped'; id: number; at: number; message?: string }
  | { type: 'retry'; id: number }
  | { type: 'paused'; id: number }
  | { type: 'unpause'; id: number }
  | { type: 'set-concurrency'; concurrency: number }
  | { type: 'set-rate-limit'; bytesPerSecond: number | undefined }
  | { type: 'split'; id: number; keep: readonly SelectedEntry[]; apart: readonly TransferRequest[] }
  | { type: 'clear-finished' };

/** How long the shown speed takes to follow a change of the rate (to about two thirds of it). */
const SPEED_TIME_CONSTANT_MS = 1500;

export const initialTransfersState: TransfersState = { items: [], nextId: 1, concurrency: DEFAULT_CONCURRENCY };

export function isFinished(item: TransferItem): boolean {
  return item.status === 'done' || item.status === 'failed' || item.status === 'cancelled' || item.status === 'skipped';
}

/** Not finished, or cut off by a dropped connection (it resumes once that session is back): what a disconnect or restart concerns. */
export function isOutstanding(item: TransferItem): boolean {
  return !isFinished(item) || (item.status === 'failed' && item.lostConnection);
}

export function isActive(item: TransferItem): boolean {
  return item.status === 'checking' || item.status === 'sizing' || item.status === 'running';
}

function update(state: TransfersState, id: number, change: (item: TransferItem) => TransferItem): TransfersState {
  let changed = false;
  const items = state.items.map((item) => {
    if (item.id !== id) return item;
    changed = true;
    return change(item);
  });
  return changed ? { ...state, items } : state;
}

export function transfersReducer(state: TransfersState, action: TransfersAction): TransfersState {
  switch (action.type) {
    case 'enqueue': {
      let nextId = state.nextId;
      const added = action.requests.map(
        (request): TransferItem => ({
          ...request,
          id: nextId++,
          status: 'waiting',
          bytes: 0,
          total: 0,
          filesDone: 0,
          filesTotal: 0,
          resumedFrom: 0,
          speed: 0,
          lastReportAt: undefined,
          lastReportBytes: 0,
          startedAt: undefined,
          finishedAt: undefined,
          movedBytes: 0,
          durationMs: 0,
          overwrite: false,
          resume: action.resume,
          message: undefined,
          lostConnection: false,
          ranBefore: false,
        }),
      );
      return { ...state, items: [...state.items, ...added], nextId };
    }
    case 'split': {
      // The selection keeps `keep`; each of `apart` becomes its own row, asked about on its own.
      const narrowed = update(state, action.id, (item) => ({ ...item, selection: action.keep, name: selectionName(action.keep) }));
      if (action.apart.length === 0) return narrowed;
      return transfersReducer(narrowed, { type: 'enqueue', requests: action.apart, resume: true });
    }
    case 'checking':
      return update(state, action.id, (item) => ({ ...item, status: 'checking' }));
    case 'conflict':
      return update(state, action.id, (item) => ({ ...item, status: 'conflict', conflictSides: action.sides }));
    case 'resolve':
      return update(state, action.id, (item) => ({
        ...item,
        status: 'waiting',
        target: action.target,
        name: action.name,
        overwrite: action.overwrite,
        resume: action.resume,
      }));
    case 'start':
      return update(state, action.id, (item) => ({
        ...item,
        status: item.isFolder ? 'sizing' : 'running',
        startedAt: action.at,
        ranBefore: true,
        bytes: 0,
        total: 0,
        speed: 0,
        lastReportAt: undefined,
        lastReportBytes: 0,
        message: undefined,
      }));
    case 'progress':
      return update(state, action.id, (item) => {
        if (isFinished(item)) return item;
        // The rate comes from the bytes between two reports, so a resumed
        // prefix (counted in the first report) never inflates it.
        let speed = item.speed;
        if (item.lastReportAt !== undefined && action.at > item.lastReportAt) {
          const instant = Math.max(0, action.bytes - item.lastReportBytes) / ((action.at - item.lastReportAt) / 1000);
          // Weighted by the time each report covers (a 1.5 s time constant), not per report: bytes that
          // arrive in bursts (a limited download gets its credit back in slices) would make a per-report
          // average swing by a fifth around the true rate.
          const weight = 1 - Math.exp(-(action.at - item.lastReportAt) / SPEED_TIME_CONSTANT_MS);
          speed = item.speed === 0 ? instant : item.speed + (instant - item.speed) * weight;
        }
        return {
          ...item,
          status: 'running',
          bytes: action.bytes,
          total: action.total,
          filesDone: action.filesDone ?? item.filesDone,
          filesTotal: action.filesTotal ?? item.filesTotal,
          speed,
          lastReportAt: action.at,
          lastReportBytes: action.bytes,
        };
      });
    case 'done':
      return update(state, action.id, (item) => ({
        ...item,
        status: 'done',
        bytes: action.size,
        total: action.size,
        movedBytes: action.movedBytes,
        durationMs: action.durationMs,
        resumedFrom: action.resumedFrom,
        finishedAt: action.at,
        verification: action.verification,
      }));
    case 'failed':
      return update(state, action.id, (item) => ({
        ...item, status: 'failed', message: action.message, finishedAt: action.at, lostConnection: action.lostConnection ?? false,
      }));
    case 'cancelled':
      // A row cut off by a dropped connection may be cancelled too: it then no longer resumes on reconnect.
      return update(state, action.id, (item) =>
        isOutstanding(item) ? { ...item, status: 'cancelled', finishedAt: action.at, lostConnection: false } : item,
      );
    case 'skipped':
      return update(state, action.id, (item) => ({ ...item, status: 'skipped', finishedAt: action.at, message: action.message }));
    case 'retry':
      return update(state, action.id, (item) =>
        item.status === 'failed' || item.status === 'cancelled'
          ? { ...item, status: 'waiting', resume: true, message: undefined, finishedAt: undefined, lostConnection: false }
          : item,
      );
    case 'paused':
      return update(state, action.id, (item) =>
        isFinished(item) || item.status === 'conflict' ? item : { ...item, status: 'paused', speed: 0, lastReportAt: undefined },
      );
    case 'unpause':
      return update(state, action.id, (item) => (item.status === 'paused' ? { ...item, status: 'waiting', resume: true } : item));
    case 'set-concurrency': {
      const concurrency = Math.min(MAX_CONCURRENCY, Math.max(MIN_CONCURRENCY, Math.round(action.concurrency)));
      return concurrency === state.concurrency ? state : { ...state, concurrency };
    }
    case 'set-rate-limit':
      return action.bytesPerSecond === state.rateLimit ? state : { ...state, rateLimit: action.bytesPerSecond };
    case 'clear-finished':
      return { ...state, items: state.items.filter((item) => !isFinished(item)) };
    default: {
      const unreachable: never = action;
      return unreachable;
    }
  }
}

/** Bytes per second, smoothed over the recent progress reports. */
export function transferSpeed(item: TransferItem): number {
  return item.speed;
}

/** Seconds left at the current speed, Infinity when unknown. */
export function transferEta(item: TransferItem): number {
  const speed = transferSpeed(item);
  if (speed <= 0 || item.total <= 0) return Infinity;
  return (item.total - item.bytes) / speed;
}

/** The row of a selection: `3 items` (the folder is the source's). */
export function selectionName(entries: readonly SelectedEntry[]): string {
  return `${entries.length} item${entries.length === 1 ? '' : 's'}`;
}
