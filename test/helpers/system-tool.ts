/**
 * Third-party programs that integration tests run for real (HAProxy, ...).
 * Without one, its tests are skipped with a line saying how to install it; under
 * CI=true they fail instead, so a CI run can never pass by skipping them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const INSTALL_HINT = 'sudo bash scripts/install-system-packages.sh';

/** The program's path on PATH (or in /usr/sbin, where Debian puts daemons), or undefined. */
export function findSystemTool(name: string): string | undefined {
  for (const candidate of [name, `/usr/sbin/${name}`]) {
    try {
      return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', candidate], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // Not there; try the next place.
    }
  }
  return undefined;
}

/**
 * The `skip` option for tests that need `name`: false when it is installed, a
 * reason to skip when it is not. Throws under CI=true when it is missing.
 */
export function skipUnlessInstalled(name: string): false | string {
  if (findSystemTool(name) !== undefined) return false;
  const reason = `needs ${name} (Debian package; install with: ${INSTALL_HINT})`;
  if (process.env.CI === 'true') throw new Error(`CI must run these tests: ${reason}`);
  return reason;
}

/**
 * skipUnlessInstalled for a program the install script puts outside PATH
 * (ProFTPD, unpacked into a folder of its own): false when `file` is there.
 */
export function skipUnlessPresent(name: string, file: string): false | string {
  if (existsSync(file)) return false;
  const reason = `needs ${name} at ${file} (install with: ${INSTALL_HINT})`;
  if (process.env.CI === 'true') throw new Error(`CI must run these tests: ${reason}`);
  return reason;
}
