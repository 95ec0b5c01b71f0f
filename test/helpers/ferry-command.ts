/**
 * The built `ferry` binary run as a user runs it, without a terminal (stdin an
 * ended pipe): exit code, stdout and stderr, without blocking this process
 * (a server under test may run in it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FERRY_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');

export interface FerryRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ferry args` with `env` over this process's environment. */
export function runFerryBinary(args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<FerryRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [FERRY_BIN, ...args], { env: { ...process.env, ...env }, cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** A failure prints exactly one line, `ferry: CODE: ...`, and never a stack trace. */
export function assertOneLineError(run: FerryRun, codeName: string): void {
  assert.notEqual(run.code, 0);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr: ${JSON.stringify(run.stderr)}`);
  assert.match(lines[0]!, new RegExp(`^ferry: ${codeName}: `));
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}
