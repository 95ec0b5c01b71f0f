import React from 'react';
import { theme } from '../theme.js';
import { Box, Text } from 'ink';
import { TransferRow } from './TransferRow.js';
import type { TransferItem } from '../state/transfers.js';
import { describeRateLimit } from '../dialogs/rate-limit-dialog.js';

/** Props of the transfer queue panel. */
export interface TransferPanelProps {
  /** Every item of the queue, oldest first. */
  items: readonly TransferItem[];
  /** Item lines available (the title line not counted). */
  rows: number;
  width: number;
  /** Whether the queue has the keyboard. */
  focused: boolean;
  /** Index of the highlighted item when focused. */
  cursor: number;
  /** How many run at once, shown in the title when given. */
  concurrency?: number | undefined;
  /** The queue's bandwidth limit (bytes per second), shown in the title when set. */
  rateLimit?: number | undefined;
}

/** Which items fit: around the cursor when focused, else the unfinished and newest ones. */
export function visibleTransferWindow(count: number, rows: number, cursor: number, focused: boolean): [number, number] {
  if (count <= rows) return [0, count];
  const start = focused ? Math.min(Math.max(0, cursor - Math.floor(rows / 2)), count - rows) : count - rows;
  return [start, start + rows];
}

/** The transfer queue: a title with counts, then one line per visible item. */
function TransferPanelView({ items, rows, width, focused, cursor, concurrency, rateLimit }: TransferPanelProps): React.JSX.Element {
  const running = items.filter((item) => item.status === 'running' || item.status === 'sizing').length;
  const waiting = items.filter((item) => item.status === 'waiting' || item.status === 'checking' || item.status === 'conflict').length;
  const paused = items.filter((item) => item.status === 'paused').length;
  const [start, end] = visibleTransferWindow(items.length, rows, cursor, focused);
  const limit = rateLimit === undefined ? '' : describeRateLimit(rateLimit);
  const settings = [concurrency === undefined ? '' : `${concurrency} at once`, limit].filter(Boolean).join(', ');
  const title = items.length === 0
    ? `Transfers: none${limit ? ` (${limit})` : ''}`
    : `Transfers: ${running} running${settings ? ` (${settings})` : ''}, ${waiting} waiting, ${paused > 0 ? `${paused} paused, ` : ''}${items.length} in all${focused ? '  (↑↓ pick · Space pause · x cancel · r resume · +- at once · L limit · C clear · Esc back)' : '  (p: manage)'}`;
  return (
    <Box flexDirection="column" width={width} height={rows + 1}>
      <Text bold color={focused ? theme.accent : undefined} wrap="truncate">{title}</Text>
      {items.slice(start, end).map((item, offset) => (
        <TransferRow key={item.id} item={item} width={width} highlighted={focused && start + offset === cursor} />
      ))}
    </Box>
  );
}

/** Memoized: redraws only when its props change (the other pane's keys do not touch it). */
export const TransferPanel = React.memo(TransferPanelView);
