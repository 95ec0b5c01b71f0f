import React from 'react';
import { theme } from '../theme.js';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { cellWidth, fitMessage } from '../cells.js';

export type ConnectionStatus = 'disconnected' | 'connecting' | 'connected' | 'lost';

/** Props of the status line. */
export interface StatusLineProps {
  /** Connection state shown at the left. */
  connection: ConnectionStatus;
  /** `host:port` (and user) of the session, when there is one. */
  address: string;
  /** The latest message (operation result or error). */
  message: string;
  /** Errors are red, information plain. */
  messageKind: 'info' | 'error';
  /** The session is encrypted (TLS): marked for as long as it lasts, whatever the message says. */
  secure?: boolean | undefined;
  /** The kind of the session (its URL scheme: `ferry`, `sftp`, ...), said before "connected". */
  kind?: string | undefined;
  /** How an encrypted session is encrypted: `TLS` (default) or `SSH`. */
  encryption?: 'TLS' | 'SSH' | undefined;
  /** Right side: selection and entry counts of the active pane. */
  counts: string;
  width: number;
}

const connectionWords: Record<ConnectionStatus, { text: string; color: string | undefined }> = {
  disconnected: { text: 'not connected', color: theme.muted },
  connecting: { text: 'connecting', color: theme.warning },
  connected: { text: 'connected', color: theme.success },
  lost: { text: 'CONNECTION LOST (^O reconnect)', color: theme.danger },
};

/**
 * What a connected session shows before "connected", even when the address has no room: its kind and how it
 * is encrypted, or that it travels in plain text (`[ferrys TLS]`, `[sftp SSH]`, `[ftp plain]`).
 */
export function sessionMark(kind: string | undefined, secure: boolean | undefined, encryption: 'TLS' | 'SSH' = 'TLS'): string {
  return `[${kind ? `${kind} ` : ''}${secure ? encryption : 'plain'}]`;
}

/** Cells the line uses beside its three parts: ` │ ` and the space before the counts. */
const SEPARATORS = 4;

/**
 * The connection part: the state and the address, or the state alone when
 * the address would leave the message less than half the line, or too
 * little to be read whole (the pane's header names the server anyway).
 */
export function connectionText(stateText: string, address: string, width: number, countsWidth: number, messageWidth = 0): string {
  const full = address ? `${stateText} ${address}` : stateText;
  const messageRoom = width - cellWidth(full) - countsWidth - SEPARATORS;
  return messageRoom >= Math.floor(width / 2) && messageRoom >= messageWidth ? full : stateText;
}

/** One line: connection state, the latest message, selection counts. */
function StatusLineView({ connection, address, message, messageKind, secure, kind, encryption, counts, width }: StatusLineProps): React.JSX.Element {
  const words = connectionWords[connection];
  // Connected: the kind, and whether (and how) the session is encrypted, for as long as it lasts; where the
  // address makes way for the message, the mark alone says "connected".
  const mark = connection === 'connected' ? sessionMark(kind, secure, encryption) : '';
  const spinner = connection === 'connecting' ? 2 : 0;
  const markWidth = mark ? cellWidth(mark) + 1 : 0;
  const state = connectionText(words.text, address, width - spinner - markWidth, cellWidth(counts), mark ? cellWidth(message) : 0);
  const left = !mark ? state : state === words.text ? mark : `${mark} ${state}`;
  const room = Math.max(0, width - cellWidth(left) - cellWidth(counts) - SEPARATORS - spinner);
  return (
    <Box width={width}>
      {connection === 'connecting' ? (
        <Text color={theme.warning}>
          <Spinner type="dots" />{' '}
        </Text>
      ) : null}
      <Text color={words.color} bold>{left}</Text>
      <Text> │ </Text>
      <Text color={messageKind === 'error' ? theme.danger : undefined} wrap="truncate">{fitMessage(message, room)}</Text>
      <Text dimColor> {counts}</Text>
    </Box>
  );
}

/** Memoized: redraws only when its props change (the other pane's keys do not touch it). */
export const StatusLine = React.memo(StatusLineView);
