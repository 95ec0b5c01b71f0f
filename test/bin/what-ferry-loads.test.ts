/**
 * What the built `ferry` loads on each of its paths: the UI runs from the
 * bundle `npm run build` makes (dist/tui-bundle/, see src/tui/load.ts) and
 * nothing under node_modules; the scriptable commands never load the UI,
 * Ink or React; without the bundle the UI path stops with one line saying to
 * build; the commands run from their own bundle (dist/cli-bundle/). Imports
 * are watched with test/helpers/module-guard.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/server/log.js';
import { startServer } from '../../src/server/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { Keys, spawnInTerminal } from '../helpers/terminal.js';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ferryBin = path.join(dist, 'src/bin/ferry.js');
const moduleGuard = path.join(dist, 'test/helpers/module-guard.js');

const tempFolder = tempFolderMaker();

interface Run {
  code: number;
  stderr: string;
}

/** Runs `node [--import module-guard] [--import preload] script args` without a terminal (stdin is an ended pipe). */
function run(script: string, args: string[], options: { forbidden?: string; env?: NodeJS.ProcessEnv; preload?: string } = {}): Promise<Run> {
  const { forbidden } = options;
  const guard = [...(forbidden === undefined ? [] : ['--import', moduleGuard]), ...(options.preload ? ['--import', options.preload] : [])];
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...guard, script, ...args],
      { env: { ...process.env, FERRY_FORBIDDEN_MODULES: forbidden ?? '', ...options.env }, timeout: 60_000 },
      (error, _stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = await startServer({ root: await tempFolder('ferry-loads-probe-'), host: '127.0.0.1', logger: silentLogger, port: 0 });
  const { port } = probe;
  await probe.close(0);
  return port;
}

void test('at a terminal the UI runs from its bundle alone: nothing under node_modules loads, up to a connected listing', { timeout: 60_000 }, async () => {
  const remoteRoot = await tempFolder('ferry-loads-remote-');
  const localRoot = await tempFolder('ferry-loads-local-');
  await fs.writeFile(path.join(remoteRoot, 'listed-remotely.txt'), 'x');
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  // The client library loads after the first frame, from the bundle's chunks: the listing needs it.
  const term = spawnInTerminal(process.execPath, ['--import', moduleGuard, ferryBin, `ferry://127.0.0.1:${server.port}/`], {
    cwd: localRoot,
    env: { FERRY_FORBIDDEN_MODULES: '/node_modules/' },
  });
  try {
    await term.waitForText('listed-remotely.txt');
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
    assert.doesNotMatch(term.output(), /module guard/);
  } finally {
    term.close();
    await server.close(0);
  }
});

void test('the scriptable commands load neither the UI nor Ink or React', { timeout: 60_000 }, async () => {
  const url = `ferry://127.0.0.1:${await closedPort()}/`;
  const uiModules = String.raw`/node_modules/(ink|react|react-reconciler|yoga-layout)/|/tui-bundle/|/src/tui/`;
  const ls = await run(ferryBin, ['ls', url], { forbidden: uiModules });
  assert.equal(ls.code, 1, ls.stderr);
  assert.match(ls.stderr, /^ferry: CONNECTION_\w+: /, 'the command ran as far as connecting');
  assert.doesNotMatch(ls.stderr, /module guard/);

  // The guard does stop what it is given: here the UI path, at the bundle.
  const ui = await run(ferryBin, [url], { forbidden: '/tui-bundle/' });
  assert.notEqual(ui.code, 0);
  assert.match(ui.stderr, /module guard: forbidden module .*\/tui-bundle\/app\.js/);
});

void test("Ink's React DevTools switch is off in the shipped UI: DEV=true changes nothing (src/tui/load.ts)", async () => {
  // Without a terminal the UI says it needs one: the bundle loaded and ran.
  const result = await run(ferryBin, [], { env: { DEV: 'true' } });
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stderr, 'ferry: the interactive UI needs a terminal; for scripts use `ferry ls|get|put|rm|mkdir|mv URL`\n');
});

void test('without the UI bundle, ferry says to build it in one line and exits 1', async () => {
  // The entry point and the loader, alone: src/tui/load.js looks for ../../tui-bundle/, which is not there.
  const copy = await tempFolder('ferry-loads-unbuilt-');
  await fs.mkdir(path.join(copy, 'src/bin'), { recursive: true });
  await fs.mkdir(path.join(copy, 'src/tui'), { recursive: true });
  await fs.writeFile(path.join(copy, 'package.json'), '{ "type": "module" }\n');
  await fs.copyFile(ferryBin, path.join(copy, 'src/bin/ferry.js'));
  await fs.copyFile(path.join(dist, 'src/tui/load.js'), path.join(copy, 'src/tui/load.js'));

  const result = await run(path.join(copy, 'src/bin/ferry.js'), []);
  assert.equal(result.code, 1);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^ferry: the terminal UI is not built \(.*tui-bundle\/app\.js or a part of it is missing\): run `npm run build`$/);
});

void test('the scriptable commands run from their bundle: no separate client, protocol or node_modules file loads', { timeout: 60_000 }, async () => {
  const url = `ferry://127.0.0.1:${await closedPort()}/`;
  const separateModules = String.raw`/node_modules/|/dist/src/(client|protocol|connection|cli/ferry-commands)`;
  const ls = await run(ferryBin, ['ls', url], { forbidden: separateModules });
  assert.equal(ls.code, 1, ls.stderr);
  assert.match(ls.stderr, /^ferry: CONNECTION_\w+: /, 'the command ran as far as connecting');
  assert.doesNotMatch(ls.stderr, /module guard/);
  const version = await run(ferryBin, ['--version'], { forbidden: separateModules });
  assert.equal(version.code, 0, version.stderr);
});

void test('without the commands bundle, ferry says to build it in one line and exits 1', async () => {
  const copy = await tempFolder('ferry-loads-unbuilt-cli-');
  await fs.mkdir(path.join(copy, 'src/bin'), { recursive: true });
  await fs.mkdir(path.join(copy, 'src/cli'), { recursive: true });
  await fs.writeFile(path.join(copy, 'package.json'), '{ "type": "module" }\n');
  await fs.copyFile(ferryBin, path.join(copy, 'src/bin/ferry.js'));
  await fs.copyFile(path.join(dist, 'src/cli/load-commands.js'), path.join(copy, 'src/cli/load-commands.js'));

  // `--version` and `--help` alone are answered before the bundle (the next test); a command needs it.
  const result = await run(path.join(copy, 'src/bin/ferry.js'), ['ls', 'ferry://127.0.0.1:1/']);
  assert.equal(result.code, 1);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /^ferry: the commands are not built \(.*cli-bundle\/ferry-commands\.js is missing\): run `npm run build`$/);
});

void test('the remote kinds load only for their schemes: ssh2 and basic-ftp neither for --version nor for a ferry:// ls', { timeout: 60_000 }, async () => {
  // The commands' bundle is split at openRemote's lazy imports (scripts/bundle-tui.ts): a chunk per kind.
  const chunks = await fs.readdir(path.join(dist, 'cli-bundle', 'chunks'));
  assert.ok(chunks.some((name) => /^open-ferry-\w+\.js$/.test(name)), chunks.join(', '));
  const otherKinds = String.raw`/node_modules/(ssh2|basic-ftp|ssh-config|cpu-features)/|/cli-bundle/chunks/open-(sftp|ftp)-`;

  const version = await run(ferryBin, ['--version'], { forbidden: `${otherKinds}|/cli-bundle/chunks/open-ferry-` });
  assert.equal(version.code, 0, version.stderr);

  const root = await tempFolder('ferry-loads-kinds-');
  await fs.writeFile(path.join(root, 'x.txt'), 'x');
  const server = await startServer({ root, host: '127.0.0.1', logger: silentLogger, port: 0 });
  try {
    const home = await tempFolder('ferry-loads-home-');
    const ls = await run(ferryBin, ['ls', `ferry://127.0.0.1:${server.port}/`], { forbidden: otherKinds, env: { HOME: home, XDG_CONFIG_HOME: '' } });
    assert.equal(ls.code, 0, ls.stderr);
    assert.doesNotMatch(ls.stderr, /module guard/);
  } finally {
    await server.close(0);
  }
});

/** Node's own modules a run loaded (process.moduleLoadList at exit), printed by a preload. */
const reportBuiltins = 'data:text/javascript,' + encodeURIComponent(
  "process.on('exit', () => process.stderr.write('builtins: ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ') + '\\n'));",
);

void test('--version and --help alone load no bundle and no parser: only the entry point and two small modules', async () => {
  const bundles = String.raw`/cli-bundle/|/tui-bundle/|/node_modules/|/dist/src/(client|protocol|connection|remote)/|/cli/(command-line|load-commands|ferry-commands)\.js`;
  // (net loads anyway: stdout is a pipe here.)
  for (const args of [['--version'], ['--help'], ['-h']]) {
    const guarded = await run(ferryBin, args, { forbidden: bundles });
    assert.equal(guarded.code, 0, guarded.stderr);
    assert.doesNotMatch(guarded.stderr, /module guard/);
    // Without the guard, whose loader hooks load modules of their own, and without the suite's own preload
    // (fail-on-unhandled.ts, passed on through NODE_OPTIONS under npm test), which imports os and fs itself.
    const result = await run(ferryBin, args, { preload: reportBuiltins, env: { NODE_OPTIONS: '' } });
    assert.equal(result.code, 0, result.stderr);
    const loaded = (/^builtins: (.*)$/m.exec(result.stderr)?.[1] ?? '').split(' ');
    assert.ok(loaded.includes('fs'), `the report lists what loaded: ${result.stderr}`);
    for (const unneeded of ['crypto', 'fs/promises', 'os', 'internal/util/parse_args/parse_args']) {
      assert.ok(!loaded.includes(unneeded), `ferry ${args[0]} loaded ${unneeded}`);
    }
  }
  // What they print is what the commands print when asked the same in a longer command line.
  const version = await runOutput(ferryBin, ['--version']);
  assert.match(version, /^\d+\.\d+\.\d+\n$/);
  assert.equal(await runOutput(ferryBin, ['ls', '--version']), version);
  const help = await runOutput(ferryBin, ['--help']);
  assert.match(help, /\$ ferry ls URL/);
  assert.equal(await runOutput(ferryBin, ['ls', '--help']), help);
});

/** The stdout of `node script args`, which must exit 0. */
function runOutput(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, ...args], { timeout: 60_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

void test('a plain loopback listing and --version load neither TLS, worker threads nor readline (they load on first use)', { timeout: 60_000 }, async () => {
  const root = await tempFolder('ferry-loads-builtins-');
  await fs.writeFile(path.join(root, 'listed.txt'), 'x');
  const server = await startServer({ root, host: '127.0.0.1', logger: silentLogger, port: 0 });
  try {
    for (const args of [['ls', `ferry://127.0.0.1:${server.port}/`], ['--version']]) {
      const result = await run(ferryBin, args, { preload: reportBuiltins });
      assert.equal(result.code, 0, result.stderr);
      const loaded = (/^builtins: (.*)$/m.exec(result.stderr)?.[1] ?? '').split(' ');
      assert.ok(loaded.includes('fs'), `the report lists what loaded: ${result.stderr}`);
      for (const lazy of ['tls', '_tls_wrap', 'worker_threads', 'readline/promises']) {
        assert.ok(!loaded.includes(lazy), `ferry ${args[0]} loaded ${lazy}`);
      }
    }
  } finally {
    await server.close(0);
  }
});
