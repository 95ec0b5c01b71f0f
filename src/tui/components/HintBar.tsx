import React from 'react';
import { Box, Text } from 'ink';
import { hintEntries } from '../keys/keymap.js';

/** Props of the one-line key hint bar. */
export interface HintBarProps {
  width: number;
}

const hints = hintEntries();

/** mc-style key hints (`F5Copy`), as many as fit the width, from the keymap table. */
function HintBarView({ width }: HintBarProps): React.JSX.Element {
  const shown: { key: string; label: string }[] = [];
  let used = 0;
  for (const hint of hints) {
    const cost = hint.key.length + hint.label.length + 1;
    if (used + cost > width) break;
    shown.push(hint);
    used += cost;
  }
  return (
    <Box width={width}>
      {shown.map((hint) => (
        <Text key={hint.key}>
          <Text bold color="black" backgroundColor="cyan">{hint.key}</Text>
          <Text>{hint.label} </Text>
        </Text>
      ))}
    </Box>
  );
}

/** Memoized: redraws only when its props change (the other pane's keys do not touch it). */
export const HintBar = React.memo(HintBarView);
