import React from 'react';
import { theme } from '../theme.js';
import { DialogFrame, DialogLine, dialogTextWidth, dialogWidth } from './DialogFrame.js';
import { wrapWords } from '../cells.js';
import { logTime, type LogEntry } from '../state/message-log.js';

/** Props of the message log (^L). */
export interface MessageLogProps {
  entries: readonly LogEntry[];
  /** First line shown; clamped, so a large number shows the end. */
  offset: number;
  screen: { columns: number; rows: number };
}

interface LogLine {
  text: string;
  error: boolean;
}

const TIME_WIDTH = 9; // `14:03:59 `

/** The log as lines of the dialog: each message whole, wrapped under its time. */
export function messageLogLines(entries: readonly LogEntry[], textWidth: number): LogLine[] {
  const lines: LogLine[] = [];
  for (const entry of entries) {
    const wrapped = wrapWords(entry.text, Math.max(1, textWidth - TIME_WIDTH));
    wrapped.forEach((part, index) => {
      lines.push({ text: `${index === 0 ? `${logTime(entry.at)} ` : ' '.repeat(TIME_WIDTH)}${part}`, error: entry.kind === 'error' });
    });
  }
  return lines;
}

function logWidth(screen: { columns: number }): number {
  return dialogWidth(100, screen);
}

/** Log lines that fit on `screen` at once. */
function logRoom(screen: { rows: number }): number {
  return Math.max(3, screen.rows - 8);
}

/** The largest useful scroll offset: the newest message at the bottom. */
export function messageLogScrollLimit(entries: readonly LogEntry[], screen: { columns: number; rows: number }): number {
  return Math.max(0, messageLogLines(entries, dialogTextWidth(logWidth(screen))).length - logRoom(screen));
}

export function MessageLog({ entries, offset, screen }: MessageLogProps): React.JSX.Element {
  const width = logWidth(screen);
  const room = logRoom(screen);
  const lines = messageLogLines(entries, dialogTextWidth(width));
  const start = Math.min(Math.max(0, offset), Math.max(0, lines.length - room));
  const shown = lines.slice(start, start + room);
  const title = lines.length === 0
    ? 'Messages (none yet; Esc/q close)'
    : `Messages (${start + 1}-${start + shown.length} of ${lines.length}; ↑↓ scroll, Esc/q close)`;
  return (
    <DialogFrame title={title} width={width} screen={screen}>
      {shown.map((line, index) => (
        <DialogLine key={index} width={width} color={line.error ? theme.danger : undefined}>{line.text}</DialogLine>
      ))}
    </DialogFrame>
  );
}
