/**
 * ferryd's TLS certificate: the operator's own (`--tls-cert`/`--tls-key`), or
 * a self-signed one generated on first start and kept in the config folder
 * (`tls-cert.pem`, `tls-key.pem` with mode 0600). Clients do not check it
 * against certificate authorities; they pin its SHA-256 fingerprint on first
 * use, so ferryd prints the fingerprint at start for the operator to compare.
 *
 * Generation: an EC P-256 key from node's WebCrypto (fast to make and to use
 * in handshakes), and the certificate built by @peculiar/x509, loaded only
 * when a certificate must actually be generated.
 */
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileIfExists, writeFileAtomic, writeFileExclusive } from './config-dir.js';

export const GENERATED_CERT_NAME = 'tls-cert.pem';
export const GENERATED_KEY_NAME = 'tls-key.pem';
/** Generated certificates are valid this long; the fingerprint, not the date, is what clients trust. */
const VALIDITY_DAYS = 3650;

export interface ServerCertificate {
  cert: string;
  key: string;
  /** SHA-256 of the certificate in the form clients see it: `AB:CD:…` (32 bytes). */
  fingerprint: string;
  certPath: string;
  keyPath: string;
  /** True when this call generated it. */
  generated: boolean;
}

export interface CertificateOptions {
  /** Folder for the generated certificate. */
  configDir: string;
  /** The operator's certificate and key (PEM files); both or neither. */
  certFile?: string;
  keyFile?: string;
}

/** Loads the operator's certificate, or the generated one, generating it on first use. */
export async function loadOrCreateCertificate(options: CertificateOptions): Promise<ServerCertificate> {
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw configError('give both --tls-cert and --tls-key, or neither');
  }
  if (options.certFile !== undefined && options.keyFile !== undefined) {
    return loadPair(path.resolve(options.certFile), path.resolve(options.keyFile), false);
  }
  const certPath = path.join(options.configDir, GENERATED_CERT_NAME);
  const keyPath = path.join(options.configDir, GENERATED_KEY_NAME);
  const existing = await existingPair(certPath, keyPath);
  if (existing) return existing;
  const generated = await generateSelfSigned(os.hostname());
  // Several ferryd sharing a config folder may start together: the first to publish its key wins, and
  // the others serve the winner's pair, so clients see one fingerprint whichever instance they reach.
  // Key first: the winner's certificate follows it; a crash in between leaves a key without a
  // certificate, which existingPair reports.
  if (!(await writeFileExclusive(keyPath, generated.key, 0o600))) {
    const winner = await existingPair(certPath, keyPath);
    if (!winner) throw configError(`${keyPath} appeared without ${certPath}`);
    return winner;
  }
  await writeFileAtomic(certPath, generated.cert, 0o644);
  return { ...generated, fingerprint: fingerprintOf(generated.cert), certPath, keyPath, generated: true };
}

/** How long a key without its certificate is taken for another process still publishing the pair. */
const PUBLISHING_WAIT_MS = 5_000;

/** The generated pair if there is one; undefined if neither file exists. */
async function existingPair(certPath: string, keyPath: string): Promise<ServerCertificate | undefined> {
  const waitUntil = Date.now() + PUBLISHING_WAIT_MS;
  for (;;) {
    const [cert, key] = await Promise.all([readFileIfExists(certPath), readFileIfExists(keyPath)]);
    if (cert !== undefined && key !== undefined) return loadPair(certPath, keyPath, false);
    if (cert === undefined && key === undefined) return undefined;
    // A key alone is what another process shows between publishing its key and its certificate.
    if (cert !== undefined || Date.now() > waitUntil) {
      throw configError(`only one of ${certPath} and ${keyPath} exists; remove it to generate a new pair (clients will see a new fingerprint)`);
    }
    await sleep(50);
  }
}

/** SHA-256 fingerprint of a PEM certificate, formatted like node's `fingerprint256`. */
export function fingerprintOf(certPem: string | Buffer): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Warns about a private key that others can read; returns the warning, if any. */
export async function keyPermissionWarning(keyPath: string): Promise<string | undefined> {
  const stats = await fs.stat(keyPath);
  return (stats.mode & 0o077) !== 0
    ? `the TLS key ${keyPath} can be read by other users (mode ${(stats.mode & 0o777).toString(8)}); chmod 600 it`
    : undefined;
}

/** A self-signed EC P-256 certificate for `commonName`, with its PKCS#8 key, both PEM. */
export async function generateSelfSigned(commonName: string): Promise<{ cert: string; key: string }> {
  // @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API installed first.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  // Node's WebCrypto and the DOM's Crypto type are the same API under different type names.
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: webcrypto.getRandomValues(new Uint8Array(16)).reduce((hex, byte) => hex + byte.toString(16).padStart(2, '0'), '7f'),
    name: `CN=${commonName.replace(/[,=+<>#;"\\]/g, '_') || 'ferryd'}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + VALIDITY_DAYS * 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' });
  return { cert: certificate.toString('pem'), key: key.toString() };
}

async function loadPair(certPath: string, keyPath: string, generated: boolean): Promise<ServerCertificate> {
  const cert = await readOrFail(certPath, 'certificate');
  const key = await readOrFail(keyPath, 'key');
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (error) {
    throw configError(`${certPath} is not a PEM certificate (${(error as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw configError(`${keyPath} is not a PEM private key (${(error as Error).message})`);
  }
  if (!parsed.checkPrivateKey(privateKey)) throw configError(`the key ${keyPath} does not belong to the certificate ${certPath}`);
  return { cert, key, fingerprint: parsed.fingerprint256, certPath, keyPath, generated };
}

async function readOrFail(file: string, what: string): Promise<string> {
  const text = await readFileIfExists(file).catch((error: unknown) => {
    throw configError(`cannot read the TLS ${what} ${file}: ${(error as Error).message}`);
  });
  if (text === undefined) throw configError(`the TLS ${what} ${file} does not exist`);
  return text;
}

function configError(message: string): FerryError {
  return new FerryError(ErrorCode.INTERNAL, message);
}
