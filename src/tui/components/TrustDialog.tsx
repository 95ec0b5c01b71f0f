import React from 'react';
import { Box, Text } from 'ink';
import { DialogFrame, DialogLine, dialogTextWidth, dialogWidth } from './DialogFrame.js';
import { wrapParts, wrapWords } from '../cells.js';

/** Props of the "trust this server?" dialog (TLS trust on first use). */
export interface TrustDialogProps {
  host: string;
  port: number;
  /** SHA-256 fingerprint of the server certificate, `AB:CD:...`. */
  fingerprint: string;
  choice: 'yes' | 'no';
  screen: { columns: number; rows: number };
}

export function TrustDialog({ host, port, fingerprint, choice, screen }: TrustDialogProps): React.JSX.Element {
  const width = dialogWidth(74, screen);
  const inner = dialogTextWidth(width);
  // Wrapped between bytes (`AB:` stays whole), so each line can be compared with ferryd's as it is.
  const bytes = fingerprint.split(':');
  const chunks = wrapParts(bytes.map((byte, index) => (index < bytes.length - 1 ? `${byte}:` : byte)), '', inner);
  return (
    <DialogFrame title="Unknown server — trust it?" width={width} screen={screen} tone="danger">
      {wrapWords(`First connection to ${host}:${port}. Its certificate fingerprint is:`, inner).map((line, index) => (
        <DialogLine key={`intro-${index}`} width={width}>{line}</DialogLine>
      ))}
      {chunks.map((chunk, index) => (
        <DialogLine key={index} width={width} bold>{chunk}</DialogLine>
      ))}
      {wrapWords('Compare it with the one ferryd printed. Trusting remembers it.', inner).map((line, index) => (
        <DialogLine key={`compare-${index}`} width={width}>{line}</DialogLine>
      ))}
      <Box>
        <Text> </Text>
        <Text inverse={choice === 'yes'} bold> Trust (y) </Text>
        <Text>   </Text>
        <Text inverse={choice === 'no'} bold> Refuse (n/Esc) </Text>
        <Text>{' '.repeat(Math.max(0, inner - 29))}</Text>
      </Box>
    </DialogFrame>
  );
}
