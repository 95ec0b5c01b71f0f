/**
 * The `version` and `description` of the package, read from its package.json
 * when asked. Its own module, with nothing but node:fs, so that `ferry
 * --version` answers before the commands load (src/bin/ferry.ts).
 */
import { readFileSync } from 'node:fs';

/** The `version` and `description` of the nearest package.json above `moduleUrl`. */
export function packageInfo(moduleUrl: string): { version?: string; description?: string } {
  for (let folder = new URL('./', moduleUrl); ; folder = new URL('../', folder)) {
    try {
      return JSON.parse(readFileSync(new URL('package.json', folder), 'utf8')) as { version?: string; description?: string };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      if (folder.pathname === '/') return {};
    }
  }
}
