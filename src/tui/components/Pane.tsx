import React from 'react';
import { theme } from '../theme.js';
import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { isDirectory, type PaneView } from '../state/pane.js';
import { fit, formatParentRow, formatRow, formatTitles } from '../format.js';
import { cellWidth, fitEnd, fitMessage, wrapWords } from '../cells.js';
import { EntryKind } from '../../protocol/messages.js';

/** Props of one file pane. */
export interface PaneProps {
  /** The visible rows and flags of the pane (paneView of its state). */
  view: PaneView;
  /** Header text: the local path or `host:port:/path`. */
  location: string;
  /** Whether this pane has the keyboard (highlighted border, cursor shown). */
  active: boolean;
  /** Outer width including borders. */
  width: number;
  /** Outer height including borders. */
  height: number;
  /** True while `/` filter typing is on for this pane. */
  filtering: boolean;
  /** Shown instead of the listing (e.g. "not connected"). */
  placeholder?: string | undefined;
}

const sortLabels = { name: 'name', size: 'size', time: 'time' } as const;

/** What the pane shows beside its rows: hidden files on, the filter (with a cursor while it is typed). */
export function paneFlags(view: Pick<PaneView, 'showHidden' | 'filter'> & Partial<Pick<PaneView, 'namesLeftOut'>>, filtering: boolean): string {
  const filter = view.filter || filtering ? `filter: ${view.filter}${filtering ? '_' : ''}` : '';
  return [view.namesLeftOut ? '!names not shown' : '', view.showHidden ? '+hidden' : '', filter].filter(Boolean).join(' ');
}

/**
 * The pane's first line, exactly `width` cells: the location cut in the
 * middle, the flags at the right. The flags never take the column titles'
 * line, so the sort indicator stays in view; they get at most two thirds of
 * the line, so the location keeps a third.
 */
export function paneHeader(location: string, flags: string, width: number): string {
  if (!flags) return fit(location, width);
  const flagsWidth = Math.min(cellWidth(flags), Math.floor((width * 2) / 3));
  return `${fit(location, width - flagsWidth - 1)} ${fitEnd(flags, flagsWidth)}`;
}

/** A file pane: location header, column titles, and only the rows that fit. */
function PaneComponent({ view, location, active, width, height, filtering, placeholder }: PaneProps): React.JSX.Element {
  const inner = Math.max(4, width - 2);
  const sortLabel = `(${sortLabels[view.sort.key]}${view.sort.descending ? '↓' : '↑'})`;
  const header = paneHeader(location, paneFlags(view, filtering), inner - (view.loading ? 2 : 0));
  const rows = placeholder ? [] : view.rows;
  const now = Date.now();
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="single" borderColor={active ? theme.accent : theme.muted}>
      <Box>
        {view.loading ? (
          <Text color={theme.warning}>
            <Spinner type="dots" />{' '}
          </Text>
        ) : null}
        <Text bold={active} color={active ? theme.accent : undefined} wrap="truncate-start">
          {header}
        </Text>
      </Box>
      <Text dimColor wrap="truncate">
        {formatTitles(inner, sortLabel, view.showMode)}
      </Text>
      {placeholder ? (
        // Wrapped over the listing's rows rather than cut, so a narrow pane still shows the key to press.
        wrapWords(placeholder, inner).slice(0, Math.max(1, height - 4)).map((line, index) => (
          <Text key={index} color={theme.warning} wrap="truncate">{fitEnd(line, inner)}</Text>
        ))
      ) : (
        <>
          {view.parentRow ? (
            <Text inverse={active && view.cursorRow === 0} underline={!active && view.cursorRow === 0} color={theme.directory} bold wrap="truncate">
              {formatParentRow(inner)}
            </Text>
          ) : null}
          {view.error && view.total === 0 ? (
            <Text color={theme.danger} wrap="truncate">{fitMessage(view.error, inner)}</Text>
          ) : view.total === 0 && !view.loading ? (
            <Text dimColor wrap="truncate">{fit(view.filter ? '(no match)' : '(empty folder)', inner)}</Text>
          ) : (
            rows.map((entry, index) => {
              const line = index + (view.parentRow ? 1 : 0);
              const selected = view.selectedRows[index] ?? false;
              const underCursor = active && line === view.cursorRow;
              return (
                <Text
                  key={line}
                  inverse={underCursor}
                  underline={!active && line === view.cursorRow}
                  color={selected ? theme.warning : isDirectory(entry) ? theme.directory : entry.kind === EntryKind.SYMLINK ? theme.symlink : undefined}
                  bold={isDirectory(entry) || selected}
                  wrap="truncate"
                >
                  {formatRow(entry, inner, selected, now, view.showMode)}
                </Text>
              );
            })
          )}
        </>
      )}
    </Box>
  );
}

/** Memoized: redraws only when its props change (the other pane's keys do not touch it). */
export const Pane = React.memo(PaneComponent);
