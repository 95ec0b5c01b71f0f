/**
 * For sync tests: `ferry …` run in-process with its output captured, a ferryd
 * whose request log is kept (to see which requests a sync made and how many
 * content bytes moved), and trees written and read as { path: content }.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runFerry } from '../../src/cli/ferry-commands.js';
import type { Logger, LogFields } from '../../src/server/log.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function ferry(...args: string[]): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runFerry(args, { stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

export interface LoggedRequest {
  request: string;
  result: string;
  bytes?: number;
}

/** A ferryd whose request lines are kept in `requests`. */
export async function startLoggedServer(): Promise<TestServer & { requests: LoggedRequest[] }> {
  const requests: LoggedRequest[] = [];
  const logger: Logger = {
    error: () => undefined,
    warn: () => undefined,
    info: (message: string, fields?: LogFields) => {
      if (message === 'request' && fields) requests.push(fields as unknown as LoggedRequest);
    },
    debug: () => undefined,
    enabled: (level) => level !== 'debug',
    child: () => logger,
  };
  const server = await startTestServer({ logger });
  return Object.assign(server, { requests });
}

/** Requests that move file content (and the content bytes they moved). */
export function contentTransfers(requests: readonly LoggedRequest[]): { requests: string[]; bytes: number } {
  const moving = requests.filter((r) => /^(UPLD|DWLD|TPUT|TGET) /.test(r.request));
  return { requests: moving.map((r) => r.request), bytes: moving.reduce((sum, r) => sum + (r.bytes ?? 0), 0) };
}

/** A fixed mtime, so both sides can be given the same one. */
export const T0 = new Date('2024-03-01T12:00:00.000Z');

/** Writes `files` (path → content) below `top`, each with mtime T0 unless given. */
export function writeTree(top: string, files: Record<string, string | Buffer>, mtime: Date = T0): void {
  for (const [relative, content] of Object.entries(files)) {
    const full = path.join(top, ...relative.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
    fs.utimesSync(full, mtime, mtime);
  }
}

/** The regular files below `top` as path → content (utf8), symlinks and temporary files left out. */
export function readTree(top: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const child of fs.readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix === '' ? child.name : `${prefix}/${child.name}`;
      if (child.isDirectory()) walk(path.join(dir, child.name), relative);
      else if (child.isFile() && !child.name.endsWith('.ferry-part')) out[relative] = fs.readFileSync(path.join(dir, child.name), 'utf8');
    }
  };
  if (fs.existsSync(top)) walk(top, '');
  return out;
}

export function mtimeOf(file: string): number {
  return Math.floor(fs.statSync(file).mtimeMs);
}
