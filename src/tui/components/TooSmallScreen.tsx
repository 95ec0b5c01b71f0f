import React from 'react';
import { theme } from '../theme.js';
import { Box, Text } from 'ink';
import { fitEnd } from '../cells.js';
import { tooSmallMessage } from '../layout.js';

/** Props of the screen drawn instead of the panes below the minimum size. */
export interface TooSmallScreenProps {
  /** The terminal's real size (not the layout's, which never goes below the minimum). */
  size: { columns: number; rows: number };
  /** An open quit/disconnect question, shown after the message so it can be answered here too. */
  question?: string;
}

/**
 * "Terminal too small (need W×H)": every line cut to the width, so nothing
 * wraps, and no more lines than the terminal has less the spare one.
 */
export function TooSmallScreen({ size, question }: TooSmallScreenProps): React.JSX.Element {
  const columns = Math.max(1, Math.floor(size.columns));
  const message = question ? [...tooSmallMessage(size), question] : tooSmallMessage(size);
  const lines = message.slice(0, Math.max(1, Math.floor(size.rows) - 1));
  return (
    <Box flexDirection="column" width={columns}>
      {lines.map((line, index) => (
        <Text key={index} bold={index === 0} color={index === 0 ? theme.warning : undefined} wrap="truncate">
          {fitEnd(line, columns)}
        </Text>
      ))}
    </Box>
  );
}
