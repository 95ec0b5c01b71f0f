/**
 * The package as a user gets it: `npm pack` of the built tree, then
 * `npm install -g` of that tarball into a temporary prefix, which installs
 * the runtime dependencies only. The installed `ferry` and `ferryd` run, the
 * bundled UI opens its demo (server code included) with nothing but the
 * package, and another program imports `ferry/client` by name, type-checked
 * against the shipped declarations.
 *
 * Needs the build (`npm test` makes it) and the npm registry or a warm npm
 * cache (`--prefer-offline`) for the three runtime dependencies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { Keys, spawnInTerminal } from '../helpers/terminal.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tempFolder = tempFolderMaker();

/** What the UI and the build need, none of which may be installed for a user. */
const BUILD_ONLY = ['ink', 'ink-spinner', 'react', 'string-width', 'esbuild', 'typescript', 'node-pty', 'eslint', '@types/node'];

/**
 * The environment of a child: npm's own variables (npm_config_*, set when the
 * tests run under `npm test`) would steer the npm the test starts; the
 * running node comes first on PATH, for the bins' `#!/usr/bin/env node`.
 */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`, ...extra };
}

interface Run { code: number; stdout: string; stderr: string }

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: options.cwd ?? repo, env: options.env ?? childEnv(), timeout: 120_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    child.stdin?.end();
  });
}

async function runOk(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await run(command, args, options);
  assert.equal(result.code, 0, `${command} ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

interface PackedFile { path: string; size: number }

void test('npm pack ships the built src/, the UI and commands bundles, docs, LICENSE and CHANGELOG, nothing of tests, bench, fuzz or source maps; an install runs', { timeout: 240_000 }, async () => {
  const work = await tempFolder('ferry-package-');
  // --ignore-scripts: prepack would rebuild dist/, which the running tests load from; `npm test` has just built it.
  const packJson = await runOk('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work]);
  const [packed] = JSON.parse(packJson) as [{ filename: string; entryCount: number; files: PackedFile[] }];
  const names = packed.files.map((file) => file.path);
  for (const needed of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'dist/src/bin/ferry.js', 'dist/src/bin/ferryd.js',
    'dist/src/client/index.js', 'dist/src/client/index.d.ts', 'dist/tui-bundle/app.js', 'dist/cli-bundle/ferry-commands.js']) {
    assert.ok(names.includes(needed), `${needed} is in the package`);
  }
  const outside = names.filter((name) => !/^(dist\/src\/|dist\/tui-bundle\/|dist\/cli-bundle\/|docs\/[A-Z]+\.md$|(LICENSE|CHANGELOG\.md|README\.md|package\.json)$)/.test(name));
  assert.deepEqual(outside, [], 'nothing beyond the built sources, the UI bundle and the documents');
  assert.deepEqual(names.filter((name) => name.endsWith('.map')), [], 'no source maps (their sources are not shipped)');
  assert.deepEqual(names.filter((name) => name.startsWith('dist/src/tui/') && name !== 'dist/src/tui/load.js' && name !== 'dist/src/tui/load.d.ts'), [],
    'the UI ships as its bundle; of src/tui only the loader');

  // A global install of the tarball, as a user would: runtime dependencies only.
  const prefix = path.join(work, 'prefix');
  await runOk('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier',
    path.join(work, packed.filename)], { cwd: work });
  const installed = path.join(prefix, 'lib/node_modules/ferry');
  const dependencies = await fs.readdir(path.join(installed, 'node_modules')).catch(() => [] as string[]);
  const scoped = (await Promise.all(dependencies.filter((name) => name.startsWith('@')).map(async (scope) =>
    (await fs.readdir(path.join(installed, 'node_modules', scope))).map((name) => `${scope}/${name}`)))).flat();
  const present = [...dependencies, ...scoped];
  assert.deepEqual(BUILD_ONLY.filter((name) => present.includes(name)), [], `no build-time package installed (installed: ${present.join(', ')})`);
  for (const needed of ['meow', '@peculiar/x509', 'reflect-metadata']) assert.ok(present.includes(needed), `${needed} installed`);

  const bin = path.join(prefix, 'bin');
  const version = (JSON.parse(await fs.readFile(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version;
  assert.equal((await runOk(path.join(bin, 'ferry'), ['--version'])).trim(), version);
  assert.match(await runOk(path.join(bin, 'ferryd'), ['--help']), /\$ ferryd --root DIR/);

  // The installed ferryd, with its own config folder (it makes a TLS certificate there: @peculiar/x509 at work).
  const root = path.join(work, 'served');
  await fs.mkdir(path.join(root, 'inbox'), { recursive: true });
  await fs.writeFile(path.join(root, 'hello.txt'), 'hello from the package\n');
  const ferryd = spawn(path.join(bin, 'ferryd'), ['--root', root, '--port', '0', '--config-dir', path.join(work, 'ferryd-config'), '--log-level', 'warn'],
    { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let serverOutput = '';
  ferryd.stderr.on('data', (chunk: Buffer) => { serverOutput += chunk.toString(); });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      ferryd.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /^ferryd listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
        if (match) resolve(Number(match[1]));
      });
      ferryd.once('exit', (code) => reject(new Error(`ferryd exited (${code}) before listening:\n${out}\n${serverOutput}`)));
    });
    const url = `ferry://127.0.0.1:${port}/`;
    const config = path.join(work, 'client-config');

    const listing = await runOk(path.join(bin, 'ferry'), ['ls', url], { env: childEnv({ XDG_CONFIG_HOME: config }) });
    assert.match(listing, /hello\.txt$/m);
    assert.match(listing, /inbox/);

    // Another program, beside the installed package, imports it by name and is type-checked against its declarations.
    const program = path.join(prefix, 'lib', 'list-with-ferry');
    await fs.mkdir(program);
    await fs.writeFile(path.join(program, 'package.json'), '{ "type": "module" }\n');
    await fs.writeFile(path.join(program, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false,
        typeRoots: [path.join(repo, 'node_modules/@types')], types: ['node'],
      },
      files: ['list.ts'],
    }));
    await fs.writeFile(path.join(program, 'list.ts'), [
      "import { ErrorCode, FerryClient, FerryError, connectOptionsFromUrl, parseFerryUrl, type Entry } from 'ferry/client';",
      'const url = parseFerryUrl(process.argv[2] ?? "");',
      'const client = await FerryClient.connect(connectOptionsFromUrl(url));',
      'try {',
      '  const entries: Entry[] = await client.list(url.path);',
      '  console.log(entries.map((entry) => entry.name).sort().join(","));',
      '  await client.stat("missing").catch((error: unknown) => {',
      '    if (!(error instanceof FerryError) || error.code !== ErrorCode.NOT_FOUND) throw error;',
      '    console.log("NOT_FOUND");',
      '  });',
      '} finally {',
      '  await client.quit();',
      '}',
      '',
    ].join('\n'));
    await runOk(process.execPath, [path.join(repo, 'node_modules/typescript/bin/tsc'), '-p', program]);
    const output = await runOk(process.execPath, [path.join(program, 'list.js'), url], { cwd: program });
    assert.equal(output, 'hello.txt,inbox\nNOT_FOUND\n');
  } finally {
    ferryd.kill('SIGTERM');
    if (ferryd.exitCode === null && ferryd.signalCode === null) await once(ferryd, 'exit');
  }

  // The bundled UI, demo server included, from the package alone.
  const term = spawnInTerminal(path.join(bin, 'ferry'), ['--demo'], { cwd: work, env: childEnv({ XDG_CONFIG_HOME: path.join(work, 'ui-config') }) });
  try {
    await term.waitForText('README.txt', 30_000);
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
  }
});
