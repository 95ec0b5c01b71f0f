/**
 * Slows down and then blocks password guessing, per source address.
 *
 * - Each failed login from an address is answered after a delay that doubles
 *   with every recent failure (250 ms, 500 ms, 1 s, ... up to `maxDelayMs`).
 * - When an address reaches `maxFailures` within `windowMs`, it is blocked for
 *   `blockMs`: its logins are refused at once (code LIMIT), before any password
 *   is checked, and the block is logged.
 * - Attempts still being checked count against the limit too, so opening many
 *   connections at once does not buy more guesses than `maxFailures`.
 * - Memory is bounded: at most `maxTrackedAddresses` addresses are remembered;
 *   the least recently seen one is forgotten first.
 *
 * IPv6 clients are tracked by their /64 prefix (one host usually owns a whole
 * /64 and could otherwise rotate addresses for free); IPv4-mapped IPv6
 * addresses count as the IPv4 address.
 */
import net from 'node:net';

export interface LoginThrottleOptions {
  /** Failures within `windowMs` that block an address. Default 5. */
  maxFailures?: number;
  /** Default 5 minutes. */
  windowMs?: number;
  /** How long a block lasts. Default 15 minutes. */
  blockMs?: number;
  /** Delay before answering the first failure; doubles with each further one. Default 250 ms. */
  baseDelayMs?: number;
  /** Largest delay; kept below the handshake timeout. Default 4 s. */
  maxDelayMs?: number;
  /** Default 10 000 addresses. */
  maxTrackedAddresses?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Told when an address gets blocked. */
  onBlock?: (event: { address: string; failures: number; blockMs: number }) => void;
}

/** The outcome of asking whether an address may try a login. */
export type LoginAdmission =
  | { admitted: true; ticket: LoginTicket }
  | { admitted: false; retryAfterMs: number };

/** One admitted attempt; report its outcome exactly once. */
export interface LoginTicket {
  /** The login succeeded. */
  succeeded(): void;
  /** The login failed; returns the delay to wait before answering, and whether the address is now blocked. */
  failed(): { delayMs: number; blocked: boolean };
  /** The attempt could not be judged (a server-side error): it counts neither way. */
  abandoned(): void;
}

interface AddressRecord {
  /** Times of recent failures, oldest first (at most maxFailures kept). */
  failures: number[];
  /** Attempts admitted and not yet reported. */
  pending: number;
  blockedUntil: number;
}

export const DEFAULT_LOGIN_THROTTLE = {
  maxFailures: 5,
  windowMs: 5 * 60_000,
  blockMs: 15 * 60_000,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxTrackedAddresses: 10_000,
} as const;

export class LoginThrottle {
  private readonly records = new Map<string, AddressRecord>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly blockMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxTracked: number;
  private readonly now: () => number;
  private readonly onBlock: LoginThrottleOptions['onBlock'];

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = positive(options.maxFailures ?? DEFAULT_LOGIN_THROTTLE.maxFailures, 'maxFailures');
    this.windowMs = positive(options.windowMs ?? DEFAULT_LOGIN_THROTTLE.windowMs, 'windowMs');
    this.blockMs = positive(options.blockMs ?? DEFAULT_LOGIN_THROTTLE.blockMs, 'blockMs');
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? DEFAULT_LOGIN_THROTTLE.baseDelayMs);
    this.maxDelayMs = Math.max(this.baseDelayMs, options.maxDelayMs ?? DEFAULT_LOGIN_THROTTLE.maxDelayMs);
    this.maxTracked = positive(options.maxTrackedAddresses ?? DEFAULT_LOGIN_THROTTLE.maxTrackedAddresses, 'maxTrackedAddresses');
    this.now = options.now ?? Date.now;
    this.onBlock = options.onBlock;
  }

  /** Number of addresses currently remembered (for tests and diagnostics). */
  get trackedAddresses(): number {
    return this.records.size;
  }

  /** Whether `address` is blocked now, and for how much longer. */
  blockedFor(address: string): number {
    const record = this.records.get(throttleKey(address));
    return record ? Math.max(0, record.blockedUntil - this.now()) : 0;
  }

  /** Asks to try a login from `address`. */
  admit(address: string): LoginAdmission {
    const key = throttleKey(address);
    const now = this.now();
    const record = this.touch(key);
    this.forgetOld(record, now);
    if (record.blockedUntil > now) return { admitted: false, retryAfterMs: record.blockedUntil - now };
    if (record.failures.length + record.pending >= this.maxFailures) {
      // The allowance is used up by attempts still being checked: treat it like a block until they finish.
      return { admitted: false, retryAfterMs: this.windowMs };
    }
    record.pending += 1;
    let reported = false;
    const report = (): AddressRecord => {
      if (reported) throw new Error('a login attempt was reported twice');
      reported = true;
      const current = this.touch(key);
      current.pending = Math.max(0, current.pending - 1);
      return current;
    };
    return {
      admitted: true,
      ticket: {
        succeeded: () => {
          report();
        },
        abandoned: () => {
          report();
        },
        failed: () => {
          const current = report();
          const at = this.now();
          this.forgetOld(current, at);
          current.failures.push(at);
          const count = current.failures.length;
          let blocked = false;
          if (count >= this.maxFailures) {
            current.blockedUntil = at + this.blockMs;
            current.failures = [];
            blocked = true;
            this.onBlock?.({ address: key, failures: count, blockMs: this.blockMs });
          }
          const delayMs = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, count - 1));
          return { delayMs, blocked };
        },
      },
    };
  }

  /** Returns the record of `key`, creating it, and marks it most recently used. */
  private touch(key: string): AddressRecord {
    let record = this.records.get(key);
    if (record) {
      this.records.delete(key);
    } else {
      record = { failures: [], pending: 0, blockedUntil: 0 };
    }
    this.records.set(key, record);
    this.evict();
    return record;
  }

  private forgetOld(record: AddressRecord, now: number): void {
    while (record.failures.length > 0 && record.failures[0]! <= now - this.windowMs) record.failures.shift();
  }

  /** Forgets the least recently seen addresses beyond the cap (a Map iterates in insertion order). */
  private evict(): void {
    for (const key of this.records.keys()) {
      if (this.records.size <= this.maxTracked) return;
      this.records.delete(key);
    }
  }
}

/** The address a failure is counted against: IPv4 as is, IPv6 by its /64. */
export function throttleKey(address: string): string {
  const bare = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (!net.isIPv6(bare)) return bare;
  const groups = expandIpv6(bare);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const withoutZone = address.split('%')[0]!;
  const [head = '', tail] = withoutZone.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw new RangeError(`${name} must be positive`);
  return value;
}
