/**
 * Runs queued transfers in the background while the user keeps browsing.
 * Holds the queue state (state/transfers.ts reducer), starts up to
 * `concurrency` transfers at once through the sessions (a Remote of any
 * kind), checks whether each target exists first (the conflict dialog), and
 * reports every change to its subscribers (React reads it with
 * useSyncExternalStore).
 *
 * Either pane may be a server. A copy between two servers (`relay`) is
 * staged: downloaded into a private folder on this machine (mkdtemp, 0700),
 * then uploaded — each side keeps its own kind's checks, resume and cancel,
 * and no kind needs a way to write from a stream (docs/TUI.md). The folder
 * lives as long as its row can use it, so a cut copy resumes both halves.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import type { Remote, Verification } from '../../remote/remote.js';
import type { PaneFs, PaneSide } from '../fs/pane-fs.js';
import { describeError } from '../describe-error.js';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import { copyLocal } from './local-copy.js';
import { runQueuedSync } from './sync-transfer.js';
import { RateLimit } from '../../client/rate-limit.js';
import { compareFileTimes } from '../../protocol/file-times.js';
import { removeAbandonedStaging, stagingPrefix } from './staging-folders.js';
import {
  initialTransfersState,
  isFinished,
  isOutstanding,
  type ConflictSide,
  transfersReducer,
  type TransferItem,
  type TransferRequest,
  type TransfersAction,
  type TransfersState,
} from '../state/transfers.js';

/** `update`: overwrite only when the source is newer than the target (files; as `cp -u`, `rsync -u`). */
export type ConflictChoice = 'overwrite' | 'update' | 'resume' | 'skip' | 'rename';

export interface TransferQueueDeps {
  /** The right pane's session, or undefined while it has none. */
  client: () => Remote | undefined;
  local: PaneFs;
  /** The right pane's filesystem while it has a session. */
  remote: () => PaneFs | undefined;
  /** The left pane's session, when that pane is connected too (either pane may be a server). */
  leftClient?: () => Remote | undefined;
  leftRemote?: () => PaneFs | undefined;
  /** Where copies between two servers are staged (default: the system's temporary folder). */
  stagingRoot?: string;
  /** Called when an item ends, so the panes can refresh. */
  onFinished?: (item: TransferItem) => void;
  now?: () => number;
  concurrency?: number;
  /** Bandwidth limit of the whole queue in bytes per second (undefined or 0: none). */
  rateLimit?: number | undefined;
  /** Minimum milliseconds between progress updates of one item. */
  progressIntervalMs?: number;
}

/**
 * Where a copy between two servers lands between its two halves: a private
 * folder here, kept from the copy's first run until its row is done, leaves
 * the queue or the queue closes, so that a retry resumes the download half
 * from the staged partial file (the kind's own `.<name>.ferry-part`) and does
 * not fetch a finished one again.
 */
interface Staging {
  folder: string;
  /** The source session it was staged from (its origin): a copy retried through another server starts afresh. */
  source: string;
  /** The download half has begun: the folder holds its partial output, to resume. */
  begun: boolean;
  /** The download half has finished: a retry only uploads. */
  downloaded: boolean;
}

export class TransferQueue {
  private state: TransfersState = initialTransfersState;
  private readonly listeners = new Set<() => void>();
  private readonly controllers = new Map<number, AbortController>();
  private readonly lastProgressAt = new Map<number, number>();
  /** Running items being stopped by pause(): their abort ends in `paused`, not `cancelled`. */
  private readonly pausing = new Set<number>();
  /** "Apply to all" answer of the conflict dialog. */
  private conflictPolicy: ConflictChoice | undefined;
  private running = 0;
  private readonly now: () => number;
  private readonly progressIntervalMs: number;
  /**
   * One token bucket for every transfer of the queue: the limit bounds their
   * sum, on the wire (uploads wait before each frame, downloads before giving
   * credit back), and a change reaches the running ones at once.
   */
  private readonly bandwidth = new RateLimit();
  /** The staging folder of each copy between two servers that has run (by item id). */
  private readonly staging = new Map<number, Staging>();
  /** close() was called: nothing staged is kept any more. */
  private closed = false;

  constructor(private readonly deps: TransferQueueDeps) {
    this.now = deps.now ?? Date.now;
    if (deps.concurrency !== undefined) this.dispatch({ type: 'set-concurrency', concurrency: deps.concurrency });
    if (deps.rateLimit) this.setRateLimit(deps.rateLimit);
    this.progressIntervalMs = deps.progressIntervalMs ?? 100;
    // What a ferry killed outright left staged is removed now (staging-folders.ts); nothing waits for it.
    void removeAbandonedStaging(this.stagingRoot);
  }

  private get stagingRoot(): string {
    return this.deps.stagingRoot ?? os.tmpdir();
  }

  /**
   * How many transfers run at once (clamped to MIN_CONCURRENCY..MAX_CONCURRENCY).
   * Raising it starts waiting items at once; lowering it lets the running
   * ones finish and starts no new one until fewer run.
   */
  setConcurrency(concurrency: number): void {
    this.dispatch({ type: 'set-concurrency', concurrency });
    this.pump();
  }

  /** Limits the queue's total rate to `bytesPerSecond` (undefined or 0: no limit), running transfers included. */
  setRateLimit(bytesPerSecond: number | undefined): void {
    this.bandwidth.set(bytesPerSecond);
    this.dispatch({ type: 'set-rate-limit', bytesPerSecond: this.bandwidth.rate });
  }

  /**
   * Stops an item without giving it up: a running transfer is cancelled on
   * the wire (a download keeps its partial copy, so resuming goes on from
   * there), a waiting one is held back. unpause() queues it again.
   */
  pause(id: number): void {
    const item = this.item(id);
    if (!item || item.status === 'paused' || item.status === 'conflict' || isFinished(item)) return;
    const controller = this.controllers.get(id);
    if (controller) {
      this.pausing.add(id);
      controller.abort();
    }
    this.dispatch({ type: 'paused', id });
  }

  unpause(id: number): void {
    this.dispatch({ type: 'unpause', id });
    this.pump();
  }

  /** Pauses a running or waiting item, or resumes a paused one. */
  togglePause(id: number): void {
    if (this.item(id)?.status === 'paused') this.unpause(id);
    else this.pause(id);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): TransfersState => this.state;

  private dispatch(action: TransfersAction): void {
    const next = transfersReducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    if (this.staging.size > 0) void this.releaseStaging();
    for (const listener of this.listeners) listener();
  }

  private item(id: number): TransferItem | undefined {
    return this.state.items.find((item) => item.id === id);
  }

  /** Queue transfers; interrupted ones are resumed from their temporary file when possible. */
  enqueue(requests: readonly TransferRequest[]): void {
    if (requests.length === 0) return;
    if (!this.state.items.some((item) => item.status === 'conflict')) this.conflictPolicy = undefined;
    this.dispatch({ type: 'enqueue', requests, resume: true });
    this.pump();
  }

  /** The first item waiting for a conflict answer: the dialog shows it. */
  pendingConflict(): TransferItem | undefined {
    return this.state.items.find((item) => item.status === 'conflict');
  }

  async resolveConflict(id: number, choice: ConflictChoice, applyToAll: boolean): Promise<void> {
    if (applyToAll) this.conflictPolicy = choice;
    const item = this.item(id);
    if (!item || item.status !== 'conflict') return;
    // "If newer" has no meaning for a folder: other folders in conflict are still asked.
    const answered = applyToAll
      ? this.state.items.filter((entry) => entry.status === 'conflict' && appliesTo(choice, entry))
      : [item];
    // Answered items leave the conflict state now, before "rename" looks for
    // a free name (a round trip for uploads): otherwise the UI would still see
    // a question pending and ask it again.
    for (const entry of answered) this.dispatch({ type: 'checking', id: entry.id });
    for (const entry of answered) await this.applyChoice(entry, choice);
    this.pump();
  }

  private async applyChoice(item: TransferItem, choice: ConflictChoice): Promise<void> {
    switch (choice) {
      case 'skip':
        this.dispatch({ type: 'skipped', id: item.id, at: this.now() });
        return;
      case 'overwrite':
        this.dispatch({ type: 'resolve', id: item.id, target: item.target, name: item.name, overwrite: true, resume: false });
        return;
      case 'update': {
        try {
          const [source, target] = await Promise.all([this.sourceFs(item).stat(item.source), this.targetFs(item).stat(item.target)]);
          // Every kind keeps mtimes (to the second at least), so a file copied before is as new and is not sent again.
          if (source && target && compareFileTimes(source, target) <= 0) {
            this.dispatch({ type: 'skipped', id: item.id, at: this.now(), message: 'the target is as new' });
          } else {
            this.dispatch({ type: 'resolve', id: item.id, target: item.target, name: item.name, overwrite: true, resume: false });
          }
        } catch (error) {
          this.dispatch({ type: 'failed', id: item.id, message: describeError(error), at: this.now() });
        }
        return;
      }
      case 'resume':
        this.dispatch({ type: 'resolve', id: item.id, target: item.target, name: item.name, overwrite: true, resume: true });
        return;
      case 'rename': {
        try {
          const target = await this.freeName(item);
          // The row names what is written now, not the source it came from.
          const name = this.targetFs(item).basename(target);
          this.dispatch({ type: 'resolve', id: item.id, target, name, overwrite: false, resume: false });
        } catch (error) {
          this.dispatch({ type: 'failed', id: item.id, message: describeError(error), at: this.now() });
        }
        return;
      }
    }
  }

  /** `name (1).ext`, `name (2).ext`, ... the first that does not exist at the target side. */
  private async freeName(item: TransferItem): Promise<string> {
    const fs = this.targetFs(item);
    const folder = fs.parent(item.target);
    const base = fs.basename(item.target);
    const ext = item.isFolder ? '' : path.extname(base);
    const stem = ext ? base.slice(0, -ext.length) : base;
    for (let n = 1; n < 1000; n++) {
      const candidate = fs.child(folder, `${stem} (${n})${ext}`);
      if (!(await fs.stat(candidate))) return candidate;
    }
    throw new FerryError(ErrorCode.EXISTS, `no free name for ${base}`);
  }

  /** The size and date of the source for the conflict dialog; undefined when it cannot be looked at (the question is asked anyway). */
  private async sourceSide(item: TransferItem): Promise<ConflictSide | undefined> {
    try {
      const entry = await this.sourceFs(item).stat(item.source);
      return entry ? sideFacts(entry) : undefined;
    } catch {
      return undefined;
    }
  }

  private sourceFs(item: TransferItem): PaneFs {
    return remoteSource(item) ? this.remoteFs(sourcePane(item)) : this.deps.local;
  }

  private targetFs(item: TransferItem): PaneFs {
    return remoteTarget(item) ? this.remoteFs(targetPane(item)) : this.deps.local;
  }

  /** Whether `item` can start now: every server it reads or writes has a session (a local copy needs none). */
  private canStart(item: TransferItem): boolean {
    return (!remoteSource(item) || this.session(sourcePane(item)) !== undefined) &&
      (!remoteTarget(item) || this.session(targetPane(item)) !== undefined);
  }

  private session(pane: PaneSide): Remote | undefined {
    return pane === 'remote' ? this.deps.client() : this.deps.leftClient?.();
  }

  private remoteFs(pane: PaneSide): PaneFs {
    const remote = pane === 'remote' ? this.deps.remote() : this.deps.leftRemote?.();
    if (!remote) throw new FerryError(ErrorCode.CONNECTION_LOST, 'not connected');
    return remote;
  }

  cancel(id: number): void {
    const item = this.item(id);
    if (!item) return;
    const controller = this.controllers.get(id);
    if (controller) controller.abort();
    this.dispatch({ type: 'cancelled', id, at: this.now() });
    this.pump();
  }

  /** Run a failed or cancelled item again, resuming what already arrived. */
  retry(id: number): void {
    this.dispatch({ type: 'retry', id });
    this.pump();
  }

  /**
   * After `pane`'s session reconnected to the same server: runs again,
   * resuming, every item through that session that failed because a
   * connection was lost. Returns how many. (A copy between two servers that
   * still misses the other session waits for it.)
   */
  resumeLost(pane: PaneSide): number {
    const lost = this.state.items.filter((item) => item.status === 'failed' && item.lostConnection && goesThrough(item, pane));
    for (const item of lost) this.dispatch({ type: 'retry', id: item.id });
    this.pump();
    return lost.length;
  }

  clearFinished(): void {
    this.dispatch({ type: 'clear-finished' });
  }

  /** Cancel everything (on quit). */
  cancelAll(): void {
    for (const item of this.state.items) {
      if (item.status !== 'done' && item.status !== 'failed' && item.status !== 'skipped') this.cancel(item.id);
    }
  }

  /**
   * Cancel what goes through `pane`'s session (a disconnect of that pane): a
   * waiting row would otherwise wait for the pane's next session, which may
   * be another server. The other pane's transfers and local copies go on.
   */
  cancelThrough(pane: PaneSide): void {
    for (const item of this.outstandingThrough(pane)) this.cancel(item.id);
  }

  /** The rows a disconnect of `pane` would cancel: unfinished, or cut off by its dropped connection. */
  outstandingThrough(pane: PaneSide): TransferItem[] {
    return this.state.items.filter((item) => isOutstanding(item) && goesThrough(item, pane));
  }

  /**
   * The queue ends with the App: what runs is cancelled and every staged copy
   * removed (a copy between two servers is not kept across a restart, so
   * neither is what it staged). Resolves once the folders of the items that
   * no longer run are gone; a running one removes its own as its run ends.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelAll();
    await this.releaseStaging();
  }

  /**
   * Removes the staging folders whose rows can no longer use them: the row is
   * done or skipped, has left the queue, or the queue is closed. A folder a
   * run still writes into waits for the run's end (run() calls this again).
   */
  private releaseStaging(): Promise<void> {
    const removals: Promise<void>[] = [];
    for (const [id, staged] of this.staging) {
      if (this.controllers.has(id)) continue;
      const item = this.item(id);
      if (this.closed || !item || item.status === 'done' || item.status === 'skipped') removals.push(this.dropStaging(id, staged));
    }
    return Promise.all(removals).then(() => undefined);
  }

  private async dropStaging(id: number, staged: Staging): Promise<void> {
    if (this.staging.get(id) === staged) this.staging.delete(id);
    await fs.rm(staged.folder, { recursive: true, force: true }).catch(() => undefined);
  }

  /** The item's staging folder: the one an earlier run of it left, or a new private one (mkdtemp, 0700). */
  private async stagingFor(item: TransferItem, from: Remote): Promise<Staging> {
    const kept = this.staging.get(item.id);
    if (kept && kept.source === from.description.origin) return kept;
    if (kept) await this.dropStaging(item.id, kept);
    const folder = await fs.mkdtemp(path.join(this.stagingRoot, stagingPrefix()));
    const staged: Staging = { folder, source: from.description.origin, begun: false, downloaded: false };
    this.staging.set(item.id, staged);
    return staged;
  }

  /** Start waiting items while there is room. */
  pump(): void {
    while (this.running < this.state.concurrency) {
      const next = this.state.items.find((item) => item.status === 'waiting' && this.canStart(item));
      if (!next) return;
      this.running += 1;
      void this.run(next).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async run(queued: TransferItem): Promise<void> {
    const id = queued.id;
    const from = remoteSource(queued) ? this.session(sourcePane(queued)) : undefined;
    const to = remoteTarget(queued) ? this.session(targetPane(queued)) : undefined;
    if ((remoteSource(queued) && !from) || (remoteTarget(queued) && !to)) return;
    const verification = checkedBy(from, to);
    const controller = new AbortController();
    this.controllers.set(id, controller);
    try {
      if (queued.sync) {
        // A sync replaces what differs by its nature: no "target exists" question.
        await this.runSync(queued, from ?? to, controller.signal);
      } else if (queued.selection && !queued.overwrite && !queued.ranBefore) {
        this.dispatch({ type: 'checking', id });
        const proceed = await this.splitOffExisting(queued);
        if (!proceed || controller.signal.aborted) return;
      } else if (!queued.overwrite && !queued.ranBefore) {
        // An item that ran before finds its own partial output at the target: that is no conflict.
        this.dispatch({ type: 'checking', id });
        const existing = await this.targetFs(queued).stat(queued.target);
        if (controller.signal.aborted) return;
        if (existing) {
          if (this.conflictPolicy && appliesTo(this.conflictPolicy, queued)) {
            await this.applyChoice(queued, this.conflictPolicy);
          } else {
            const source = await this.sourceSide(queued);
            if (controller.signal.aborted) return;
            this.dispatch({ type: 'conflict', id, sides: { source, target: sideFacts(existing) } });
          }
          return;
        }
      }
      const item = this.item(id);
      if (queued.sync || !item || item.status === 'cancelled' || item.status === 'paused') return;
      this.dispatch({ type: 'start', id, at: this.now() });
      const common = { overwrite: item.overwrite, resume: item.resume, signal: controller.signal, rateLimit: this.bandwidth };
      if (item.direction === 'copy' || (!from && !to)) {
        const result = await copyLocal(item.source, item.target, {
          overwrite: item.overwrite,
          signal: controller.signal,
          onProgress: (progress) => this.progress(id, progress.bytesDone, progress.bytesTotal, progress.filesDone, progress.filesTotal),
        });
        this.dispatch({ type: 'done', id, movedBytes: result.bytes, size: result.bytes, durationMs: result.durationMs, resumedFrom: 0, at: this.now() });
      } else if (from && to) {
        const result = await this.relay(item, from, to, controller.signal);
        this.dispatch({ type: 'done', id, ...result, at: this.now(), verification });
      } else if (item.isFolder) {
        const options = {
          ...common,
          // A tree has something of its own to resume only when it ran before: otherwise it streams (one TGET or TPUT).
          resume: item.resume && item.ranBefore,
          ...(item.selection ? { names: item.selection.map((entry) => entry.name) } : {}),
          onProgress: (progress: { bytesDone: number; bytesTotal: number; filesDone: number; filesTotal: number }) =>
            this.progress(id, progress.bytesDone, progress.bytesTotal, progress.filesDone, progress.filesTotal),
        };
        const result = to
          ? await to.uploadTree(item.source, item.target, options)
          : await from!.downloadTree(item.source, item.target, options);
        this.dispatch({ type: 'done', id, movedBytes: result.bytes, size: result.bytes, durationMs: result.durationMs, resumedFrom: 0, at: this.now(), verification });
      } else {
        const options = {
          ...common,
          onProgress: (progress: { bytes: number; total: number }) => this.progress(id, progress.bytes, progress.total),
        };
        const result = to
          ? await to.upload(item.source, item.target, options)
          : await from!.download(item.source, item.target, options);
        this.dispatch({
          type: 'done',
          id,
          movedBytes: result.bytes,
          size: result.size,
          durationMs: result.durationMs,
          resumedFrom: result.resumedFrom,
          at: this.now(),
          verification,
        });
      }
    } catch (error) {
      if (controller.signal.aborted) {
        if (!this.pausing.has(id)) this.dispatch({ type: 'cancelled', id, at: this.now() });
      } else if (error instanceof FerryError && error.code === ErrorCode.EXISTS && !this.item(id)?.overwrite && !queued.selection && !queued.sync) {
        // Appeared between the check and the transfer: ask like any conflict.
        this.dispatch({ type: 'conflict', id });
      } else {
        const lostConnection = error instanceof FerryError && error.code === ErrorCode.CONNECTION_LOST;
        this.dispatch({ type: 'failed', id, message: describeError(error), at: this.now(), lostConnection });
      }
    } finally {
      this.controllers.delete(id);
      this.pausing.delete(id);
      this.lastProgressAt.delete(id);
      if (this.staging.has(id)) void this.releaseStaging();
      const finished = this.item(id);
      if (finished && (finished.status === 'done' || finished.status === 'failed' || finished.status === 'cancelled')) {
        this.deps.onFinished?.(finished);
      }
    }
  }

  private async runSync(item: TransferItem, session: Remote | undefined, signal: AbortSignal): Promise<void> {
    this.dispatch({ type: 'start', id: item.id, at: this.now() });
    const started = this.now();
    const outcome = await runQueuedSync({ direction: item.direction, source: item.source, target: item.target, choices: item.sync! }, session, {
      signal, rateLimit: this.bandwidth,
      onProgress: (bytes, total, filesDone, filesTotal) => this.progress(item.id, bytes, total, filesDone, filesTotal),
    });
    this.dispatch({ type: 'done', id: item.id, movedBytes: outcome.bytes, size: outcome.bytes, durationMs: this.now() - started, resumedFrom: 0, at: this.now() });
  }

  /**
   * A copy between two servers: the source downloaded into the item's staging
   * folder, then uploaded from it; the folder goes once the copy is done.
   * Progress runs twice over the same bytes (down, then up). Each half
   * resumes as its kind does alone: a retry continues the staged partial
   * download (or skips the download once it finished), and what the target
   * kept of an interrupted upload.
   */
  private async relay(item: TransferItem, from: Remote, to: Remote, signal: AbortSignal): Promise<{ movedBytes: number; size: number; durationMs: number; resumedFrom: number }> {
    const startedAt = this.now();
    const staged = await this.stagingFor(item, from);
    const copy = path.join(staged.folder, item.isFolder ? 'tree' : 'file');
    let outcome: { movedBytes: number; size: number; resumedFrom: number };
    if (item.isFolder) {
      const names = item.selection ? { names: item.selection.map((entry) => entry.name) } : {};
      const onProgress = (progress: { bytesDone: number; bytesTotal: number; filesDone: number; filesTotal: number }): void =>
        this.progress(item.id, progress.bytesDone, progress.bytesTotal, progress.filesDone, progress.filesTotal);
      await this.downloadHalf(staged, signal, (options) => from.downloadTree(item.source, copy, { ...options, onProgress, ...names }));
      const result = await to.uploadTree(copy, item.target, {
        overwrite: item.overwrite, resume: item.resume && item.ranBefore, signal, onProgress, rateLimit: this.bandwidth, ...names,
      });
      outcome = { movedBytes: result.bytes, size: result.bytes, resumedFrom: 0 };
    } else {
      const onProgress = (progress: { bytes: number; total: number }): void => this.progress(item.id, progress.bytes, progress.total);
      await this.downloadHalf(staged, signal, (options) => from.download(item.source, copy, { ...options, onProgress }));
      const result = await to.upload(copy, item.target, { overwrite: item.overwrite, resume: item.resume, signal, onProgress, rateLimit: this.bandwidth });
      outcome = { movedBytes: result.bytes, size: result.size, resumedFrom: result.resumedFrom };
    }
    await this.dropStaging(item.id, staged);
    return { ...outcome, durationMs: this.now() - startedAt };
  }

  /**
   * A relay's download half, unless an earlier run of the item finished it.
   * What an earlier run staged is resumed as a plain download resumes (the
   * kind's `.<name>.ferry-part`, a tree's finished files); it is the row's
   * own, so a staged file that no longer matches is replaced.
   */
  private async downloadHalf(
    staged: Staging, signal: AbortSignal, fetch: (options: { overwrite: boolean; resume: boolean; signal: AbortSignal; rateLimit: RateLimit }) => Promise<unknown>,
  ): Promise<void> {
    if (staged.downloaded) return;
    const resume = staged.begun;
    staged.begun = true;
    await fetch({ overwrite: true, resume, signal, rateLimit: this.bandwidth });
    staged.downloaded = true;
  }

  /**
   * A selection's entries that exist at the target leave it, each as its own
   * row asked about like any conflict; the rest stays one tree transfer. One
   * listing of the target folder answers for all of them. False when nothing
   * is left to send (or the check failed).
   */
  private async splitOffExisting(item: TransferItem): Promise<boolean> {
    const selection = item.selection ?? [];
    const targetFs = this.targetFs(item);
    const sourceFs = this.sourceFs(item);
    let there: Set<string>;
    try {
      there = new Set((await targetFs.list(item.target)).map((entry) => entry.name));
    } catch (error) {
      this.dispatch({ type: 'failed', id: item.id, message: describeError(error), at: this.now() });
      return false;
    }
    const keep = selection.filter((entry) => !there.has(entry.name));
    if (keep.length === selection.length) return true;
    const apart: TransferRequest[] = selection.filter((entry) => there.has(entry.name)).map((entry) => ({
      direction: item.direction,
      name: entry.name,
      source: sourceFs.child(item.source, entry.name),
      target: targetFs.child(item.target, entry.name),
      isFolder: entry.isFolder,
    }));
    this.dispatch({ type: 'split', id: item.id, keep, apart });
    if (keep.length > 0) return true;
    this.dispatch({ type: 'skipped', id: item.id, at: this.now(), message: 'every item exists at the target: asked one by one' });
    return false;
  }

  private progress(id: number, bytes: number, total: number, filesDone?: number, filesTotal?: number): void {
    const now = this.now();
    const last = this.lastProgressAt.get(id) ?? 0;
    if (now - last < this.progressIntervalMs && bytes < total) return;
    this.lastProgressAt.set(id, now);
    this.dispatch({ type: 'progress', id, bytes, total, at: now, filesDone, filesTotal });
  }
}

/** The pane an item reads from: `from` when set, else what its direction always meant (downloads from the right pane). */
function sourcePane(item: Pick<TransferItem, 'direction' | 'from'>): PaneSide {
  return item.from ?? (item.direction === 'download' ? 'remote' : 'local');
}

/** The pane an item writes into (the other one): refreshed when it ends. */
export function targetPaneOf(item: Pick<TransferItem, 'direction' | 'from'>): PaneSide {
  return targetPane(item);
}

function targetPane(item: Pick<TransferItem, 'direction' | 'from'>): PaneSide {
  return sourcePane(item) === 'local' ? 'remote' : 'local';
}

const remoteSource = (item: Pick<TransferItem, 'direction'>): boolean => item.direction === 'download' || item.direction === 'relay';
const remoteTarget = (item: Pick<TransferItem, 'direction'>): boolean => item.direction === 'upload' || item.direction === 'relay';

/** Whether `item` reads or writes through the session of `pane`. */
export function goesThrough(item: Pick<TransferItem, 'direction' | 'from'>, pane: PaneSide): boolean {
  return (remoteSource(item) && sourcePane(item) === pane) || (remoteTarget(item) && targetPane(item) === pane);
}

/** What the row can say was checked: the weaker side's check when two servers take part (a local copy: nothing). */
function checkedBy(from: Remote | undefined, to: Remote | undefined): Verification | undefined {
  const checks = [from, to].filter((remote): remote is Remote => remote !== undefined).map((remote) => remote.description.verification);
  return checks.find((check) => check !== 'sha256') ?? checks[0];
}

function sideFacts(entry: Entry): ConflictSide {
  return {
    isFolder: entry.kind === EntryKind.DIRECTORY, size: entry.size, mtimeMs: entry.mtimeMs,
    ...(entry.mtimeResolutionMs !== undefined ? { mtimeResolutionMs: entry.mtimeResolutionMs } : {}),
  };
}

/** Whether a conflict answer can be given for `item` ("If newer" only for files). */
function appliesTo(choice: ConflictChoice, item: Pick<TransferItem, 'isFolder'>): boolean {
  return choice !== 'update' || !item.isFolder;
}
