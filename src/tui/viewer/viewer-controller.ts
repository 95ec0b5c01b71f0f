/**
 * One open file viewer (F3): where it is in the file, text or hex, the search,
 * and the lines on screen. Keys arrive through `key`; every move reads only
 * the bytes it needs from the ByteSource, one step after another, and the
 * view subscribes to the snapshot (useSyncExternalStore).
 */
import { editTextField, textField, type TextFieldState } from '../state/text-field.js';
import type { KeyPress } from '../keys/parse-key.js';
import { matchCommand } from '../keys/keymap.js';
import { describeError } from '../describe-error.js';
import type { ByteSource } from './byte-source.js';
import {
  MAX_LINE_BYTES, SNIFF_BYTES, bytesPerRow, hexRow, indexOfIgnoringCase, lineText, looksBinary, offsetDigits,
  previousLineStart, splitLines, visibleSlice,
} from './text-lines.js';

/** Bytes searched per read. */
const SEARCH_CHUNK = 1024 * 1024;

export interface ViewerSnapshot {
  title: string;
  size: number;
  mode: 'text' | 'hex';
  /** Byte offset of the first line shown. */
  top: number;
  /** Exactly `rows` lines of exactly `columns` cells. */
  lines: string[];
  /** The search being typed, if any. */
  search: TextFieldState | undefined;
  /** What the bottom line says: progress, a find, an error. */
  status: string | undefined;
  busy: boolean;
}

export class ViewerController {
  private snapshot: ViewerSnapshot;
  private readonly listeners = new Set<() => void>();
  private columns = 80;
  private rows = 20;
  /** Columns scrolled to the right (text). */
  private left = 0;
  private lastQuery = '';
  private lastMatch: number | undefined;
  /** Steps run one after another, so keys pressed quickly apply in order. */
  private steps: Promise<void> = Promise.resolve();
  private stopSearch = false;
  private closed = false;

  constructor(private readonly source: ByteSource, title: string, mode: 'text' | 'hex') {
    this.snapshot = { title, size: source.size, mode, top: 0, lines: [], search: undefined, status: undefined, busy: false };
  }

  /** Opens `source`: text or hex decided by its first bytes. */
  static async open(source: ByteSource, title: string): Promise<ViewerController> {
    const sample = await source.read(0, SNIFF_BYTES);
    return new ViewerController(source, title, looksBinary(sample) ? 'hex' : 'text');
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ViewerSnapshot => this.snapshot;

  /** Bytes fetched from the file so far. */
  get fetched(): number {
    return this.source.fetched;
  }

  private update(change: Partial<ViewerSnapshot>): void {
    if (this.closed) return;
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of this.listeners) listener();
  }

  /** The screen area for the file's lines; draws again when it changed. */
  resize(columns: number, rows: number): void {
    if (columns === this.columns && rows === this.rows && this.snapshot.lines.length > 0) return;
    this.columns = Math.max(1, columns);
    this.rows = Math.max(1, rows);
    this.step(async () => {
      if (this.snapshot.mode === 'hex') this.update({ top: this.alignRow(this.snapshot.top) });
      await this.draw();
    });
  }

  close(): void {
    this.stopSearch = true;
    this.closed = true;
    this.source.close();
  }

  /** Handles a key; false when the viewer is to close. */
  key(press: KeyPress): boolean {
    const search = this.snapshot.search;
    if (search) {
      const edited = editTextField(search, press);
      if (edited) this.update({ search: edited });
      else if (matchCommand(press, 'dialog') === 'confirm') {
        this.update({ search: undefined });
        if (search.value) {
          this.lastQuery = search.value;
          this.lastMatch = undefined;
          this.find();
        }
      } else if (matchCommand(press, 'dialog') === 'dismiss') this.update({ search: undefined });
      return true;
    }
    const command = matchCommand(press, 'viewer');
    if (this.snapshot.busy && command === 'close-viewer' && !this.stopSearch) {
      // The first Esc stops a long search or read; the next one closes.
      this.stopSearch = true;
      return true;
    }
    switch (command) {
      case 'close-viewer':
        return false;
      case 'scroll-up':
        this.step(() => this.moveLines(-1));
        return true;
      case 'scroll-down':
        this.step(() => this.moveLines(1));
        return true;
      case 'scroll-page-up':
        this.step(() => this.moveLines(-Math.max(1, this.rows - 1)));
        return true;
      case 'scroll-page-down':
        this.step(() => this.moveLines(Math.max(1, this.rows - 1)));
        return true;
      case 'scroll-left':
        this.left = Math.max(0, this.left - 8);
        this.step(() => this.draw());
        return true;
      case 'scroll-right':
        if (this.snapshot.mode === 'text') this.left += 8;
        this.step(() => this.draw());
        return true;
      case 'scroll-home':
        this.left = 0;
        this.step(() => this.goTo(0));
        return true;
      case 'scroll-end':
        this.step(() => this.goToEnd());
        return true;
      case 'search':
        this.update({ search: textField(this.lastQuery) });
        return true;
      case 'search-next':
        if (this.lastQuery) this.find();
        else this.update({ status: 'nothing to find yet: / searches' });
        return true;
      case 'toggle-hex':
        this.step(async () => {
          const mode = this.snapshot.mode === 'hex' ? 'text' : 'hex';
          const top = mode === 'hex' ? this.alignRow(this.snapshot.top) : await this.lineStartOf(this.snapshot.top);
          this.update({ mode, top });
          await this.draw();
        });
        return true;
      default:
        return true;
    }
  }

  private step(work: () => Promise<void>): void {
    this.steps = this.steps.then(async () => {
      if (this.closed) return;
      this.stopSearch = false;
      // A find's or an error's line stays until the next key.
      if (this.snapshot.status !== undefined) this.update({ status: undefined });
      try {
        await work();
      } catch (error) {
        this.update({ status: describeError(error), busy: false });
      }
    });
  }

  private get perRow(): number {
    return bytesPerRow(this.columns, offsetDigits(this.source.size));
  }

  private alignRow(offset: number): number {
    return offset - (offset % this.perRow);
  }

  private lastTop(): number {
    const size = this.source.size;
    if (size === 0) return 0;
    return Math.max(0, this.alignRow(size - 1) - (this.rows - 1) * this.perRow);
  }

  private async goTo(top: number): Promise<void> {
    this.update({ top });
    await this.draw();
  }

  private async goToEnd(): Promise<void> {
    if (this.snapshot.mode === 'hex') return this.goTo(this.lastTop());
    this.update({ busy: true, status: 'reading to the end…' });
    let top = await this.previousStart(this.source.size);
    for (let i = 1; i < this.rows && top > 0; i++) top = await this.previousStart(top);
    this.update({ busy: false, status: undefined });
    await this.goTo(top);
  }

  private async moveLines(delta: number): Promise<void> {
    let top = this.snapshot.top;
    if (this.snapshot.mode === 'hex') {
      top = Math.max(0, Math.min(this.lastTop(), top + delta * this.perRow));
    } else if (delta < 0) {
      for (let i = 0; i < -delta && top > 0; i++) top = await this.previousStart(top);
    } else {
      const bytes = await this.source.read(top, (delta + 1) * MAX_LINE_BYTES);
      const lines = splitLines(bytes, top, top + bytes.length >= this.source.size);
      // Never past the last line's start: the end of the file stays on screen.
      const target = lines[Math.min(delta, lines.length - 1)];
      if (target && target.start < this.source.size) top = target.start;
    }
    await this.goTo(top);
  }

  /** The start of the line before the one starting at `position`. */
  private async previousStart(position: number): Promise<number> {
    const base = Math.max(0, position - MAX_LINE_BYTES - 1);
    const before = await this.source.read(base, position - base);
    return previousLineStart(before, base, position);
  }

  /** The start of the line holding the byte at `offset`. */
  private async lineStartOf(offset: number): Promise<number> {
    return offset >= this.source.size ? this.previousStart(this.source.size) : this.previousStart(offset + 1);
  }

  private async draw(): Promise<void> {
    const { mode, top } = this.snapshot;
    const blank = ' '.repeat(this.columns);
    const lines: string[] = [];
    if (mode === 'hex') {
      const perRow = this.perRow;
      const digits = offsetDigits(this.source.size);
      const bytes = await this.source.read(top, perRow * this.rows);
      for (let row = 0; row * perRow < bytes.length && row < this.rows; row++) {
        lines.push(visibleSlice(hexRow(top + row * perRow, bytes.subarray(row * perRow, (row + 1) * perRow), perRow, digits), 0, this.columns));
      }
    } else {
      const bytes = await this.source.read(top, this.rows * MAX_LINE_BYTES);
      for (const line of splitLines(bytes, top, top + bytes.length >= this.source.size).slice(0, this.rows)) {
        lines.push(visibleSlice(lineText(line.bytes), this.left, this.columns));
      }
    }
    while (lines.length < this.rows) lines.push(blank);
    this.update({ lines });
  }

  /** Searches forward from the line after the last find (or the top), in steps the user can stop with Esc. */
  private find(): void {
    const needle = Buffer.from(this.lastQuery, 'utf8');
    this.step(async () => {
      let from = this.lastMatch === undefined ? this.snapshot.top : this.lastMatch + 1;
      const size = this.source.size;
      this.update({ busy: true, status: `searching for ${this.lastQuery}…` });
      while (from < size) {
        if (this.stopSearch) {
          this.update({ busy: false, status: 'search stopped' });
          return;
        }
        const chunk = await this.source.read(from, SEARCH_CHUNK + needle.length - 1);
        const found = indexOfIgnoringCase(chunk, needle);
        if (found >= 0) {
          this.lastMatch = from + found;
          const top = this.snapshot.mode === 'hex' ? this.alignRow(this.lastMatch) : await this.lineStartOf(this.lastMatch);
          this.update({ busy: false, status: `found "${this.lastQuery}" at byte ${this.lastMatch}` });
          await this.goTo(top);
          return;
        }
        if (chunk.length < needle.length) break;
        from += chunk.length - needle.length + 1;
        this.update({ status: `searching for ${this.lastQuery}… ${Math.floor((from / size) * 100)}%` });
      }
      this.update({ busy: false, status: `"${this.lastQuery}" not found below` });
    });
  }
}
