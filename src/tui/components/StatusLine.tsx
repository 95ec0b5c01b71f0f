import React from 'react';
import { theme } from '../theme.js';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { fitMessage } from '../cells.js';

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

/** One line: connection state, the latest message, selection counts. */
function StatusLineView({ connection, address, message, messageKind, counts, width }: StatusLineProps): React.JSX.Element {
  const state = connectionWords[connection];
  const left = `${state.text}${address ? ` ${address}` : ''}`;
  const room = Math.max(0, width - left.length - counts.length - 4 - (connection === 'connecting' ? 2 : 0));
  return (
    <Box width={width}>
      {connection === 'connecting' ? (
        <Text color={theme.warning}>
          <Spinner type="dots" />{' '}
        </Text>
      ) : null}
      <Text color={state.color} bold>{left}</Text>
      <Text> │ </Text>
      <Text color={messageKind === 'error' ? theme.danger : undefined} wrap="truncate">{fitMessage(message, room)}</Text>
      <Text dimColor> {counts}</Text>
    </Box>
  );
}

/** Memoized: redraws only when its props change (the other pane's keys do not touch it). */
export const StatusLine = React.memo(StatusLineView);
