/**
 * The keys of a scrollable text (keymap context `help`), shared by the help
 * overlay and the message log: where a key scrolls to, or that it closes.
 */
import { matchCommand } from '../keys/keymap.js';
import type { KeyPress } from '../keys/parse-key.js';

/** Lines a page key moves. */
const PAGE_LINES = 10;

/**
 * The first line to show after `press`, from `from` and kept within
 * 0…`limit`; 'dismiss' for a closing key; undefined for any other key.
 */
export function scrollKey(press: KeyPress, from: number, limit: number): number | 'dismiss' | undefined {
  const within = (offset: number): number => Math.max(0, Math.min(limit, offset));
  switch (matchCommand(press, 'help')) {
    case 'scroll-up':
      return within(from - 1);
    case 'scroll-down':
      return within(from + 1);
    case 'scroll-page-up':
      return within(from - PAGE_LINES);
    case 'scroll-page-down':
      return within(from + PAGE_LINES);
    case 'scroll-home':
      return 0;
    case 'scroll-end':
      return within(limit);
    case 'dismiss':
      return 'dismiss';
    default:
      return undefined;
  }
}
