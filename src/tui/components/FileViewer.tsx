import React, { useEffect, useSyncExternalStore } from 'react';
import { Box, Text } from 'ink';
import { theme } from '../theme.js';
import { fitEnd } from '../cells.js';
import { formatSize } from '../format.js';
import type { ViewerController } from '../viewer/viewer-controller.js';

/** Props of the full-screen file viewer. */
export interface FileViewerProps {
  viewer: ViewerController;
  screen: { columns: number; rows: number };
}

const HINTS = '↑↓ PgUp PgDn Home End · / search · n next · h hex · q close';

/** Lines the viewer draws besides the file's: its title and its bottom line. */
export const VIEWER_CHROME_ROWS = 2;

/** The viewer over the whole screen: the title, the file's lines, and a bottom line (search, status or keys). */
export function FileViewer({ viewer, screen }: FileViewerProps): React.JSX.Element {
  const snapshot = useSyncExternalStore(viewer.subscribe, viewer.getSnapshot);
  const columns = screen.columns;
  // The App's frame is one row shorter than the screen (the spare line under the hint bar).
  const textRows = Math.max(1, screen.rows - 1 - VIEWER_CHROME_ROWS);
  useEffect(() => viewer.resize(columns, textRows), [viewer, columns, textRows]);

  const position = snapshot.size === 0 ? 100 : Math.floor((snapshot.top / snapshot.size) * 100);
  const title = `${snapshot.title} · ${formatSize(snapshot.size)} · ${snapshot.mode} · ${position}%`;
  const bottom = snapshot.search
    ? `/${snapshot.search.value}`
    : (snapshot.status ?? HINTS);
  const lines = snapshot.lines.length > 0 ? snapshot.lines : ['loading…'];
  return (
    <Box position="absolute" flexDirection="column" width={columns} height={textRows + VIEWER_CHROME_ROWS}>
      <Text inverse>{fitEnd(title, columns)}</Text>
      {Array.from({ length: textRows }, (_, row) => (
        <Text key={row}>{fitEnd(lines[row] ?? '', columns)}</Text>
      ))}
      <Text color={snapshot.search ? theme.accent : theme.muted}>{fitEnd(bottom, columns)}</Text>
    </Box>
  );
}
