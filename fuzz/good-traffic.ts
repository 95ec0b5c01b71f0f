/**
 * The well-behaved side of the live fuzzer: a real FerryClient uploading and
 * downloading files of awkward sizes while the server is under attack, checking
 * the SHA-256 of the local original, the server's stored copy and the
 * downloaded copy.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FerryClient } from '../src/client/client.js';

export interface GoodTrafficStats {
  /** Upload + download round trips whose three hashes matched. */
  verified: number;
  bytes: number;
  /** Round trips that failed or mismatched (must stay 0), with reasons. */
  failures: string[];
}

export function newGoodTrafficStats(): GoodTrafficStats {
  return { verified: 0, bytes: 0, failures: [] };
}

const SIZES = [0, 1, 100, 65_535, 65_536, 65_537, 1 << 20, (1 << 20) + 17];

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Connects with the fuzzer's good user (its own root, out of the attackers' reach). */
export function connectGood(port: number, credentials: { user: string; password: string }): Promise<FerryClient> {
  return FerryClient.connect({ host: '127.0.0.1', port, tls: 'off', timeoutMs: 10_000, ...credentials });
}

export async function goodTrafficUntil(options: {
  deadline: number;
  /** True once the run is over early (the server crashed). */
  stopped: () => boolean;
  port: number;
  worker: number;
  localDir: string;
  serverRoot: string;
  credentials: { user: string; password: string };
  stats: GoodTrafficStats;
}): Promise<void> {
  const { stats, worker } = options;
  let client: FerryClient | undefined;
  for (let round = 0; Date.now() < options.deadline && !options.stopped(); round++) {
    const name = `w${worker}-${round}.bin`;
    const original = path.join(options.localDir, `up-${name}`);
    const copy = path.join(options.localDir, `down-${name}`);
    const size = SIZES[round % SIZES.length]! + (round >= SIZES.length ? Math.floor(Math.random() * 3000) : 0);
    try {
      client ??= await connectGood(options.port, options.credentials);
      const content = randomBytes(size);
      await writeFile(original, content);
      await client.upload(original, name, { overwrite: true });
      const stored = await readFile(path.join(options.serverRoot, name));
      await client.download(name, copy, { overwrite: true });
      const downloaded = await readFile(copy);
      const expected = sha256(content);
      if (sha256(stored) !== expected) stats.failures.push(`${name}: the server's copy differs`);
      else if (sha256(downloaded) !== expected) stats.failures.push(`${name}: the downloaded copy differs`);
      else {
        stats.verified++;
        stats.bytes += 2 * size;
      }
      if (round % 5 === 4) await client.delete(name);
    } catch (error) {
      stats.failures.push(`${name} (${size} bytes): ${String(error)}`);
      client?.close();
      client = undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await rm(original, { force: true });
      await rm(copy, { force: true });
    }
  }
  await client?.quit().catch(() => client?.close());
}
