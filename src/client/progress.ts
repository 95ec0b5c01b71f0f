/**
 * Progress callbacks at a bounded rate: a transfer of millions of frames calls
 * the listener at most every `intervalMs`, plus once at the end, so a UI
 * re-renders at a steady pace whatever the frame rate.
 */
export const PROGRESS_INTERVAL_MS = 100;

export class ProgressThrottle<T> {
  private lastAt = 0;

  constructor(
    private readonly listener: ((value: T) => void) | undefined,
    private readonly intervalMs: number = PROGRESS_INTERVAL_MS,
  ) {}

  /** Reports `value` if the interval has passed since the last report. */
  update(value: () => T): void {
    if (!this.listener) return;
    const now = performance.now();
    if (now - this.lastAt < this.intervalMs) return;
    this.lastAt = now;
    this.listener(value());
  }

  /** Reports `value` unconditionally (the final figure). */
  flush(value: T): void {
    this.lastAt = performance.now();
    this.listener?.(value);
  }
}
