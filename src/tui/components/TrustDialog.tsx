import React from 'react';
import { Box, Text } from 'ink';
import { DialogFrame, DialogLine, dialogTextWidth, dialogWidth } from './DialogFrame.js';
import { wrapParts, wrapWords } from '../cells.js';

/** Props of the "trust this server?" dialog (trust on first use of a TLS certificate or an SSH host key). */
export interface TrustDialogProps {
  host: string;
  port: number;
  /** SHA-256 fingerprint: of the certificate, `AB:CD:...`; of an SSH host key, `SHA256:base64` as OpenSSH prints it. */
  fingerprint: string;
  keyKind?: 'tls' | 'ssh' | undefined;
  /** SSH key type (`ssh-ed25519`, ...). */
  algorithm?: string | undefined;
  choice: 'yes' | 'no';
  screen: { columns: number; rows: number };
}

/** An SSH fingerprint in lines of `width`: whole when it fits (it does from 50 columns), else cut into equal pieces. */
function sshFingerprintLines(fingerprint: string, width: number): string[] {
  const lines: string[] = [];
  for (let start = 0; start < fingerprint.length; start += width) lines.push(fingerprint.slice(start, start + width));
  return lines;
}

export function TrustDialog({ host, port, fingerprint, keyKind = 'tls', algorithm, choice, screen }: TrustDialogProps): React.JSX.Element {
  const width = dialogWidth(74, screen);
  const inner = dialogTextWidth(width);
  const ssh = keyKind === 'ssh';
  // Wrapped between bytes (`AB:` stays whole), so each line can be compared with ferryd's as it is.
  const bytes = fingerprint.split(':');
  const chunks = ssh
    ? sshFingerprintLines(fingerprint, inner)
    : wrapParts(bytes.map((byte, index) => (index < bytes.length - 1 ? `${byte}:` : byte)), '', inner);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const intro = ssh
    ? `First connection to ${address}. Its ${algorithm ?? 'SSH'} host key fingerprint is:`
    : `First connection to ${address}. Its certificate fingerprint is:`;
  const compare = ssh
    ? 'Compare it with ssh-keygen -lf on the server. Trusting adds it to ~/.ssh/known_hosts.'
    : 'Compare it with the one the server printed. Trusting remembers it.';
  return (
    <DialogFrame title={ssh ? 'Unknown host key — trust it?' : 'Unknown server — trust it?'} width={width} screen={screen} tone="danger">
      {wrapWords(intro, inner).map((line, index) => (
        <DialogLine key={`intro-${index}`} width={width}>{line}</DialogLine>
      ))}
      {chunks.map((chunk, index) => (
        <DialogLine key={index} width={width} bold>{chunk}</DialogLine>
      ))}
      {wrapWords(compare, inner).map((line, index) => (
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
