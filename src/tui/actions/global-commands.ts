/** Keys that work whatever pane has the focus (keymap context `global`): help, quit, connect, the queue. */
import { matchCommand } from '../keys/keymap.js';
import type { KeyPress } from '../keys/parse-key.js';
import { isFinished } from '../state/transfers.js';
import { formatAddress, formatTarget } from '../connect-params.js';
import { helpDialog } from '../dialogs/help-dialog.js';
import { logDialog } from '../dialogs/log-dialog.js';
import { rateLimitDialog } from '../dialogs/rate-limit-dialog.js';
import { connectDialog } from '../dialogs/connect-dialog.js';
import { requestLeaving } from './leave.js';
import type { ActionContext } from './action-context.js';

/** True when the key was a global command. */
export function globalKey(press: KeyPress, context: ActionContext): boolean {
  switch (matchCommand(press, 'global')) {
    case 'quit':
      context.requestQuit();
      return true;
    case 'help':
      context.show(helpDialog());
      return true;
    case 'message-log':
      context.show(logDialog());
      return true;
    case 'bandwidth-limit':
      context.show(rateLimitDialog(context.queue.getState().rateLimit));
      return true;
    case 'disconnect': {
      // The active pane's session when that pane has one, else the right pane's; either asks alike.
      const left = context.leftConnection();
      const side = context.activeSide() === 'local' && (left.status === 'connected' || left.status === 'lost') ? 'local' : 'remote';
      const connection = side === 'local' ? left : context.connection();
      if (connection.status === 'connected' || connection.status === 'lost') requestLeaving('disconnect', context, side);
      else context.show(connectDialog(connection.params));
      return true;
    }
    case 'reconnect': {
      // The active pane's session when that pane has one (the status line speaks of it), else the right pane's.
      const left = context.leftConnection();
      const side = context.activeSide() === 'local' && left.status !== 'disconnected' ? 'local' : 'remote';
      const connection = side === 'local' ? left : context.connection();
      if (connection.status === 'lost' && connection.params) {
        // Once connected, what the drop interrupted resumes (App's onConnected).
        void context.reconnect(side);
      } else if (connection.status !== 'connected' && connection.status !== 'connecting') context.show(connectDialog(connection.params, { side }));
      else context.info(`${side === 'local' ? 'the left pane is ' : ''}already connected to ${connection.params ? formatAddress(connection.params) : 'the server'}`);
      return true;
    }
    case 'connect-left': {
      const left = context.leftConnection();
      if (left.status === 'connected' || left.status === 'connecting') {
        context.info(`the left pane is ${left.status === 'connected' ? 'connected' : 'connecting'} to ${left.params ? formatTarget(left.params) : 'a server'} — ^D in it disconnects`);
      } else context.show(connectDialog(left.params, { side: 'local' }));
      return true;
    }
    case 'focus-queue': {
      const items = context.queue.getState().items;
      if (context.focus() === 'queue') context.setFocus('panes');
      else if (items.length > 0) {
        context.setFocus('queue');
        const firstOpen = items.findIndex((item) => !isFinished(item));
        context.setQueueCursor(firstOpen >= 0 ? firstOpen : items.length - 1);
      } else context.info('no transfers');
      return true;
    }
    default:
      return false;
  }
}
