/**
 * The queue's bandwidth limit (`L`, in the panes or the queue): a rate such as `500K` or
 * `10M` (bytes per second, 1024-based), or empty / `0` / `off` for none. It
 * applies at once, to the transfers running too.
 */
import { textField, type TextFieldState } from '../state/text-field.js';
import { parseRate } from '../../client/rate-limit.js';
import { formatBytes } from '../format.js';
import { InputDialog } from '../components/InputDialog.js';
import type { DialogModule } from './dialog.js';
import { inputDialogKey } from './input-keys.js';

export interface RateLimitDialogState {
  kind: 'rate-limit';
  field: TextFieldState;
  error?: string | undefined;
}

export function rateLimitDialog(current: number | undefined): RateLimitDialogState {
  return { kind: 'rate-limit', field: textField(current === undefined ? '' : rateText(current)) };
}

/** `1048576` → `1M`, `1536` → `1.5K`: what the field offers and the rules read back. */
export function rateText(bytesPerSecond: number): string {
  for (const [unit, size] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytesPerSecond >= size) return `${Number((bytesPerSecond / size).toFixed(2))}${unit}`;
  }
  return String(bytesPerSecond);
}

/** The limit as the queue's title and messages say it: `limit 1.0 MiB/s`. */
export function describeRateLimit(bytesPerSecond: number | undefined): string {
  return bytesPerSecond === undefined ? 'no limit' : `limit ${formatBytes(bytesPerSecond)}/s`;
}

export const rateLimitDialogModule: DialogModule<RateLimitDialogState> = {
  onKey(state, press, host) {
    const command = inputDialogKey(state, press, host);
    if (command === 'dismiss') host.show(undefined);
    else if (command === 'confirm') {
      const typed = state.field.value.trim();
      const rate = typed === '' ? 0 : parseRate(typed);
      if (rate === undefined) {
        host.show({ ...state, error: `not a rate: ${typed} (like 500K or 10M per second; empty for none)` });
        return true;
      }
      host.queue.setRateLimit(rate);
      host.show(undefined);
      host.info(`transfers: ${describeRateLimit(host.queue.getState().rateLimit)}`);
    }
    return true;
  },
  render: (state, host) => (
    <InputDialog
      title="Bandwidth limit"
      prompt="All transfers together, per second (500K, 10M; empty: none):"
      field={state.field}
      error={state.error}
      screen={host.screen}
    />
  ),
};
