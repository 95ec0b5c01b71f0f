import React from 'react';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { isDirectory, visibleRows, type PaneState } from '../state/pane.js';
import { fit, formatRow, formatTitles } from '../format.js';
import { EntryKind } from '../../protocol/messages.js';

/** Props of one file pane. */
export interface PaneProps {
  /** The pane's listing state (cursor, window, selection...). */
  state: PaneState;
  /** Header text: the local path or `host:port:/path`. */
  location: string;
  /** Whether this pane has the keyboard (highlighted border, cursor shown). */
  active: boolean;
  /** Outer width including borders. */
  width: number;
  /** Outer height including borders. */
  height: number;
  /** Whether the time column shows the year. */
  longTime: boolean;
  /** True while `/` filter typing is on for this pane. */
  filtering: boolean;
  /** Shown instead of the listing (e.g. "not connected"). */
  placeholder?: string | undefined;
}

const sortLabels = { name: 'name', size: 'size', time: 'time' } as const;

/** A file pane: location header, column titles, and only the rows that fit. */
function PaneView({ state, location, active, width, height, longTime, filtering, placeholder }: PaneProps): React.JSX.Element {
  const inner = Math.max(4, width - 2);
  const sortLabel = `(${sortLabels[state.sort.key]}${state.sort.descending ? '↓' : '↑'})`;
  const flags = [state.showHidden ? 'hidden shown' : '', state.filter || filtering ? `filter: ${state.filter}${filtering ? '_' : ''}` : '']
    .filter(Boolean)
    .join(' · ');
  const rows = placeholder ? [] : visibleRows(state);
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="single" borderColor={active ? 'cyan' : 'gray'}>
      <Box>
        {state.loading ? (
          <Text color="yellow">
            <Spinner type="dots" />{' '}
          </Text>
        ) : null}
        <Text bold={active} color={active ? 'cyan' : undefined} wrap="truncate-start">
          {fit(location, inner - (state.loading ? 2 : 0))}
        </Text>
      </Box>
      <Text dimColor wrap="truncate">
        {flags ? fit(flags, inner) : formatTitles(inner, longTime, sortLabel)}
      </Text>
      {placeholder ? (
        <Text color="yellow" wrap="truncate">{fit(placeholder, inner)}</Text>
      ) : state.error && state.view.length === 0 ? (
        <Text color="red" wrap="truncate">{fit(state.error, inner)}</Text>
      ) : state.view.length === 0 && !state.loading ? (
        <Text dimColor wrap="truncate">{fit(state.filter ? '(no match)' : '(empty folder)', inner)}</Text>
      ) : (
        rows.map((entry, index) => {
          const position = state.top + index;
          const selected = state.selected.has(entry.name);
          const underCursor = active && position === state.cursor;
          return (
            <Text
              key={position}
              inverse={underCursor}
              underline={!active && position === state.cursor}
              color={selected ? 'yellow' : isDirectory(entry) ? 'blue' : entry.kind === EntryKind.SYMLINK ? 'cyan' : undefined}
              bold={isDirectory(entry) || selected}
              wrap="truncate"
            >
              {formatRow(entry, inner, longTime, selected)}
            </Text>
          );
        })
      )}
    </Box>
  );
}

/** Memoized: redraws only when its props change (the other pane's keys do not touch it). */
export const Pane = React.memo(PaneView);
