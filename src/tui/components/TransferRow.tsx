import React from 'react';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { transferEta, transferSpeed, type TransferItem } from '../state/transfers.js';
import { fit, formatBytes, formatDuration, formatEta, progressBar } from '../format.js';
import { printable } from '../cells.js';

/** Props of one line of the transfer panel. */
export interface TransferRowProps {
  /** The queued, running or finished transfer. */
  item: TransferItem;
  /** Columns available. */
  width: number;
  /** Highlighted (the transfer queue has the keyboard and this is its cursor). */
  highlighted: boolean;
}

const arrows = { upload: '↑', download: '↓' } as const;

function statusText(item: TransferItem, barWidth: number): { text: string; color?: string } {
  switch (item.status) {
    case 'waiting':
      return { text: 'waiting' };
    case 'checking':
      return { text: 'checking target' };
    case 'conflict':
      return { text: 'target exists — choose', color: 'yellow' };
    case 'sizing':
      return { text: 'sizing' };
    case 'running': {
      const fraction = item.total > 0 ? item.bytes / item.total : 0;
      const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
      const speed = `${formatBytes(Math.round(transferSpeed(item)))}/s`;
      const files = item.isFolder && item.filesTotal > 0 ? ` ${item.filesDone}/${item.filesTotal} files` : '';
      return {
        text: `${progressBar(fraction, barWidth)} ${percent} ${formatBytes(item.bytes)}/${formatBytes(item.total)} ${speed} ETA ${formatEta(transferEta(item))}${files}`,
      };
    }
    case 'done': {
      const resumed = item.resumedFrom > 0 ? ` (resumed at ${item.resumedFrom})` : '';
      return { text: `${item.movedBytes} bytes in ${formatDuration(item.durationMs)}${resumed}`, color: 'green' };
    }
    case 'failed':
      return { text: `failed: ${item.message ?? 'unknown error'} (r: resume)`, color: 'red' };
    case 'cancelled':
      return { text: 'cancelled (r: resume)', color: 'yellow' };
    case 'skipped':
      return { text: item.message ? `skipped: ${item.message}` : 'skipped', color: 'gray' };
  }
}

const busy = new Set(['waiting', 'checking', 'sizing', 'conflict']);
const statusMarks: Partial<Record<TransferItem['status'], string>> = { running: '»', done: '✓', failed: '✗', cancelled: '■', skipped: '–' };

/** One transfer: direction, name, then progress bar, bytes, percent, speed and ETA, or the outcome. */
export function TransferRow({ item, width, highlighted }: TransferRowProps): React.JSX.Element {
  const nameWidth = Math.max(8, Math.min(28, Math.floor(width * 0.3)));
  const rest = Math.max(1, width - nameWidth - 4);
  const barWidth = Math.max(6, Math.min(22, rest - 50));
  const status = statusText(item, barWidth);
  return (
    <Box width={width}>
      <Text inverse={highlighted}>
        {busy.has(item.status) ? <Spinner type="dots" /> : statusMarks[item.status] ?? ' '}
        {` ${arrows[item.direction]}${fit(item.name, nameWidth)} `}
      </Text>
      <Text color={status.color} wrap="truncate">
        {printable(status.text)}
      </Text>
    </Box>
  );
}
