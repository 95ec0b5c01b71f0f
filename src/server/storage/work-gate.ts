/**
 * Turns for expensive disk work a client can ask for cheaply, such as the
 * prefix a resumed download must hash before its first byte (docs/SECURITY.md,
 * "Work a request costs"): a DWLD of a few dozen bytes can make the server
 * read and hash gigabytes. At most `slots` such jobs run in the process at
 * once and at most one per owner (a session); the others wait their turn, in
 * order, and a waiter whose request is aborted leaves the queue. So one
 * client's many requests run one after another at disk speed, and other
 * sessions' jobs take turns beside them, instead of all running at once.
 */

interface Waiter {
  owner: object;
  start(): void;
}

export class WorkGate {
  private running = 0;
  private readonly owners = new Set<object>();
  private readonly waiting: Waiter[] = [];
  /** The most jobs seen running at once (for tests and diagnostics). */
  peak = 0;

  constructor(private readonly slots: number) {}

  /** Runs `work` when it is `owner`'s turn; rejects with the signal's reason if aborted while waiting. */
  async run<T>(owner: object, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    await this.enter(owner, signal);
    try {
      return await work();
    } finally {
      this.leave(owner);
    }
  }

  private canStart(owner: object): boolean {
    return this.running < this.slots && !this.owners.has(owner);
  }

  private begin(owner: object): void {
    this.running++;
    this.owners.add(owner);
    this.peak = Math.max(this.peak, this.running);
  }

  private enter(owner: object, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.canStart(owner)) {
      this.begin(owner);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason as Error);
      };
      const waiter: Waiter = {
        owner,
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.begin(owner);
          resolve();
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private leave(owner: object): void {
    this.running--;
    this.owners.delete(owner);
    for (let at = 0; at < this.waiting.length && this.running < this.slots; at++) {
      const waiter = this.waiting[at]!;
      if (this.owners.has(waiter.owner)) continue;
      this.waiting.splice(at--, 1);
      waiter.start();
    }
  }
}

/** Prefix hashes of resumed downloads and the files of a SUMS request: two at a time in the process, one per session. */
export const prefixVerifications = new WorkGate(2);
