/** The transfer queue's keys while it has the focus (keymap context `queue`). */
import { matchCommand } from '../keys/keymap.js';
import type { KeyPress } from '../keys/parse-key.js';
import type { ActionContext } from './action-context.js';

/** True when the queue took the key. */
export function queueKey(press: KeyPress, context: ActionContext): boolean {
  const { queue } = context;
  const cursor = context.queueCursor();
  const item = queue.getState().items[cursor];
  const command = matchCommand(press, 'queue');
  switch (command) {
    case 'up':
      context.setQueueCursor(Math.max(0, cursor - 1));
      return true;
    case 'down':
      context.setQueueCursor(Math.max(0, Math.min(queue.getState().items.length - 1, cursor + 1)));
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
