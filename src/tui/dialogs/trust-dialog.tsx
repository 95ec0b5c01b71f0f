/** "Trust this server?": a TLS certificate or an SSH host key met for the first time (trust on first use). */
import { TrustDialog } from '../components/TrustDialog.js';
import { passAnswerOn, type Answer } from './question.js';
import type { DialogModule } from './dialog.js';
import type { PresentedKey } from '../../remote/open-remote.js';

export interface TrustDialogState {
  kind: 'trust';
  host: string;
  port: number;
  /** `AB:CD:...` for a certificate, `SHA256:...` for an SSH host key. */
  fingerprint: string;
  /** What was presented: a TLS certificate (default) or an SSH host key. */
  keyKind?: PresentedKey['kind'] | undefined;
  /** SSH key type (`ssh-ed25519`, ...). */
  algorithm?: string | undefined;
  choice: Answer;
  /** Resolves the session's key check. */
  answer: (trust: boolean) => void;
}

export function trustDialog(
  request: { host: string; port: number; fingerprint: string; kind?: PresentedKey['kind']; algorithm?: string | undefined },
  answer: (trust: boolean) => void,
): TrustDialogState {
  const { kind, ...rest } = request;
  return { kind: 'trust', ...rest, ...(kind ? { keyKind: kind } : {}), choice: 'no', answer };
}

export const trustDialogModule: DialogModule<TrustDialogState> = {
  onKey: (state, press, host) => passAnswerOn(state, press, host),
  render: (state, host) => (
    <TrustDialog
      host={state.host}
      port={state.port}
      fingerprint={state.fingerprint}
      keyKind={state.keyKind ?? 'tls'}
      algorithm={state.algorithm}
      choice={state.choice}
      screen={host.screen}
    />
  ),
};
