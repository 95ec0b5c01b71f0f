/**
 * Preloaded into every test file's process (`node --test --import`, see the
 * test script in package.json): an unhandled rejection or an uncaught
 * exception in a test file's process, or in any node process it starts (a
 * ferryd, a `ferry` in a pseudo-terminal), fails that test file, and with it
 * `npm test`, even when the test that caused it has passed or the process it
 * happened in was expected to exit anyway.
 *
 * The test file's process counts its own events. Node processes it starts
 * inherit this module through NODE_OPTIONS; there it only observes
 * (`uncaughtExceptionMonitor`, so the process still ends as it would have)
 * and appends the event to a log file that the test file's process reads as
 * it exits.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** 'runner' in `node --test` itself, 'file' in a test file's process (and so in what it starts). */
const ROLE = 'FERRY_TEST_GUARD_ROLE';
const LOG = 'FERRY_TEST_GUARD_LOG';

function describe(kind: string, error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `${kind} in ${process.argv[1] ?? 'node'} (pid ${process.pid}): ${text}\n`;
}

const role = process.env[ROLE];
const log = process.env[LOG];
// node --test starts each test file with NODE_TEST_CONTEXT set; what a test starts inherits it too.
const isTestFile = role === 'runner' && process.env.NODE_TEST_CONTEXT !== undefined;
if (role !== undefined && !isTestFile && log) {
  // A process a test started: record, and otherwise change nothing.
  process.on('uncaughtExceptionMonitor', (error, origin) => {
    try {
      appendFileSync(log, describe(origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception', error));
    } catch {
      // The test file's process is gone; nobody is left to tell.
    }
  });
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ferry-test-guard-'));
  const logFile = path.join(dir, 'events.log');
  process.env[ROLE] = process.env.NODE_TEST_CONTEXT !== undefined ? 'file' : 'runner';
  process.env[LOG] = logFile;
  // A file: URL is percent-encoded, so NODE_OPTIONS needs no quoting whatever the checkout's path.
  const self = `--import=${import.meta.url}`;
  if (!(process.env.NODE_OPTIONS ?? '').includes(self)) {
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${self}`.trim();
  }
  let failures = 0;
  const fail = (kind: string, error: unknown): void => {
    failures++;
    process.exitCode = 1;
    process.stderr.write(`\n${describe(kind, error)}`);
  };
  process.on('unhandledRejection', (reason) => fail('unhandled rejection', reason));
  process.on('uncaughtException', (error) => fail('uncaught exception', error));
  process.on('exit', () => {
    let children = '';
    try {
      children = readFileSync(logFile, 'utf8');
    } catch {
      // No child reported anything.
    }
    rmSync(dir, { recursive: true, force: true });
    if (children) {
      failures++;
      process.stderr.write(`\nin a process started by ${process.argv[1] ?? 'this test file'}:\n${children}`);
    }
    // Whatever exit code the test runner chose, a failure here is kept.
    if (failures > 0) process.exitCode = 1;
  });
}
