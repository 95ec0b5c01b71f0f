/**
 * A tree download in one request (TGET, docs/PROTOCOL.md §6 "Tree
 * download"): the server walks the folder and streams every folder and
 * regular file, FILE then the file's DATA and HASH, back to back. Each file
 * lands through its own FileSink (temporary file, checked, renamed); one
 * credit window covers them all.
 *
 * Why: with a request per file, a tree of thousands of small files costs a
 * request, a reply and a wake-up of both processes per file, far more than
 * the bytes themselves; streamed, the files arrive in full socket reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Connection, RequestSlot } from '../connection/connection.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { ReceiveWindow } from '../protocol/flow-control.js';
import { EntryKind, type Entry, type ServerMessage } from '../protocol/messages.js';
import { checkTarget } from './download.js';
import { cancelledError, failError } from './exchange.js';
import { FileSink } from './file-sink.js';
import { localError, partialPathFor } from './local-files.js';
import { ProgressThrottle } from './progress.js';
import { joinRemote } from './remote-path.js';
import { asBuffer, grantUnderLimit } from './transfer-common.js';
import type { RateLimit } from './rate-limit.js';
import type { TreeProgress } from './types.js';

/** Credit for the whole tree's content: deep enough to keep the link busy, and the bound on buffered bytes. */
const TREE_STREAM_WINDOW = 16 * 1024 * 1024;

export interface TreeStreamJob {
  remoteDir: string;
  localDir: string;
  /** Only these entries of `remoteDir` (TGET with names); undefined: all. */
  names?: readonly string[] | undefined;
  overwrite: boolean;
  /** Folders (relative, `/`-separated) known to exist locally. */
  folders: Set<string>;
  /** Folders this call created: files in them need no "does the target exist" check. */
  freshFolders: Set<string>;
  /** A recursive listing of the tree, running beside the stream: its totals feed progress once it arrives. */
  totals?: Promise<Entry[]> | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: TreeProgress) => void) | undefined;
  progressIntervalMs?: number | undefined;
  /** A bandwidth limit shared with other transfers: credit goes back only as fast as it allows. */
  rateLimit?: RateLimit | undefined;
  /** Checks a name from the server is a plain relative path (throws INVALID_PATH). */
  checkName(name: string): string;
}

export interface TreeStreamResult {
  files: number;
  folders: number;
  bytes: number;
}

export function receiveTree(connection: Connection, job: TreeStreamJob): Promise<TreeStreamResult> {
  return new TreeReceiver(connection, job).done;
}

interface CurrentFile {
  sink: FileSink;
  relative: string;
  size: number;
}

class TreeReceiver {
  readonly done: Promise<TreeStreamResult>;
  private resolve!: (result: TreeStreamResult) => void;
  private reject!: (error: unknown) => void;
  private slot: RequestSlot | undefined;
  private current: CurrentFile | undefined;
  /** Files whose HASH arrived and whose checks and renames are still running. */
  private readonly completing = new Set<Promise<void>>();
  private filesDone = 0;
  private foldersSeen = 0;
  private bytesDone = 0;
  /** Unknown (0) until the listing beside the stream arrives. */
  private filesTotal = 0;
  private bytesTotal = 0;
  private readonly credit: ReceiveWindow;
  private readonly progress: ProgressThrottle<TreeProgress>;
  /** Set once the outcome is decided; later frames are only drained. */
  private stopped = false;
  private readonly onAbort = (): void => this.stop(cancelledError(), true);
  /** The entries asked for by name: nothing else may arrive. */
  private readonly selected: ReadonlySet<string> | undefined;

  constructor(private readonly connection: Connection, private readonly job: TreeStreamJob) {
    this.progress = new ProgressThrottle(job.onProgress, job.progressIntervalMs);
    this.credit = new ReceiveWindow(job.rateLimit ? job.rateLimit.receiveWindow(TREE_STREAM_WINDOW) : TREE_STREAM_WINDOW);
    this.selected = job.names && job.names.length > 0 ? new Set(job.names) : undefined;
    job.totals?.then((entries) => {
      for (const entry of entries) {
        if (entry.kind !== EntryKind.FILE) continue;
        this.filesTotal++;
        this.bytesTotal += entry.size;
      }
    }, () => undefined);
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    void this.begin();
  }

  private async begin(): Promise<void> {
    try {
      this.slot = await this.connection.begin({
        onMessage: (msg) => this.onMessage(msg),
        onConnectionLost: (error) => this.stop(error, false),
      }, this.job.signal);
    } catch (error) {
      this.stop(error, false);
      return;
    }
    this.connection.send({
      op: 'TGET', id: this.slot.id, path: this.job.remoteDir, window: this.credit.window,
      ...(this.job.names && this.job.names.length > 0 ? { names: [...this.job.names] } : {}),
    });
    this.job.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.job.signal?.aborted) this.onAbort();
  }

  private onMessage(msg: ServerMessage): void {
    if (msg.op === 'DONE' || msg.op === 'FAIL') this.slot?.finish();
    if (this.stopped) return;
    try {
      switch (msg.op) {
        case 'FILE':
          this.onFile(msg.entry);
          return;
        case 'DATA': {
          // Content past the credit is refused before it is buffered: what a server can make us hold is the window.
          const problem = !this.current ? 'DATA outside a file'
            : !this.credit.receive(msg.data.length) ? `DATA beyond the credit of ${this.credit.available} bytes`
              : this.current.sink.accept(msg.offset, asBuffer(msg.data));
          if (problem) this.violation(problem);
          return;
        }
        case 'HASH':
          this.onHash(msg.hash);
          return;
        case 'DONE':
          if (this.current) {
            this.violation('DONE inside a file');
            return;
          }
          void this.finish();
          return;
        case 'FAIL':
          this.stop(failError(msg), false);
          return;
        default:
          this.violation(`unexpected ${msg.op} during a tree download`);
      }
    } catch (error) {
      // A local refusal (an existing target, an unsafe name, a folder that cannot be made) ends the tree.
      this.stop(error, true);
    }
  }

  private onFile(entry: Entry): void {
    if (this.current) {
      this.violation('FILE before the previous file\'s HASH');
      return;
    }
    const relative = this.job.checkName(entry.name);
    if (this.selected && !this.selected.has(topOf(relative))) {
      this.violation(`${relative} is not one of the names asked for`);
      return;
    }
    const local = path.join(this.job.localDir, ...relative.split('/'));
    if (entry.kind === EntryKind.DIRECTORY) {
      this.foldersSeen++;
      if (!this.job.folders.has(relative)) {
        this.makeFolder(relative, local);
        this.job.folders.add(relative);
      }
      return;
    }
    if (entry.kind !== EntryKind.FILE) {
      this.violation(`a tree item of kind ${entry.kind}`);
      return;
    }
    if (!this.job.freshFolders.has(parentOf(relative))) checkTarget(local, this.job.overwrite);
    this.current = {
      relative,
      size: entry.size,
      sink: new FileSink({
        partial: partialPathFor(local), localPath: local, remotePath: joinRemote(this.job.remoteDir, relative),
        start: { offset: 0, prefixHash: Buffer.alloc(0) },
        size: entry.size, mtimeMs: entry.mtimeMs, mode: entry.mode,
        onWritten: (bytes) => this.credited(bytes),
        onWriteError: (error) => this.stop(error, true),
      }),
    };
  }

  /**
   * A folder of the tree: made here (then it holds nothing yet, and its files
   * need no target check), or an existing folder; anything else in its place
   * is NOT_A_DIRECTORY.
   */
  private makeFolder(relative: string, local: string): void {
    try {
      fs.mkdirSync(local);
      this.job.freshFolders.add(relative);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A server sends a folder before what is inside it; should one not, make the parents too.
      if (code === 'ENOENT') {
        try {
          fs.mkdirSync(local, { recursive: true });
          return;
        } catch (again) {
          throw localError(again, local);
        }
      }
      if (code !== 'EEXIST') throw localError(error, local);
    }
    if (!fs.lstatSync(local).isDirectory()) throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `${local} is not a folder`);
  }

  private onHash(hash: Uint8Array): void {
    const file = this.current;
    if (!file) {
      this.violation('HASH outside a file');
      return;
    }
    this.current = undefined;
    const completion = file.sink.complete(hash).then(() => {
      this.completing.delete(completion);
      this.filesDone++;
      this.report(file.relative);
    }, (error: unknown) => {
      this.completing.delete(completion);
      this.stop(error, true);
    });
    this.completing.add(completion);
  }

  /** `bytes` more of the current file are taken in: credit back in batches, progress. */
  private credited(bytes: number): void {
    // Writes landing after the server's DONE still count; only the credit is of no more use then.
    this.bytesDone += bytes;
    if (this.stopped) return;
    const increment = this.credit.consumed(bytes);
    if (increment > 0) grantUnderLimit(this.connection, this.slot!.id, increment, this.job.rateLimit, () => this.stopped, this.job.signal);
    this.report(this.current?.relative);
  }

  private snapshot(current: string | undefined): TreeProgress {
    return {
      filesDone: this.filesDone, filesTotal: Math.max(this.filesTotal, this.filesDone),
      bytesDone: this.bytesDone, bytesTotal: Math.max(this.bytesTotal, this.bytesDone),
      ...(current !== undefined ? { current } : {}),
    };
  }

  private report(current: string | undefined): void {
    this.progress.update(() => this.snapshot(current));
  }

  private async finish(): Promise<void> {
    this.stopped = true;
    this.job.signal?.removeEventListener('abort', this.onAbort);
    // Every file's own completion settles before the tree does; the first failure among them wins.
    const failure = await this.settleCompletions();
    if (failure !== undefined) {
      this.reject(failure);
      return;
    }
    this.progress.flush(this.snapshot(undefined));
    this.resolve({ files: this.filesDone, folders: this.foldersSeen, bytes: this.bytesDone });
  }

  private firstFailure: unknown;

  private async settleCompletions(): Promise<unknown> {
    while (this.completing.size > 0) await Promise.all([...this.completing]);
    return this.firstFailure;
  }

  /**
   * Ends the tree with `error`. The file in progress keeps its temporary file
   * for a later resume; files already complete stay. `cancelServer`: tell the
   * server to stop (a local reason; the server's own FAIL needs no CANC).
   */
  private stop(error: unknown, cancelServer: boolean): void {
    this.firstFailure ??= error;
    if (this.stopped) return;
    this.stopped = true;
    this.job.signal?.removeEventListener('abort', this.onAbort);
    if (cancelServer && this.slot && !this.connection.closed) this.connection.send({ op: 'CANC', id: this.slot.id });
    const file = this.current;
    this.current = undefined;
    void (async () => {
      if (file) await file.sink.abandon('keep');
      await this.settleCompletions();
      this.reject(this.firstFailure);
    })();
  }

  private violation(what: string): void {
    const error = new FerryError(ErrorCode.BAD_FRAME, `the server broke the protocol: ${what}`);
    this.stop(error, false);
    this.connection.close(error);
  }
}

/** `a/b/c.txt` → `a/b`; a top-level name → ``. */
export function parentOf(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? '' : relative.slice(0, slash);
}

/** `a/b/c.txt` → `a`: the entry of the tree's top folder that a path lies in. */
export function topOf(relative: string): string {
  const slash = relative.indexOf('/');
  return slash < 0 ? relative : relative.slice(0, slash);
}
