/** The transfer queue's keys while it has the focus (keymap context `queue`). */
import { matchCommand } from '../keys/keymap.js';
import type { KeyPress } from '../keys/parse-key.js';
import { computeLayout } from '../layout.js';
import type { ActionContext } from './action-context.js';

/** True when the queue took the key. */
export function queueKey(press: KeyPress, context: ActionContext): boolean {
  const { queue } = context;
  const cursor = context.queueCursor();
  const items = queue.getState().items;
  const item = items[cursor];
  const moveTo = (index: number): void => context.setQueueCursor(Math.max(0, Math.min(items.length - 1, index)));
  // A page is what the panel shows at once on this screen.
  const page = Math.max(1, computeLayout(context.screen, items.length).transferRows - 1);
  const command = matchCommand(press, 'queue');
  switch (command) {
    case 'up':
      moveTo(cursor - 1);
      return true;
    case 'down':
      moveTo(cursor + 1);
      return true;
    case 'page-up':
      moveTo(cursor - page);
      return true;
    case 'page-down':
      moveTo(cursor + page);
      return true;
    case 'home':
      moveTo(0);
      return true;
    case 'end':
      moveTo(items.length - 1);
      return true;
    case 'cancel-transfer':
      if (item) queue.cancel(item.id);
      return true;
    case 'retry-transfer':
      if (item) queue.retry(item.id);
      return true;
    case 'clear-finished':
      queue.clearFinished();
      context.setQueueCursor(0);
      return true;
    case 'pause-transfer':
      if (item) queue.togglePause(item.id);
      return true;
    case 'more-at-once':
    case 'fewer-at-once': {
      queue.setConcurrency(queue.getState().concurrency + (command === 'more-at-once' ? 1 : -1));
      context.info(`${queue.getState().concurrency} transfers at once`);
      return true;
    }
    case 'dismiss':
      context.setFocus('panes');
      return true;
    default:
      return false;
  }
}
