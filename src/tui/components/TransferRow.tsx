import React from 'react';
import { theme } from '../theme.js';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { transferEta, transferSpeed, type TransferItem } from '../state/transfers.js';
import { fit, formatBytes, formatDuration, formatEta, progressBar } from '../format.js';
import { cellWidth, fitEnd, fitMessage } from '../cells.js';

/** Props of one line of the transfer panel. */
export interface TransferRowProps {
  /** The queued, running or finished transfer. */
  item: TransferItem;
  /** Columns available. */
  width: number;
  /** Highlighted (the transfer queue has the keyboard and this is its cursor). */
  highlighted: boolean;
}

const arrows = { upload: '↑', download: '↓', copy: '→', relay: '⇄' } as const;

/** What a finished transfer's check was, said honestly: Ferry hashes end to end, the other kinds compare sizes (and a server hash where offered). */
export function verificationText(verification: TransferItem['verification']): string {
  if (verification === undefined) return '';
  if (verification === 'sha256') return 'SHA-256 ✓';
  // `size`, `size+md5`, `size+sha1`, ...: the server's hash named as people write it.
  return `${verification.replace(/sha-?(\d+)/i, 'SHA-$1').replace(/md5/i, 'MD5')} ✓`;
}

/** What a row says after the name; `keep` is said whole after `text`, which is cut first (fitMessage). */
export interface StatusText {
  text: string;
  keep?: string;
  color?: string | undefined;
}

/** Bytes per second over a whole run, as a rate: `48 MiB/s`. */
function averageRate(bytes: number, durationMs: number): string {
  return durationMs > 0 ? `${formatBytes(Math.round((bytes * 1000) / durationMs))}/s` : '';
}

export function statusText(item: TransferItem, barWidth: number): StatusText {
  switch (item.status) {
    case 'waiting':
      return { text: 'waiting' };
    case 'checking':
      return { text: 'checking target' };
    case 'conflict':
      return { text: 'target exists — choose', color: theme.warning };
    case 'sizing':
      return { text: 'sizing' };
    case 'running': {
      // Nothing reported yet: the client is opening the target, and for a resume checking the partial copy's hash.
      if (item.total === 0 && item.bytes === 0 && !item.isFolder) return { text: item.resume ? 'checking for a partial copy…' : 'starting…' };
      const fraction = item.total > 0 ? item.bytes / item.total : 0;
      const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
      const speed = `${formatBytes(Math.round(transferSpeed(item)))}/s`;
      const files = item.isFolder && item.filesTotal > 0 ? ` ${item.filesDone}/${item.filesTotal} files` : '';
      return {
        text: `${progressBar(fraction, barWidth)} ${percent} ${formatBytes(item.bytes)}/${formatBytes(item.total)} ${speed} ETA ${formatEta(transferEta(item))}${files}`,
      };
    }
    case 'paused':
      return { text: item.total > 0 ? `paused at ${formatBytes(item.bytes)}/${formatBytes(item.total)}` : 'paused', keep: ' (Space: resume)', color: theme.warning };
    case 'done': {
      const resumed = item.resumedFrom > 0 ? `, resumed at ${formatBytes(item.resumedFrom)}` : '';
      const rate = averageRate(item.movedBytes, item.durationMs);
      const checked = verificationText(item.verification);
      return {
        text: `${formatBytes(item.movedBytes)} in ${formatDuration(item.durationMs)}${rate ? ` (${rate} avg)` : ''}${resumed}`,
        ...(checked ? { keep: ` ${checked}` } : {}),
        color: theme.success,
      };
    }
    case 'failed':
      return { text: `failed: ${item.message ?? 'unknown error'}`, keep: ' (r: resume)', color: theme.danger };
    case 'cancelled':
      return { text: 'cancelled', keep: ' (r: resume)', color: theme.warning };
    case 'skipped':
      return { text: item.message ? `skipped: ${item.message}` : 'skipped', color: theme.muted };
  }
}

/** The status in `width` cells: a failure's reason kept and its path cut in the middle, the `r` hint kept whole. */
export function fitStatus(status: StatusText, width: number): string {
  const keep = status.keep && cellWidth(status.keep) * 3 <= width ? status.keep : '';
  if (cellWidth(status.text) + cellWidth(keep) <= width) return fitEnd(status.text + keep, width);
  return fitMessage(status.text, width - cellWidth(keep)) + keep;
}

const busy = new Set(['waiting', 'checking', 'sizing', 'conflict']);
const statusMarks: Partial<Record<TransferItem['status'], string>> = { running: '»', paused: '‖', done: '✓', failed: '✗', cancelled: '■', skipped: '–' };

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
        {fitStatus(status, rest)}
      </Text>
    </Box>
  );
}
