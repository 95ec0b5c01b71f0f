import React from 'react';
import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import Spinner from 'ink-spinner';
import { cellWidth } from '../cells.js';
import { DialogFrame, DialogLine, dialogTextWidth, dialogWidth } from './DialogFrame.js';

export interface ConnectFields {
  host: string;
  port: string;
  user: string;
  password: string;
}

export const connectFieldOrder = ['host', 'port', 'user', 'password'] as const;
export type ConnectField = (typeof connectFieldOrder)[number];

/** Props of the connect dialog (the original CONN). */
export interface ConnectDialogProps {
  fields: ConnectFields;
  /** The field with the cursor. */
  focus: ConnectField;
  onChange: (field: ConnectField, value: string) => void;
  /** Why the last attempt failed. */
  error?: string | undefined;
  /** A connection attempt is running. */
  connecting: boolean;
  screen: { columns: number; rows: number };
}

/** Splits `text` into at most `maxLines` lines of `width` (the last one cut). */
export function wrapLines(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && cellWidth(line) + 1 + cellWidth(word) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.slice(0, maxLines);
}

const labels: Record<ConnectField, string> = { host: 'Host', port: 'Port', user: 'User', password: 'Password' };

export function ConnectDialog({ fields, focus, onChange, error, connecting, screen }: ConnectDialogProps): React.JSX.Element {
  const width = dialogWidth(60, screen);
  return (
    <DialogFrame title="Connect to a Ferry server" width={width} screen={screen}>
      {connectFieldOrder.map((field) => (
        <Box key={field} width={width - 2}>
          <Text color={focus === field ? 'cyan' : undefined} bold={focus === field}>
            {` ${focus === field ? '›' : ' '} ${labels[field].padEnd(9)}`}
          </Text>
          <TextInput
            value={fields[field]}
            onChange={(value) => onChange(field, value)}
            focus={focus === field && !connecting}
            showCursor={focus === field}
            mask={field === 'password' ? '*' : undefined}
            placeholder={field === 'user' ? '(anonymous)' : undefined}
          />
          <Text>{' '.repeat(Math.max(0, dialogTextWidth(width) - 12 - Math.max(fields[field].length, field === 'user' ? 11 : 0)))}</Text>
        </Box>
      ))}
      {wrapLines(error ?? '', dialogTextWidth(width), 4).map((line, index) => (
        <DialogLine key={`error-${index}`} width={width} color="red">{line}</DialogLine>
      ))}
      {connecting ? (
        <Text color="yellow">
          {' '}
          <Spinner type="dots" />
          {' connecting…'.padEnd(dialogTextWidth(width) - 1)}
        </Text>
      ) : (
        <DialogLine width={width}>{'Enter: connect  Tab/↑↓: field  Esc: local only  F10: quit'}</DialogLine>
      )}
    </DialogFrame>
  );
}
