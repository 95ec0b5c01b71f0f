/**
 * A RateLimit that counts the bytes it was asked for: a transfer handed one
 * honours the limit only if every byte it moves went through `take` (which
 * the count shows without timing anything).
 */
import { RateLimit } from '../../src/client/rate-limit.js';

export class CountingRateLimit extends RateLimit {
  taken = 0;

  override take(bytes: number, signal?: AbortSignal): Promise<void> {
    this.taken += bytes;
    return super.take(bytes, signal);
  }
}
