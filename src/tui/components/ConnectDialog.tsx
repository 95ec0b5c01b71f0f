import React from 'react';
import { theme } from '../theme.js';
import { Text } from 'ink';
import Spinner from 'ink-spinner';
import { cellWidth } from '../cells.js';
import { DialogFrame, DialogLine, dialogTextWidth, dialogWidth } from './DialogFrame.js';
import { TextField } from './TextField.js';
import type { TextFieldState } from '../state/text-field.js';

export const connectFieldOrder = ['host', 'port', 'user', 'password'] as const;
export type ConnectField = (typeof connectFieldOrder)[number];

/** The four fields of the dialog, each with its own cursor. */
export type ConnectFields = Record<ConnectField, TextFieldState>;

/** Props of the connect dialog (the original CONN). */
export interface ConnectDialogProps {
  fields: ConnectFields;
  /** The field with the cursor. */
  focus: ConnectField;
  /** Why the last attempt failed. */
  error?: string | undefined;
  /** A connection attempt is running. */
  connecting: boolean;
  screen: { columns: number; rows: number };
}

/** Splits `text` into at most `maxLines` lines of `width` cells (the last one cut). */
export function wrapLines(text: string, width: number, maxLines: number): string[] {
  return wrapParts(text.split(/\s+/), ' ', width, maxLines);
}

/** Puts `parts` on lines of at most `width` cells, `separator` between two on one line; a part is never split. */
export function wrapParts(parts: readonly string[], separator: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    if (line && cellWidth(line) + cellWidth(separator) + cellWidth(part) > width) {
      lines.push(line);
      line = part;
    } else line = line ? `${line}${separator}${part}` : part;
  }
  lines.push(line);
  return lines.slice(0, maxLines);
}

const labels: Record<ConnectField, string> = { host: 'Host', port: 'Port', user: 'User', password: 'Password' };

/** Label column: margin, focus mark, label. */
const LABEL_WIDTH = 13;

/** The keys of the dialog, shown under the fields. */
export const connectHints = ['Enter: connect', 'Tab/↑↓: field', 'Esc: local only', 'F10: quit'] as const;

export function ConnectDialog({ fields, focus, error, connecting, screen }: ConnectDialogProps): React.JSX.Element {
  const width = dialogWidth(66, screen);
  const fieldWidth = Math.max(1, width - 2 - LABEL_WIDTH - 1);
  return (
    <DialogFrame title="Connect to a Ferry server" width={width} screen={screen}>
      {connectFieldOrder.map((field) => (
        // One Text per row: Ink drops the trailing space of a Text that sits beside another in a row.
        <Text key={field}>
          <Text color={focus === field ? theme.accent : undefined} bold={focus === field}>
            {` ${focus === field ? '›' : ' '} ${labels[field].padEnd(LABEL_WIDTH - 4)} `}
          </Text>
          <TextField
            field={fields[field]}
            width={fieldWidth}
            focused={focus === field && !connecting}
            mask={field === 'password' ? '*' : undefined}
            placeholder={field === 'user' ? '(anonymous)' : undefined}
          />{' '}
        </Text>
      ))}
      {wrapLines(error ?? '', dialogTextWidth(width), 4).map((line, index) => (
        <DialogLine key={`error-${index}`} width={width} color={theme.danger}>{line}</DialogLine>
      ))}
      {connecting ? (
        <Text color={theme.warning}>
          {' '}
          <Spinner type="dots" />
          {' connecting…'.padEnd(dialogTextWidth(width) - 1)}
          {' '}
        </Text>
      ) : (
        // Wrapped rather than cut, so a narrow terminal still shows every key.
        wrapParts(connectHints, '  ', dialogTextWidth(width), connectHints.length).map((line, index) => (
          <DialogLine key={`hint-${index}`} width={width}>{line}</DialogLine>
        ))
      )}
    </DialogFrame>
  );
}
