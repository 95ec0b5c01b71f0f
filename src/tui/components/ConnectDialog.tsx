import React from 'react';
import { theme } from '../theme.js';
import { Text } from 'ink';
import Spinner from 'ink-spinner';
import { cellWidth, fitEnd } from '../cells.js';
import { DialogFrame, DialogLine, dialogBodyRows, dialogTextWidth, dialogWidth } from './DialogFrame.js';
import { TextField } from './TextField.js';
import type { TextFieldState } from '../state/text-field.js';
import type { RemoteScheme } from '../../remote/remote-url.js';

/** The kinds the selector offers, in order. */
export const connectSchemes: readonly RemoteScheme[] = ['ferry', 'ferrys', 'sftp', 'ftp', 'ftps'];

/** The text fields. */
export const connectTextFields = ['host', 'port', 'user', 'password', 'key'] as const;
export type ConnectTextField = (typeof connectTextFields)[number];

/** Every row that can have the cursor: the saved list and the kind are picked with ←/→, the rest typed. */
export const connectFieldOrder = ['saved', 'kind', ...connectTextFields] as const;
export type ConnectField = (typeof connectFieldOrder)[number];

/** The text fields of the dialog, each with its own cursor. */
export type ConnectFields = Record<ConnectTextField, TextFieldState>;

/** Props of the connect dialog (the original CONN). */
export interface ConnectDialogProps {
  /** Which pane the session is for: the title says so for the left one. */
  pane: 'left' | 'right';
  scheme: RemoteScheme;
  fields: ConnectFields;
  /** The rows shown (the saved list only when there is something saved; the key file only for SFTP). */
  rows: readonly ConnectField[];
  /** The saved choice shown: `2/7 @work sftp://…`, or a hint while none is picked. */
  saved: string;
  /** While the saved row has the cursor: every saved connection's label and the one picked (-1: none), listed under it where the screen has room. */
  savedList?: { labels: readonly string[]; picked: number } | undefined;
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

const labels: Record<ConnectField, string> = {
  saved: 'Saved', kind: 'Kind', host: 'Host', port: 'Port', user: 'User', password: 'Password', key: 'Key file',
};

/** Label column: margin, focus mark, label. */
const LABEL_WIDTH = 13;

/** The keys of the dialog, shown under the fields. */
export const connectHints = ['Enter: connect', 'Tab/↑↓: field', '←→: choose', 'Esc: local only', 'F10: quit'] as const;

const kindNames: Record<RemoteScheme, string> = { ferry: 'a Ferry', ferrys: 'a Ferry', sftp: 'an SFTP', ftp: 'an FTP', ftps: 'an FTPS' };

/** The dialog's title: what is connected, and where for the left pane. */
export function connectTitle(pane: 'left' | 'right', scheme: RemoteScheme): string {
  return `Connect ${pane === 'left' ? 'the left pane ' : ''}to ${kindNames[scheme]} server`;
}

/** At most this many saved connections are listed at once; the list scrolls with the pick. */
const MAX_LISTED = 8;
/** Fewer rows than this for the list, and only the saved row shows the pick. */
const MIN_LISTED = 3;

/** The labels shown: a window of `count` around the pick. */
function listWindow(labels: readonly string[], picked: number, count: number): { first: number; shown: readonly string[] } {
  const first = Math.max(0, Math.min(labels.length - count, picked - Math.floor(count / 2)));
  return { first, shown: labels.slice(first, first + count) };
}

export function ConnectDialog({ pane, scheme, fields, rows, saved, savedList, focus, error, connecting, screen }: ConnectDialogProps): React.JSX.Element {
  const width = dialogWidth(66, screen);
  const inner = dialogTextWidth(width);
  const fieldWidth = Math.max(1, width - 2 - LABEL_WIDTH - 1);
  // Below the fields: why the last attempt failed (up to 4 lines), then the keys, in what the screen leaves;
  // on a short one the error comes first and the keys keep one line.
  const room = Math.max(2, dialogBodyRows(screen) - rows.length);
  const errorLines = error ? wrapLines(error, inner, Math.min(4, room - 1)) : [];
  const allHints = wrapParts(connectHints, '  ', inner, connectHints.length);
  const listRoom = savedList ? Math.min(MAX_LISTED, savedList.labels.length, room - errorLines.length - allHints.length) : 0;
  const list = savedList && listRoom >= MIN_LISTED ? listWindow(savedList.labels, savedList.picked, listRoom) : undefined;
  const hints = allHints.slice(0, Math.max(1, room - errorLines.length - (list?.shown.length ?? 0)));
  const label = (field: ConnectField): React.JSX.Element => (
    <Text color={focus === field ? theme.accent : undefined} bold={focus === field}>
      {` ${focus === field ? '›' : ' '} ${labels[field].padEnd(LABEL_WIDTH - 4)} `}
    </Text>
  );
  return (
    <DialogFrame title={connectTitle(pane, scheme)} width={width} screen={screen}>
      {rows.map((field) => {
        if (field === 'kind') {
          // Every kind on the row, the chosen one highlighted: ←/→ moves the highlight.
          const used = connectSchemes.reduce((sum, name) => sum + cellWidth(name) + 2, 0);
          return (
            <Text key={field}>
              {label(field)}
              {connectSchemes.map((name) => (
                <Text key={name} inverse={name === scheme} bold={name === scheme}>{` ${name} `}</Text>
              ))}
              {' '.repeat(Math.max(0, fieldWidth - used))}{' '}
            </Text>
          );
        }
        if (field === 'saved') {
          return (
            <React.Fragment key={field}>
              <Text>
                {label(field)}
                <Text dimColor={focus !== field}>{fitEnd(saved, fieldWidth)}</Text>{' '}
              </Text>
              {list?.shown.map((entry, index) => {
                const picked = list.first + index === savedList?.picked;
                return (
                  <Text key={`saved-${list.first + index}`}>
                    {' '.repeat(LABEL_WIDTH - 2)}
                    <Text inverse={picked}>{`${picked ? '›' : ' '} ${fitEnd(entry, fieldWidth)}`}</Text>{' '}
                  </Text>
                );
              })}
            </React.Fragment>
          );
        }
        return (
          // One Text per row: Ink drops the trailing space of a Text that sits beside another in a row.
          <Text key={field}>
            {label(field)}
            <TextField
              field={fields[field]}
              width={fieldWidth}
              focused={focus === field && !connecting}
              mask={field === 'password' ? '*' : undefined}
              placeholder={field === 'user' ? '(anonymous)' : field === 'key' ? '(agent, ~/.ssh/id_*)' : undefined}
            />{' '}
          </Text>
        );
      })}
      {errorLines.map((line, index) => (
        <DialogLine key={`error-${index}`} width={width} color={theme.danger}>{line}</DialogLine>
      ))}
      {connecting ? (
        <Text color={theme.warning}>
          {' '}
          <Spinner type="dots" />
          {' connecting…'.padEnd(inner - 1)}
          {' '}
        </Text>
      ) : (
        // Wrapped rather than cut, so a narrow terminal still shows every key.
        hints.map((line, index) => (
          <DialogLine key={`hint-${index}`} width={width}>{line}</DialogLine>
        ))
      )}
    </DialogFrame>
  );
}
