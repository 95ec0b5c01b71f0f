/** "Trust this server?": a TLS server whose fingerprint is not known yet (trust on first use). */
import { TrustDialog } from '../components/TrustDialog.js';
import { passAnswerOn, type Answer } from './question.js';
import type { DialogModule } from './dialog.js';

export interface TrustDialogState {
  kind: 'trust';
  host: string;
  port: number;
  fingerprint: string;
  choice: Answer;
  /** Resolves the client's fingerprint check. */
  answer: (trust: boolean) => void;
}

export function trustDialog(request: { host: string; port: number; fingerprint: string }, answer: (trust: boolean) => void): TrustDialogState {
  return { kind: 'trust', ...request, choice: 'no', answer };
}

export const trustDialogModule: DialogModule<TrustDialogState> = {
  onKey: (state, press, host) => passAnswerOn(state, press, host),
  render: (state, host) => (
    <TrustDialog host={state.host} port={state.port} fingerprint={state.fingerprint} choice={state.choice} screen={host.screen} />
  ),
};
