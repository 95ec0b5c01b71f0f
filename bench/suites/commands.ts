/**
 * The `ferry` commands as a user runs them: whole processes, start-up
 * included, interleaved run by run with their baselines.
 *
 * - `ferry --version` and `ferry ls` of a small folder against `node -e 0`
 *   (the floor of any Node program: what is left is loading Ferry's modules
 *   and, for ls, one session).
 * - `ferry get` / `ferry put` of the big file against socat, and
 *   `ferry get -r` / `ferry put -r` of the small-files tree against
 *   tar | socat (bench/wire-baseline.ts). Every transfer's hash is checked here.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { distPath, startFerryd } from '../processes.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import { flushDirtyPages, hashTree, median, now, removeQuietly, sameTree, sha256File, writeSmallTree } from '../util.js';
import { socatFile, socatMissing, tarSocat } from '../wire-baseline.js';
import { bigFileSetup } from './big-file.js';

/** The built `ferry` command, run as `node FERRY ARGS`. */
export const FERRY = distPath('../src/bin/ferry.js');
/** Start-up is short and noisy: many interleaved runs, the median reported. */
const STARTUP_RUNS = { full: 30, quick: 15, tiny: 3 } as const;

/** Milliseconds from spawning `node args` until it exited; rejects on a non-zero exit. */
export function timeNode(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = now();
    execFile(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 }, (error, _stdout, stderr) => {
      const elapsed = now() - started;
      if (error) reject(new Error(`node ${args.join(' ')}: ${error.message} ${stderr.slice(0, 500)}`));
      else resolve(elapsed);
    });
  });
}

/** The environment `ferry` runs in: the user's own configuration is never read, HOME is `home`. */
export function commandEnvironment(home: string): NodeJS.ProcessEnv {
  return { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
}

export const commandsSuite: Suite = {
  name: 'commands',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const serverRoot = path.join(context.workDir, 'commands-root');
    const small = path.join(serverRoot, 'small');
    await writeSmallTree(small, 10, 1024);
    const { smallFiles, smallFileSize } = context.sizes;
    const tree = path.join(serverRoot, 'tree');
    await writeSmallTree(tree, smallFiles, smallFileSize);
    const treeHashes = await hashTree(tree);
    const big = await bigFileSetup(context);
    // A hard link, not a symbolic one: ferryd serves no symbolic links.
    await fs.link(big.source, path.join(serverRoot, big.name)).catch(async () => fs.copyFile(big.source, path.join(serverRoot, big.name)));
    const outDir = path.join(context.workDir, 'commands-out');
    await fs.mkdir(outDir, { recursive: true });
    const env = commandEnvironment(outDir);
    const noSocat = socatMissing();
    const server = await startFerryd(serverRoot);
    const url = `ferry://${server.host}:${server.port}`;

    const nodeBare: number[] = [];
    const version: number[] = [];
    const ls: number[] = [];
    const samples = { get: [] as number[], put: [] as number[], socat: [] as number[],
      getTree: [] as number[], putTree: [] as number[], tar: [] as number[] };
    let fileMatched = true;
    let getTreeMatched = true;
    let putTreeMatched = true;
    try {
      const startupRuns = STARTUP_RUNS[context.mode];
      context.log(`start-up: ${startupRuns} interleaved runs each`);
      await timeNode([FERRY, '--version'], env);
      for (let run = 0; run < startupRuns; run += 1) {
        nodeBare.push(await timeNode(['-e', '0'], env));
        version.push(await timeNode([FERRY, '--version'], env));
        ls.push(await timeNode([FERRY, 'ls', `${url}/small`], env));
      }
      for (let run = 0; run < context.sizes.runs; run += 1) {
        context.log(`ferry get/put run ${run + 1}/${context.sizes.runs}`);
        const file = path.join(outDir, 'big.bin');
        if (!noSocat) {
          flushDirtyPages();
          samples.socat.push(await socatFile(big.source, file));
          await removeQuietly(file);
        }
        flushDirtyPages();
        samples.get.push(await timeNode([FERRY, 'get', '-f', `${url}/${big.name}`, file], env));
        if (await sha256File(file) !== big.hash) fileMatched = false;
        flushDirtyPages();
        samples.put.push(await timeNode([FERRY, 'put', '-f', file, `${url}/put-${run}.bin`], env));
        if (await sha256File(path.join(serverRoot, `put-${run}.bin`)) !== big.hash) fileMatched = false;
        await removeQuietly(file);
        await removeQuietly(path.join(serverRoot, `put-${run}.bin`));

        if (!noSocat) {
          const tarOut = path.join(outDir, `tar-${run}`);
          await fs.mkdir(tarOut);
          flushDirtyPages();
          samples.tar.push(await tarSocat(tree, tarOut));
        }
        const getOut = path.join(outDir, `get-${run}`);
        flushDirtyPages();
        samples.getTree.push(await timeNode([FERRY, 'get', '-r', `${url}/tree`, getOut], env));
        if (!sameTree(treeHashes, await hashTree(getOut))) getTreeMatched = false;
        flushDirtyPages();
        samples.putTree.push(await timeNode([FERRY, 'put', '-r', tree, `${url}/put-tree-${run}`], env));
        if (!sameTree(treeHashes, await hashTree(path.join(serverRoot, `put-tree-${run}`)))) putTreeMatched = false;
      }
    } finally {
      await server.stop();
    }
    const seconds = (values: number[]): number => median(values) / 1000;
    const rows: BenchRow[] = [
      makeRow({
        id: 'cli-version', suite: this.name, figure: '`ferry --version`, whole process', unit: 's',
        ferry: seconds(version), baseline: seconds(nodeBare), baselineLabel: 'node -e 0',
        target: { kind: 'ratio-max', value: 1.3 }, samples: { ferry: version, baseline: nodeBare },
      }),
      makeRow({
        id: 'cli-ls', suite: this.name, figure: '`ferry ls` of 10 files, whole process', unit: 's',
        ferry: seconds(ls), baseline: seconds(nodeBare), baselineLabel: 'node -e 0',
        target: { kind: 'ratio-max', value: 1.3 }, samples: { ferry: ls, baseline: nodeBare },
      }),
    ];
    const label = sizeLabel(context.sizes.bigFile);
    const treeLabel = `${smallFiles} × ${sizeLabel(smallFileSize)}`;
    for (const [id, figure, ferry, baseline, baselineLabel, value, matched] of [
      ['cli-get', `\`ferry get\` ${label}, whole process`, samples.get, samples.socat, 'socat → socat', 1.5, fileMatched],
      ['cli-put', `\`ferry put\` ${label}, whole process`, samples.put, samples.socat, 'socat → socat', 1.5, fileMatched],
      ['cli-get-r', `\`ferry get -r\` ${treeLabel}, whole process`, samples.getTree, samples.tar, 'tar | socat', 4, getTreeMatched],
      ['cli-put-r', `\`ferry put -r\` ${treeLabel}, whole process`, samples.putTree, samples.tar, 'tar | socat', 4, putTreeMatched],
    ] as const) {
      const base = { id, suite: this.name, figure, unit: 's', baselineLabel, target: { kind: 'ratio-max', value } as const };
      rows.push(noSocat ? { ...skippedRow(base, noSocat), ferry: seconds(ferry), hashesMatched: matched } : makeRow({
        ...base, ferry: seconds(ferry), baseline: seconds(baseline), hashesMatched: matched, samples: { ferry, baseline },
      }));
    }
    return rows;
  },
};
