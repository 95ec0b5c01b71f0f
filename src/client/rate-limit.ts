/**
 * A bandwidth limit shared by any number of transfers: a token bucket in
 * bytes. Senders take tokens before a DATA frame goes out; receivers take
 * them before giving credit back (WIND), so the server cannot send faster
 * than the limit either. Every transfer handed the same RateLimit shares one
 * rate, first come first served.
 *
 * The bucket may run into debt: a take larger than what is there is granted
 * once the bucket is not empty, and the next taker waits for the debt to be
 * paid. Over any stretch of time the bytes granted are at most
 * `rate × seconds + burst + largest take`.
 */
import { cancelledError } from './exchange.js';

/** The smallest limit worth having: below it a single frame would take seconds. */
export const MIN_RATE = 1024;

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class RateLimit {
  private bytesPerSecond: number | undefined;
  private tokens = 0;
  private updatedAt: number;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();

  /** `bytesPerSecond` undefined (or 0): no limit. */
  constructor(bytesPerSecond?: number, private readonly now: () => number = () => performance.now()) {
    this.updatedAt = now();
    this.set(bytesPerSecond);
  }

  /** Bytes per second, or undefined when unlimited. */
  get rate(): number | undefined {
    return this.bytesPerSecond;
  }

  /** Bytes that may go at once after an idle spell: a tenth of a second's worth (16 KiB at least). */
  get burst(): number {
    return this.bytesPerSecond === undefined ? Infinity : Math.max(16 * 1024, Math.floor(this.bytesPerSecond / 10));
  }

  /**
   * The largest piece a sender should ask for at once: a slice keeps the
   * flow even and several transfers interleaved, rather than one 1 MiB frame
   * per second each.
   */
  slice(wanted: number): number {
    return this.bytesPerSecond === undefined ? wanted : Math.max(1, Math.min(wanted, this.burst));
  }

  /**
   * The receive window a download should grant under this limit: about half a
   * second of bytes (64 KiB at least), never more than `window`; the whole
   * `window` without a limit.
   */
  receiveWindow(window: number): number {
    if (this.bytesPerSecond === undefined) return window;
    return Math.min(window, Math.max(64 * 1024, Math.floor(this.bytesPerSecond / 2)));
  }

  /** Changes the limit at once, for the transfers running too; undefined or 0 lifts it. */
  set(bytesPerSecond: number | undefined): void {
    this.refill();
    const rate = bytesPerSecond === undefined || bytesPerSecond <= 0 ? undefined : Math.max(MIN_RATE, Math.floor(bytesPerSecond));
    if (rate === this.bytesPerSecond) return;
    this.bytesPerSecond = rate;
    this.tokens = rate === undefined ? 0 : Math.min(this.tokens, this.burst);
    if (rate === undefined) {
      // Unlimited: everyone waiting goes now.
      for (const waiter of this.waiters.splice(0)) this.grant(waiter);
    }
    this.schedule();
    for (const listener of this.listeners) listener();
  }

  /** Hears of every change of the limit; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once `bytes` may go. Without a limit: at once. Aborting `signal`
   * rejects with CANCELLED and gives the place in line up.
   */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.bytesPerSecond === undefined || bytes <= 0) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(cancelledError());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes, resolve, reject, signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(cancelledError());
          this.schedule();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.serve();
    });
  }

  private refill(): void {
    const now = this.now();
    if (this.bytesPerSecond !== undefined) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.bytesPerSecond);
    }
    this.updatedAt = now;
  }

  /** Grants waiters in order while the bucket is not in debt. */
  private serve(): void {
    this.refill();
    while (this.waiters.length > 0 && this.tokens > 0) {
      const waiter = this.waiters.shift()!;
      this.tokens -= waiter.bytes;
      this.grant(waiter);
    }
    this.schedule();
  }

  private grant(waiter: Waiter): void {
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve();
  }

  /** A timer for when the debt is paid, while someone waits. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiters.length === 0 || this.bytesPerSecond === undefined) return;
    const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) / this.bytesPerSecond) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.serve();
    }, waitMs);
  }
}

const RATE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * `10M`, `500k`, `1.5M`, `2048` (bytes per second; k, M, G are 1024-based; a
 * trailing `B`, `/s` or `B/s` is allowed). Returns undefined for text that is
 * no rate; `0`, `off` and `none` are 0 (no limit).
 */
export function parseRate(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off' || trimmed === 'none' || trimmed === 'unlimited') return 0;
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/.exec(trimmed);
  if (!match) return undefined;
  const value = Math.floor(Number(match[1]) * RATE_UNITS[match[2]!]!);
  if (!Number.isSafeInteger(value)) return undefined;
  if (value !== 0 && value < MIN_RATE) return undefined;
  return value;
}
