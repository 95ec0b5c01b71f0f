/**
 * Quick search (mc's Ctrl-S): the row a typed text jumps to. A name that
 * starts with the text wins over one that only contains it; letters match in
 * either case; the search goes on from a given row and wraps around.
 */
import type { Entry } from '../../protocol/messages.js';

/**
 * Index in `view` of the next entry matching `text` from `from` on (wrapping),
 * or -1. `prefixFirst` (while typing): a name starting with the text is
 * preferred to one merely containing it; without it (^S, next) the next name
 * containing it in order.
 */
export function quickSearchMatch(view: readonly Entry[], text: string, from: number, prefixFirst = true): number {
  if (!text || view.length === 0) return -1;
  const needle = text.toLowerCase();
  const start = ((from % view.length) + view.length) % view.length;
  const contains = (name: string): boolean => name.includes(needle);
  const tests = prefixFirst ? [(name: string) => name.startsWith(needle), contains] : [contains];
  for (const wanted of tests) {
    for (let step = 0; step < view.length; step++) {
      const index = (start + step) % view.length;
      if (wanted((view[index] as Entry).name.toLowerCase())) return index;
    }
  }
  return -1;
}
