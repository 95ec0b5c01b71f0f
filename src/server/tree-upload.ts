/**
 * TPUT (docs/PROTOCOL.md §6, Tree upload): a whole tree into a folder in one
 * request. OPEN grants one credit for all content; the client sends FILE (a
 * folder to create, or a file followed by its DATA and HASH) for every item,
 * then DONE. Each file is written to its temporary file and checked at its
 * HASH like an UPLD; checked files are committed in batches (one flush of
 * the file system for the batch, then the renames, then another flush), and
 * the request's DONE comes once every file is committed.
 *
 * However the request ends (DONE, a failure, CANC, the connection lost), the
 * files checked before its end are committed: what arrived whole is kept.
 */
import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { EntryKind, TPUT_OVERWRITE, type Entry, type ServerMessage, type TreePutRequest } from '../protocol/messages.js';
import { abortError, endedWithSession, type RequestContext, type TransferInput } from './request.js';
import { toFerryError } from './storage/errors.js';
import { displayPath } from './storage/paths.js';
import type { StagedFile, UploadFile, UploadPlan } from './storage/storage.js';
import type { TreeTarget } from './storage/tree-target.js';
import { UploadCredit, UploadReceiver } from './upload.js';

/**
 * Checked files are flushed to disk in the background once this many wait
 * (or this much content), while the rest of the tree arrives; each flush is
 * followed by the renames of the files it covered. So at the end only the
 * last few files and one flush of the renames are left to wait for.
 */
const FLUSH_FILES = 256;
const FLUSH_BYTES = 64 * 1024 * 1024;

export async function handleTreePut(ctx: RequestContext, msg: TreePutRequest): Promise<ServerMessage> {
  const components = ctx.storage.parse(msg.path);
  const target = await ctx.storage.openTreeTarget(components);
  const tree = new TreeUpload(ctx, target, components, (msg.flags & TPUT_OVERWRITE) !== 0);
  ctx.receive(tree);
  ctx.output.send({
    op: 'OPEN', id: ctx.id, offset: 0, size: 0, mtimeMs: 0, mode: 0, prefixHash: Buffer.alloc(0), window: ctx.uploadWindow,
  });
  // From now on the client is to send; every frame for the request is progress (commits switch it off).
  ctx.waitingOnPeer(true);
  let failure: unknown;
  try {
    await tree.received;
  } catch (error) {
    failure = error;
  }
  // Whatever ended the request, what was checked is committed.
  const commitFailure = await tree.commitAll();
  await target.close();
  if (failure !== undefined) throw failure;
  if (commitFailure) throw commitFailure;
  ctx.recordTree('upload', tree.files, tree.bytes, displayPath(components));
  return { op: 'DONE', id: ctx.id };
}

interface FileInProgress {
  entry: Entry;
  plan: UploadPlan;
  file: UploadFile;
  receiver: UploadReceiver;
}

class TreeUpload implements TransferInput {
  /** Resolves when the client's DONE has arrived and every file is checked and staged; rejects on the first failure. */
  readonly received: Promise<void>;
  files = 0;
  bytes = 0;
  private resolveReceived!: () => void;
  private rejectReceived!: (error: unknown) => void;
  private readonly credit: UploadCredit;
  private current: FileInProgress | undefined;
  /** Files whose HASH arrived and whose checks and staging are still running. */
  private readonly finishing = new Set<Promise<void>>();
  /** Checked files waiting for a flush, with their claims (one upload per path) held until renamed. */
  private staged: { file: StagedFile; claim: { key: string; tempReal: string } }[] = [];
  private stagedBytes = 0;
  /** The chain of flushes and renames so far; resolves with the first failure. */
  private committing: Promise<FerryError | undefined> = Promise.resolve(undefined);
  private flushRunning = false;
  /** Folders renamed into whose renames are not flushed yet. */
  private readonly renamedInto = new Set<string>();
  private doneSeen = false;
  private settled = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly target: TreeTarget,
    private readonly top: readonly string[],
    private readonly overwrite: boolean,
  ) {
    this.credit = new UploadCredit(ctx, ctx.uploadWindow, 'always');
    this.received = new Promise((resolve, reject) => {
      this.resolveReceived = resolve;
      this.rejectReceived = reject;
    });
    this.received.catch(() => undefined);
    ctx.signal.addEventListener('abort', () => this.fail(abortError(ctx.signal)), { once: true });
  }

  onFile(entry: Entry): void {
    if (this.settled) return;
    if (this.doneSeen) return this.fail(new FerryError(ErrorCode.BAD_FRAME, 'FILE after the tree\'s DONE'));
    if (this.current) return this.fail(new FerryError(ErrorCode.BAD_FRAME, 'FILE before the previous file\'s HASH'));
    try {
      const relative = this.relativeComponents(entry.name);
      if (entry.kind === EntryKind.DIRECTORY) {
        this.target.mkdir(relative);
        return;
      }
      if (entry.kind !== EntryKind.FILE) throw new FerryError(ErrorCode.BAD_FRAME, `a tree item of kind ${entry.kind}`);
      const plan = this.target.planFile(relative, this.overwrite);
      if (!this.ctx.uploads.claim(plan.key, plan.tempReal)) {
        void plan.close();
        throw new FerryError(ErrorCode.BUSY, `another upload is writing ${displayPath(plan.components)}`);
      }
      let file: UploadFile;
      try {
        file = this.target.createFile(plan, entry.mode);
      } catch (error) {
        this.ctx.uploads.release(plan.key, plan.tempReal);
        void plan.close();
        throw error;
      }
      const receiver = new UploadReceiver(this.ctx, file, entry.size, this.credit);
      // Refused content (beyond the size, past the credit) or a failed write ends the tree at once.
      receiver.finished.catch((error: unknown) => this.fail(error));
      this.current = { entry, plan, file, receiver };
    } catch (error) {
      this.fail(toFerryError(error));
    }
  }

  onData(offset: number, data: Buffer): void {
    if (this.settled) return;
    if (!this.current) return this.fail(new FerryError(ErrorCode.BAD_FRAME, 'DATA outside a file of the tree'));
    this.current.receiver.onData(offset, data);
  }

  onHash(hash: Buffer): void {
    if (this.settled) return;
    const current = this.current;
    if (!current) return this.fail(new FerryError(ErrorCode.BAD_FRAME, 'HASH outside a file of the tree'));
    this.current = undefined;
    current.receiver.onHash(hash);
    // A small file is all written by now: checked and staged at once, without a promise per file.
    if (current.receiver.completedHash && this.finishNow(current, current.receiver.completedHash)) return;
    const finishing = this.finishFile(current).then(() => {
      this.finishing.delete(finishing);
      this.resolveIfDone();
    }, (error: unknown) => {
      this.finishing.delete(finishing);
      this.fail(error);
    });
    this.finishing.add(finishing);
  }

  onDone(): void {
    if (this.settled) return;
    if (this.current) return this.fail(new FerryError(ErrorCode.BAD_FRAME, 'DONE inside a file of the tree'));
    this.doneSeen = true;
    this.resolveIfDone();
  }

  /** finishFile for a file whose bytes are all written; false when it must wait after all (a flush runs). */
  private finishNow(current: FileInProgress, clientHash: Buffer): boolean {
    let staged: StagedFile | undefined;
    try {
      this.checkContent(current, current.receiver.digestNow(), clientHash);
      staged = current.file.stageNow(current.entry.mtimeMs, current.entry.mode, this.overwrite);
    } catch (error) {
      const dropping = this.dropFile(current.file, current.plan).then(() => {
        this.finishing.delete(dropping);
      });
      this.finishing.add(dropping);
      this.fail(error);
      return true;
    }
    if (!staged) return false;
    this.addStaged(current, staged);
    this.resolveIfDone();
    return true;
  }

  /** The received length and hash must be the file's. */
  private checkContent({ entry, plan, receiver }: FileInProgress, received: Buffer, clientHash: Buffer): void {
    const subject = displayPath(plan.components);
    if (receiver.received !== entry.size) {
      throw new FerryError(ErrorCode.SIZE_MISMATCH, `received ${receiver.received} of ${entry.size} bytes for ${subject}`);
    }
    if (!timingSafeEqual(received, clientHash)) {
      throw new FerryError(ErrorCode.HASH_MISMATCH, `the content received for ${subject} does not match its hash`);
    }
  }

  /** Checks a file once its content is written, stages it, and commits a full batch. */
  private async finishFile({ entry, plan, file, receiver }: FileInProgress): Promise<void> {
    let staged: StagedFile;
    try {
      const clientHash = await receiver.finished;
      this.checkContent({ entry, plan, file, receiver }, await receiver.digest(), clientHash);
      staged = await file.stage(entry.mtimeMs, entry.mode, this.overwrite);
    } catch (error) {
      await this.dropFile(file, plan);
      throw error;
    }
    this.addStaged({ entry, plan, file, receiver }, staged);
  }

  private addStaged({ entry, plan }: FileInProgress, staged: StagedFile): void {
    void plan.close();
    this.staged.push({ file: staged, claim: { key: plan.key, tempReal: plan.tempReal } });
    this.stagedBytes += entry.size;
    this.files++;
    this.bytes += entry.size;
    if (!this.flushRunning && (this.staged.length >= FLUSH_FILES || this.stagedBytes >= FLUSH_BYTES)) {
      // In the background: the tree goes on arriving meanwhile; a failure is reported at the end.
      void this.commitStaged();
    }
  }

  /**
   * A file that will not be committed: kept for a resume when the session
   * ended under it (as an interrupted UPLD), removed otherwise (refused
   * content, a failure elsewhere in the tree, a cancel).
   */
  private async dropFile(file: UploadFile, plan: UploadPlan): Promise<void> {
    if (endedWithSession(this.ctx.signal)) await file.abandon();
    else await file.discard();
    this.ctx.uploads.release(plan.key, plan.tempReal);
    await plan.close();
  }

  /**
   * Flushes what is staged now and renames it; such runs go one after
   * another. Resolves with the first failure of any run so far.
   */
  private commitStaged(): Promise<FerryError | undefined> {
    const batch = this.staged;
    this.staged = [];
    this.stagedBytes = 0;
    this.flushRunning = true;
    this.committing = this.committing.then(async (earlier) => {
      let failure: FerryError | undefined;
      try {
        await this.ctx.storage.flushStaged(batch.map((item) => item.file));
        const renamed = this.ctx.storage.renameStaged(batch.map((item) => item.file));
        failure = renamed.failure;
        for (const folder of renamed.folders) this.renamedInto.add(folder);
      } catch (error) {
        failure = toFerryError(error);
        // Not renamed: their temporary files and locks go, or the names would stay BUSY.
        this.ctx.storage.dropStaged(batch.map((item) => item.file));
      }
      for (const { claim } of batch) this.ctx.uploads.release(claim.key, claim.tempReal);
      this.flushRunning = false;
      return earlier ?? failure;
    });
    return this.committing;
  }

  /**
   * The end of the request, however it came: waits for files being finished,
   * ends the one in progress, commits every staged file. Returns the first
   * commit failure.
   */
  async commitAll(): Promise<FerryError | undefined> {
    while (this.finishing.size > 0) await Promise.all([...this.finishing]);
    const current = this.current;
    this.current = undefined;
    if (current) {
      current.receiver.fail(new FerryError(ErrorCode.CANCELLED, 'the tree upload ended'));
      await this.dropFile(current.file, current.plan);
    }
    // Flushing the disk is the server's own work, however long it takes: no stall timeout meanwhile.
    this.ctx.waitingOnPeer(false);
    let failure = await this.commitStaged();
    try {
      await this.ctx.storage.flushRenames([...this.renamedInto]);
    } catch (error) {
      failure ??= toFerryError(error);
    }
    return failure;
  }

  private resolveIfDone(): void {
    if (this.settled || !this.doneSeen || this.finishing.size > 0) return;
    this.settled = true;
    this.resolveReceived();
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.current?.receiver.fail(toFerryError(error));
    this.rejectReceived(error);
  }

  /** A FILE name as components below the tree's folder, checked like any path (INVALID_PATH). */
  private relativeComponents(name: string): string[] {
    // Relative to the tree's folder: a leading `/` (the root, elsewhere) has no meaning here.
    if (name === '' || name.startsWith('/')) {
      throw new FerryError(ErrorCode.INVALID_PATH, `a tree item's name is a relative path: ${JSON.stringify(name)}`);
    }
    // The whole path is parsed, so its length is checked too; the top's own components are known good.
    return this.ctx.storage.parse(this.topPrefix + name).slice(this.top.length);
  }

  /** The tree's folder as a path prefix for its items' names (`` for the root). */
  private get topPrefix(): string {
    return this.top.length === 0 ? '' : `${this.top.join('/')}/`;
  }
}
