/**
 * The host key decision of one SSH connection, as ssh makes it with
 * StrictHostKeyChecking=ask: a key known for the host goes on; an unknown one
 * is shown to the person (options.verifyNewKey) and, when accepted, appended
 * to ~/.ssh/known_hosts; a changed or revoked one is refused with TRUST
 * without asking. Key types already known for the host are offered first in
 * the key exchange, so a server with several keys presents the known one.
 */
import type { Algorithms } from 'ssh2';
import { ErrorCode, FerryError, isFerryError } from '../../protocol/errors.js';
import type { PresentedKey } from '../open-remote.js';
import {
  changedKeyMessage, checkHostKey, keyTypeOf, knownHostName, knownKeyTypes, readKnownHosts, rememberHostKey, sshFingerprint,
} from './known-hosts.js';

const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
];

/** The signature algorithms of a key type (an RSA key signs with SHA-2 first). */
function algorithmsOf(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

export interface HostKeyCheck {
  verifier: (key: Buffer, verify: (valid: boolean) => void) => void;
  algorithms: Algorithms;
  /** Why the key was refused, once it was. */
  refusal(): FerryError | undefined;
  /** The accepted key's fingerprint (`SHA256:...`). */
  fingerprint(): string;
}

export async function hostKeyCheck(
  file: string, host: string, port: number, verifyNewKey: ((key: PresentedKey) => Promise<boolean>) | undefined,
): Promise<HostKeyCheck> {
  let known: string;
  try {
    known = await readKnownHosts(file);
  } catch (error) {
    throw new FerryError(ErrorCode.TRUST, `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const preferred = knownKeyTypes(known, host, port).flatMap(algorithmsOf).filter((name) => HOST_KEY_ALGORITHMS.includes(name));
  const order = [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
  let refused: FerryError | undefined;
  let accepted = '';

  const decide = async (blob: Buffer): Promise<boolean> => {
    const type = keyTypeOf(blob);
    const fingerprint = sshFingerprint(blob);
    const name = knownHostName(host, port);
    const verdict = checkHostKey(known, file, host, port, blob);
    switch (verdict.status) {
      case 'known':
        accepted = fingerprint;
        return true;
      case 'changed':
        refused = new FerryError(ErrorCode.TRUST, changedKeyMessage(verdict, type, fingerprint, name));
        return false;
      case 'revoked':
        refused = new FerryError(ErrorCode.TRUST, `the ${type} host key of ${name} (${fingerprint}) is marked revoked in ${verdict.file}:${verdict.line}`);
        return false;
      case 'unknown': {
        if (!verifyNewKey) {
          refused = new FerryError(ErrorCode.TRUST, `${name} is not in ${file}; its ${type} key is ${fingerprint} (not trusted without asking)`);
          return false;
        }
        const trusted = await verifyNewKey({ kind: 'ssh', host, port, fingerprint, algorithm: type });
        if (!trusted) {
          refused = new FerryError(ErrorCode.TRUST, `the ${type} host key of ${name} (${fingerprint}) was not trusted`);
          return false;
        }
        try {
          await rememberHostKey(file, host, port, blob);
        } catch (error) {
          refused = new FerryError(ErrorCode.TRUST, `cannot remember the host key in ${file}: ${error instanceof Error ? error.message : String(error)}`);
          return false;
        }
        accepted = fingerprint;
        return true;
      }
    }
  };

  return {
    verifier: (key, verify) => {
      decide(key).then(verify, (error: unknown) => {
        // A refusal of the asker's own (the commands' "not a known host, use --trust-new") is passed on as it is.
        refused = isFerryError(error) ? error
          : new FerryError(ErrorCode.TRUST, `the host key check failed: ${error instanceof Error ? error.message : String(error)}`);
        verify(false);
      });
    },
    algorithms: { serverHostKey: order as Algorithms['serverHostKey'] },
    refusal: () => refused,
    fingerprint: () => accepted,
  };
}
