/**
 * The client's trust-on-first-use store, like SSH's known_hosts: the first
 * time a client meets a TLS server it remembers the SHA-256 fingerprint of the
 * server's certificate; afterwards it connects only when the fingerprint is the
 * same, and refuses with code TRUST (naming both fingerprints and this file)
 * when it changed.
 *
 * File: `$XDG_CONFIG_HOME/ferry/known_hosts` (else `~/.config/ferry/`), one
 * server per line, `host:port fingerprint`; IPv6 hosts in brackets; `#`
 * starts a comment. Example:
 * ```
 * files.example.org:7070 4A:1B:79:...:BE:F0
 * [::1]:7443 0C:55:...:9D
 * ```
 */
import path from 'node:path';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { defaultConfigDir, readFileIfExists, writeFileAtomic } from '../security/config-dir.js';

export const KNOWN_HOSTS_NAME = 'known_hosts';

/** What the store says about a host's fingerprint. */
export type TrustVerdict = 'trusted' | 'unknown' | 'changed';

/** Where the fingerprints of TLS servers met before are kept (Ferry's known_hosts file, or a memory one in tests). */
export interface KnownHostsStore {
  readonly file: string;
  check(host: string, port: number, fingerprint: string): Promise<TrustVerdict>;
  /** The remembered fingerprint of `host:port`, if any. */
  lookup(host: string, port: number): Promise<string | undefined>;
  /** Remembers (or replaces) the fingerprint of `host:port`. */
  remember(host: string, port: number, fingerprint: string): Promise<void>;
}

const FINGERPRINT = /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/;

export function defaultKnownHostsFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(defaultConfigDir(env), KNOWN_HOSTS_NAME);
}

/** `host:port` as written in the file: lower case, IPv6 in brackets. */
export function hostKey(host: string, port: number): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  return `${lower.includes(':') ? `[${lower}]` : lower}:${port}`;
}

/** `ab:cd…` or `abcd…` → `AB:CD:…`; throws TRUST when it is not a SHA-256 fingerprint. */
export function normaliseFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/:/g, '').toUpperCase();
  const formatted = hex.match(/.{1,2}/g)?.join(':') ?? '';
  if (!FINGERPRINT.test(formatted)) throw new FerryError(ErrorCode.TRUST, `not a SHA-256 fingerprint: ${fingerprint}`);
  return formatted;
}

export function openKnownHosts(file: string = defaultKnownHostsFile()): KnownHostsStore {
  // Read on every use: another ferry process may have added a host meanwhile.
  const read = async (): Promise<Map<string, string>> => parseKnownHosts((await readFileIfExists(file)) ?? '');
  const lookup = async (host: string, port: number): Promise<string | undefined> => (await read()).get(hostKey(host, port));
  return {
    file,
    lookup,
    async check(host, port, fingerprint) {
      const known = await lookup(host, port);
      if (known === undefined) return 'unknown';
      return known === normaliseFingerprint(fingerprint) ? 'trusted' : 'changed';
    },
    async remember(host, port, fingerprint) {
      const key = hostKey(host, port);
      const value = normaliseFingerprint(fingerprint);
      const text = (await readFileIfExists(file)) ?? '';
      // Keep the user's comments and order; replace the host's line or append one.
      const lines = text.split('\n').filter((line, index, all) => !(index === all.length - 1 && line === ''));
      const at = lines.findIndex((line) => line.trim().split(/\s+/)[0] === key);
      const entry = `${key} ${value}`;
      if (at >= 0) lines[at] = entry;
      else lines.push(entry);
      await writeFileAtomic(file, `${lines.join('\n')}\n`, 0o600);
    },
  };
}

/** Parses the file's text; malformed lines are ignored (they can never match a server). */
export function parseKnownHosts(text: string): Map<string, string> {
  const known = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [key, fingerprint] = line.split(/\s+/);
    if (key === undefined || fingerprint === undefined) continue;
    try {
      known.set(key, normaliseFingerprint(fingerprint));
    } catch {
      // Skip the line.
    }
  }
  return known;
}

/** Asked about a server the store does not know; resolves true to trust (and remember) it. */
export type AskTrustNew = (request: {
  host: string; port: number; fingerprint: string; file: string;
  /** Aborted when the connection attempt ends without the answer (timeout, server gone): stop asking. */
  signal?: AbortSignal;
}) => Promise<boolean>;

export interface VerifierOptions {
  store?: KnownHostsStore;
  /** What to do with an unknown server; missing = refuse it. */
  askUnknown?: AskTrustNew;
}

/**
 * The `verifyFingerprint` of ConnectOptions: a known and equal fingerprint
 * passes; an unknown one is put to `askUnknown` and remembered if trusted; a
 * changed one is refused. Refusals throw FerryError TRUST with a message that
 * says what to do.
 */
export function createFingerprintVerifier(
  options: VerifierOptions = {},
): (fingerprint: string, host: string, port: number, signal?: AbortSignal) => Promise<boolean> {
  const store = options.store ?? openKnownHosts();
  return async (fingerprint, host, port, signal) => {
    const presented = normaliseFingerprint(fingerprint);
    const known = await store.lookup(host, port);
    if (known === presented) return true;
    if (known !== undefined) throw changedFingerprintError(host, port, known, presented, store.file);
    const trusted = options.askUnknown ? await options.askUnknown({ host, port, fingerprint: presented, file: store.file, signal }) : false;
    if (!trusted) throw unknownFingerprintError(host, port, presented);
    await store.remember(host, port, presented);
    return true;
  };
}

export function changedFingerprintError(host: string, port: number, known: string, presented: string, file: string): FerryError {
  const key = hostKey(host, port);
  return new FerryError(
    ErrorCode.TRUST,
    `the TLS certificate of ${key} has CHANGED: expected SHA-256 ${known}, got ${presented}. ` +
      'Someone may be intercepting the connection, or the server got a new certificate. ' +
      `If you are sure it is the server's new certificate, remove the line for ${key} from ${file} and connect again.`,
  );
}

export function unknownFingerprintError(host: string, port: number, presented: string): FerryError {
  return new FerryError(
    ErrorCode.TRUST,
    `${hostKey(host, port)} is not a known server (certificate SHA-256 ${presented}). ` +
      'Compare that fingerprint with the one ferryd printed at start, then connect again with --trust-new to remember it.',
  );
}
