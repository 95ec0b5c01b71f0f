/**
 * Where Ferry keeps its settings, and how it writes them: the users file,
 * ferryd's generated TLS certificate and the client's known_hosts all live in
 * one folder per user, `$XDG_CONFIG_HOME/ferry` or `~/.config/ferry`.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The config folder: `$XDG_CONFIG_HOME/ferry`, else `~/.config/ferry`. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says a relative value is invalid and must be ignored.
  if (xdg !== undefined && xdg !== '' && path.isAbsolute(xdg)) return path.join(xdg, 'ferry');
  return path.join(env.HOME && env.HOME !== '' ? env.HOME : os.homedir(), '.config', 'ferry');
}

/**
 * Writes `data` to `file` so that a reader (or a crash) only ever sees the old
 * content or the new, never a mix: a temporary file beside it is written with
 * `mode` from the start (the secret is never readable by others, not even for
 * a moment), flushed to disk, then renamed over the target. The folder is
 * created with mode 0700 when missing.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, mode: number): Promise<void> {
  const temp = await writeTemporaryBeside(file, data, mode);
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  await syncFolder(path.dirname(file));
}

/**
 * Like writeFileAtomic, but only when `file` does not exist yet: the finished
 * temporary file is hard-linked to `file`, which fails if another process
 * (another ferryd on a shared config folder, on this machine or over NFS,
 * where link is atomic too) got there first. Returns false then, and `file`
 * keeps the other process's content.
 */
export async function writeFileExclusive(file: string, data: string | Buffer, mode: number): Promise<boolean> {
  const temp = await writeTemporaryBeside(file, data, mode);
  try {
    await fs.link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
  await syncFolder(path.dirname(file));
  return true;
}

/**
 * Writes `data` to a fresh temporary file beside `file` (its folder made with
 * mode 0700 when missing), with `mode` from the start, flushed to disk, and
 * returns its path; on failure nothing is left behind.
 */
async function writeTemporaryBeside(file: string, data: string | Buffer, mode: number): Promise<string> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    // The umask may have removed bits from `mode` but never adds any; chmod makes it exact.
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/** Makes a rename durable; some file systems refuse to open a folder for this, which is harmless. */
async function syncFolder(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort only.
  } finally {
    await handle?.close();
  }
}

/** Reads a file, or returns undefined when it does not exist. */
export async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
