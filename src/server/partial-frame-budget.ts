/**
 * The server-wide bound on large frames received in part (docs/SECURITY.md).
 *
 * A frame is buffered until its last byte arrives, so a client that sends
 * the first bytes of a 4 MiB frame and then nothing pins 4 MiB for as long as
 * its connection lives; many connections, many times that. A session about to
 * collect a frame above `smallFrameBytes` reserves the frame's whole length
 * here first. When the budget has no room, the session stops reading until a
 * reservation ends (first come, first served). Reserving the whole frame up
 * front is what keeps this free of deadlock: a session that holds a
 * reservation can always read its frame to the end, so reservations end as
 * soon as their clients send, whatever the others do.
 */
export class PartialFrameBudget {
  private reserved = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  /**
   * @param limitBytes the most bytes reserved at once, server-wide
   * @param smallFrameBytes frames up to this length need no reservation (one socket read each)
   */
  constructor(readonly limitBytes: number, readonly smallFrameBytes: number) {}

  /** Reserves `bytes` now if there is room and nobody waits; otherwise queues `grant` and returns false. */
  reserve(bytes: number, grant: () => void): boolean {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.reserved += bytes;
      return true;
    }
    this.waiting.push({ bytes, grant });
    return false;
  }

  /** Ends a reservation of `bytes` (the frame completed, or its session ended) and serves the queue. */
  release(bytes: number): void {
    this.reserved -= bytes;
    this.serve();
  }

  /** Drops a queued request (its session ended while it waited). */
  cancel(grant: () => void): void {
    const index = this.waiting.findIndex((entry) => entry.grant === grant);
    if (index >= 0) this.waiting.splice(index, 1);
    this.serve();
  }

  /** Bytes reserved now (for tests and the fuzzer's report). */
  get reservedBytes(): number {
    return this.reserved;
  }

  /** Reservations waiting for room (for tests). */
  get waitingReservations(): number {
    return this.waiting.length;
  }

  private fits(bytes: number): boolean {
    // One frame larger than the whole budget still gets through alone.
    return this.reserved === 0 || this.reserved + bytes <= this.limitBytes;
  }

  private serve(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.reserved += next.bytes;
      next.grant();
    }
  }
}
