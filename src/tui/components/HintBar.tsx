import React from 'react';
import { theme } from '../theme.js';
import { Box, Text } from 'ink';
import { bindings, hintEntries } from '../keys/keymap.js';

/** Props of the one-line key hint bar. */
export interface HintBarProps {
  width: number;
}

/** The keymap's hints, made again only when the keymap in use changes (the config file's keys, at start). */
let cached: { table: typeof bindings; hints: { key: string; label: string }[] } | undefined;
function currentHints(): { key: string; label: string }[] {
  if (cached?.table !== bindings) cached = { table: bindings, hints: hintEntries(bindings) };
  return cached.hints;
}

/** Which hints stay when the bar is too narrow for all: the operations and quit first. */
const keepFirst = ['Help', 'Copy', 'Move', 'Mkdir', 'Del', 'Quit', 'View', 'Edit', 'Upload', 'Download', 'Sel', 'Queue', 'Disc', 'Refresh'];

/** The hints that fit `width`, chosen by keepFirst and shown in keymap order. */
export function fittingHints(width: number): { key: string; label: string }[] {
  const hints = currentHints();
  const kept = new Set<string>();
  let used = 0;
  const byPriority = [...hints].sort((a, b) => rank(a.label) - rank(b.label));
  for (const hint of byPriority) {
    const cost = hint.key.length + hint.label.length + 1;
    if (used + cost > width) continue;
    kept.add(hint.label);
    used += cost;
  }
  return hints.filter((hint) => kept.has(hint.label));
}

function rank(label: string): number {
  const index = keepFirst.indexOf(label);
  return index < 0 ? keepFirst.length : index;
}

/** mc-style key hints (`F5Copy`), as many as fit the width, from the keymap table. */
function HintBarView({ width }: HintBarProps): React.JSX.Element {
  const shown = fittingHints(width);
  return (
    <Box width={width}>
      {shown.map((hint) => (
        <Text key={hint.key}>
          <Text bold color={theme.hintKey.color} backgroundColor={theme.hintKey.backgroundColor} inverse={theme.hintKey.inverse}>
            {hint.key}
          </Text>
          <Text>{hint.label} </Text>
        </Text>
      ))}
    </Box>
  );
}

/** Memoized: redraws only when its props change (the other pane's keys do not touch it). */
export const HintBar = React.memo(HintBarView);
