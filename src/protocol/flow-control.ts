/**
 * Flow control (docs/PROTOCOL.md §5), written once for both ends of a
 * transfer and both programs. Pure: these windows count bytes and say when a
 * WIND is due; the caller sends frames and does any waiting.
 *
 * - `SendWindow`: the sender's side. Credit is the request's initial window
 *   plus every WIND increment; each DATA frame spends its content length.
 * - `ReceiveWindow`: the receiver's side. It checks that incoming DATA stays
 *   within the credit granted, and turns bytes taken in (written, hashed)
 *   into WIND increments by the grant rule below.
 */
import { checkUint, MAX_U32 } from './bytes.js';

/** Credit granted to us by the receiver of our DATA. */
export class SendWindow {
  private credit: number;

  /** @param initial the window of the request (DWLD, TGET) or of its OPEN reply (UPLD, TPUT) */
  constructor(initial = 0) {
    checkUint(initial, MAX_U32, 32);
    this.credit = initial;
  }

  /** Bytes of DATA content that may be sent right now. */
  get available(): number {
    return this.credit;
  }

  /** A WIND (or an OPEN's window) came in. */
  grant(increment: number): void {
    this.credit += increment;
  }

  /** Spends up to `wanted` bytes of the credit and returns how many (0 when there is none). */
  take(wanted: number): number {
    const n = Math.min(wanted, this.credit);
    this.credit -= n;
    return n;
  }

  /** Spends exactly `bytes`; sending beyond the credit is a programming error. */
  spend(bytes: number): void {
    if (bytes > this.credit) throw new RangeError(`${bytes} bytes exceed the credit of ${this.credit}`);
    this.credit -= bytes;
  }
}

/**
 * How a receiver gives credit back:
 * - `quarter`: in batches of at least a quarter of the window. That spares a
 *   WIND (and a socket write) per frame or per small file, and keeps at least
 *   three quarters of the window in flight, so the sender never waits for a
 *   batch and the link does not idle.
 * - `each`: every time bytes are taken in, however few.
 */
export type GrantRule = 'quarter' | 'each';

/** Credit we grant the sender of a request's DATA. */
export class ReceiveWindow {
  /** Credit the sender still holds: the window, less DATA received, plus WIND sent. */
  private credit: number;
  /** Bytes taken in but not yet granted back. */
  private ungranted = 0;
  private readonly batch: number;

  constructor(readonly window: number, rule: GrantRule = 'quarter') {
    checkUint(window, MAX_U32, 32);
    this.credit = window;
    this.batch = rule === 'quarter' ? Math.max(1, Math.floor(window / 4)) : 1;
  }

  /** Credit the sender still holds. */
  get available(): number {
    return this.credit;
  }

  /**
   * DATA of `bytes` arrived: true when it was within the credit (now spent),
   * false when the sender overran it (nothing changes; a protocol violation).
   */
  receive(bytes: number): boolean {
    if (bytes > this.credit) return false;
    this.credit -= bytes;
    return true;
  }

  /**
   * `bytes` more are taken in (written, hashed: no longer held in memory).
   * Returns the WIND increment to send now, already counted as granted, or 0
   * while the batch is not full.
   */
  consumed(bytes: number): number {
    this.ungranted += bytes;
    if (this.ungranted < this.batch) return 0;
    const increment = this.ungranted;
    this.ungranted = 0;
    this.credit += increment;
    return increment;
  }
}
