/** Local file helpers for the client tests. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** Kept for tests written against this name: test/helpers/temp-folders.ts makes temporary folders. */
export { tempFolderSync as tempDir } from '../helpers/temp-folders.js';

/** Deterministic pseudo-random content (fast, no crypto). */
export function patternBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (; i < size; i++) out[i] = i & 0xff;
  return out;
}

export function writePattern(file: string, size: number, seed = 1): Buffer {
  const data = patternBytes(size, seed);
  fs.writeFileSync(file, data);
  return data;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
