import React from 'react';
import { Box, Text } from 'ink';
import { DialogFrame, DialogLine, dialogWidth } from './DialogFrame.js';

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
  const inner = width - 4;
  const chunks: string[] = [];
  for (let start = 0; start < fingerprint.length; start += inner) chunks.push(fingerprint.slice(start, start + inner));
  return (
    <DialogFrame title="Unknown server — trust it?" width={width} screen={screen} tone="danger">
      <DialogLine width={width}>{`First connection to ${host}:${port}. Its certificate fingerprint is:`}</DialogLine>
      {chunks.map((chunk, index) => (
        <DialogLine key={index} width={width} bold>{chunk}</DialogLine>
      ))}
      <DialogLine width={width}>{'Compare it with the one ferryd printed. Trusting remembers it.'}</DialogLine>
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
