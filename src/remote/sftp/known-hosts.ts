/**
 * SSH host keys checked against OpenSSH's ~/.ssh/known_hosts, read and
 * written in its own format (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"), so a
 * host trusted by `ssh` is trusted here and the other way round:
 *
 *   [@marker] patterns keytype base64-key [comment]
 *
 * Patterns are comma-separated host names with `*` and `?` wildcards and `!`
 * negations, `[host]:port` for ports other than 22, or hashed
 * (`|1|base64-salt|base64-hmac-sha1`, what HashKnownHosts writes). Lines
 * marked `@revoked` refuse their key; `@cert-authority` lines are about
 * certificates, which this does not use, and are passed over.
 */
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown'; /** Key types already known for the host (another type was offered). */ otherTypes: string[] }
  | { status: 'changed'; file: string; line: number; knownType: string }
  | { status: 'revoked'; file: string; line: number };

/** The name a host is remembered under: `host` on port 22, `[host]:port` elsewhere (as ssh writes it). */
export function knownHostName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** The key type named at the start of a public key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return 'unknown';
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** `SHA256:` and the unpadded base64 of the key blob's SHA-256, as `ssh-keygen -l` prints it. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** `ED25519`, `RSA`, `ECDSA`: how OpenSSH names a key type in its warnings. */
export function keyTypeLabel(type: string): string {
  if (type === 'ssh-ed25519') return 'ED25519';
  if (type === 'ssh-rsa') return 'RSA';
  if (type.startsWith('ecdsa-')) return 'ECDSA';
  if (type === 'ssh-dss') return 'DSA';
  return type.toUpperCase();
}

function wildcardMatches(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(name);
}

function hashedMatches(entry: string, name: string): boolean {
  const parts = entry.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  try {
    const salt = Buffer.from(parts[2]!, 'base64');
    const expected = Buffer.from(parts[3]!, 'base64');
    const actual = createHmac('sha1', salt).update(name).digest();
    return expected.length === actual.length && expected.equals(actual);
  } catch {
    return false;
  }
}

/** Whether a line's host field names `name`: some pattern matches and no negated one does. */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatches(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcardMatches(pattern.slice(1), name)) return false;
    } else if (wildcardMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * What the file says about `blob` for `host`:`port`. A line with the same
 * type and the same key makes it known, even when another line for the host
 * holds an older key (ssh accepts any matching line); a line with the same
 * type and another key, and no line with this key, means it changed.
 */
export function checkHostKey(text: string, file: string, host: string, port: number, blob: Buffer): HostKeyVerdict {
  const name = knownHostName(host, port);
  const type = keyTypeOf(blob);
  const encoded = blob.toString('base64');
  let changed: HostKeyVerdict | undefined;
  const otherTypes: string[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const fields = lines[index]!.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) continue;
    let marker: string | undefined;
    if (fields[0].startsWith('@')) marker = fields.shift();
    const [hosts, lineType, key] = fields;
    if (hosts === undefined || lineType === undefined || key === undefined) continue;
    if (!hostFieldMatches(hosts, name)) continue;
    if (marker === '@revoked') {
      if (key === encoded) return { status: 'revoked', file, line: index + 1 };
      continue;
    }
    if (marker !== undefined) continue;
    if (lineType !== type) {
      if (!otherTypes.includes(lineType)) otherTypes.push(lineType);
      continue;
    }
    if (key === encoded) return { status: 'known' };
    changed ??= { status: 'changed', file, line: index + 1, knownType: lineType };
  }
  return changed ?? { status: 'unknown', otherTypes };
}

/** The key types the file holds for a host, to offer them first (ssh's HostKeyAlgorithms ordering). */
export function knownKeyTypes(text: string, host: string, port: number): string[] {
  const name = knownHostName(host, port);
  const types: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#') || fields[0].startsWith('@')) continue;
    if (fields.length >= 3 && hostFieldMatches(fields[0], name) && !types.includes(fields[1]!)) types.push(fields[1]!);
  }
  return types;
}

/** The file's text, or empty when there is none. */
export async function readKnownHosts(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/**
 * Appends `host`'s key as one line, creating the folder (0700) and the file
 * (0600) as ssh would. The line starts on a line of its own even when the
 * file's last line has no newline.
 */
export async function rememberHostKey(file: string, host: string, port: number, blob: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const existing = await readKnownHosts(file);
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await fs.appendFile(file, `${separator}${knownHostName(host, port)} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}

/** OpenSSH's words for a changed key, naming the file and line that hold the old one. */
export function changedKeyMessage(verdict: { file: string; line: number }, type: string, fingerprint: string, host: string): string {
  const label = keyTypeLabel(type);
  return [
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
    'It is also possible that a host key has just been changed.',
    `The fingerprint for the ${label} key sent by the remote host ${host} is`,
    `${fingerprint}.`,
    `Offending ${label} key in ${verdict.file}:${verdict.line}`,
    `Host key verification failed (remove the line with: ssh-keygen -R ${host}).`,
  ].join('\n');
}
