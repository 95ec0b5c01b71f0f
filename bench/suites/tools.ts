/**
 * Ferry beside the tools people use today, in the same run, interleaved
 * round by round: the big file down and up, and the tree of small files down
 * and up, through
 *
 *   - `ferry get` / `ferry put` (-r for trees), whole processes as a user runs them;
 *   - OpenSSH: scp and sftp (OpenSSH's defaults) against a private sshd;
 *   - vsftpd: curl for one file, lftp `mirror --parallel=8` for trees;
 *
 * each against the C baseline of its shape (socat → socat for one file,
 * tar | socat → tar for a tree: bench/wire-baseline.ts). Every contender is a
 * whole process timed from spawn to exit, handshake included, and every
 * result is checked against the source's hashes by the bench itself. A
 * contender that is not installed (or cannot start here) gives a row saying
 * why; the others still run. Not run in tiny mode (the CI smoke test), so no
 * test depends on these tools.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import {
  curlDownload, curlUpload, lftpMirror, opensshMissing, scpCopy, sftpBatch, sshRemote, startSshd, startVsftpd,
  toolsMissing, vsftpdMissing, type PrivateSshd, type PrivateVsftpd,
} from '../external-tools.js';
import { startFerryd } from '../processes.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import {
  errorMessage, flushDirtyPages, hashTree, median, removeQuietly, sameTree, sha256File, writeSmallTree,
} from '../util.js';
import { socatFile, socatMissing, tarSocat } from '../wire-baseline.js';
import { bigFileSetup } from './big-file.js';
import { commandEnvironment, FERRY, timeNode } from './commands.js';

/** Small trees are cheap: more repetitions give a steadier median (as in small-files). */
const EXTRA_TREE_RUNS = 2;

/** One program in the comparison: runs one transfer (checking what arrived) and returns its milliseconds. */
interface Contender {
  /** Row id part and label, e.g. `scp`, "vsftpd + curl". */
  id: string;
  label: string;
  /** Why it cannot run here; set before the rounds, or by its first failure. */
  unusable?: string;
  /** Ferry's own rows: a wrong result fails the row instead of dropping it. */
  isFerry?: boolean;
  run(round: number): Promise<number>;
}

interface Shape {
  id: string;
  figure: string;
  baselineLabel: string;
  baseline: Contender;
  contenders: Contender[];
}

interface ShapeResult {
  baseline: number[];
  samples: Map<string, number[]>;
  /** Ferry results that did not match the source. */
  mismatched: Set<string>;
}

/** Runs every shape's contenders round by round (baseline first), so drift on a shared machine hits all alike. */
async function runRounds(context: BenchContext, shape: Shape, rounds: number): Promise<ShapeResult> {
  const result: ShapeResult = { baseline: [], samples: new Map(), mismatched: new Set() };
  for (const contender of shape.contenders) result.samples.set(contender.id, []);
  for (let round = 0; round < rounds; round += 1) {
    context.log(`${shape.figure}: round ${round + 1}/${rounds}`);
    if (!shape.baseline.unusable) {
      flushDirtyPages();
      try {
        result.baseline.push(await shape.baseline.run(round));
      } catch (error) {
        shape.baseline.unusable = errorMessage(error);
      }
    }
    for (const contender of shape.contenders) {
      if (contender.unusable) continue;
      flushDirtyPages();
      try {
        result.samples.get(contender.id)!.push(await contender.run(round));
      } catch (error) {
        if (contender.isFerry && error instanceof ContentMismatch) {
          result.mismatched.add(contender.id);
          continue;
        }
        contender.unusable = `${contender.label} failed: ${errorMessage(error)}`;
        context.log(contender.unusable);
      }
    }
  }
  return result;
}

class ContentMismatch extends Error {}

/** A path as one word of an sftp batch command (a `--dir` may hold spaces). */
function quoted(file: string): string {
  return `"${file.replace(/["\\]/g, '\\$&')}"`;
}

function rowsOf(suite: string, shape: Shape, result: ShapeResult): BenchRow[] {
  const seconds = (values: number[]): number => median(values) / 1000;
  const ferry = shape.contenders.find((contender) => contender.isFerry);
  const ferrySamples = ferry ? result.samples.get(ferry.id) ?? [] : [];
  return shape.contenders.map((contender) => {
    const samples = result.samples.get(contender.id) ?? [];
    const mine = !contender.isFerry && ferrySamples.length > 0 && samples.length > 0
      ? `; Ferry ${(median(ferrySamples) / median(samples)).toFixed(2)} × this` : '';
    const base = {
      id: `peer-${shape.id}-${contender.id}`, suite, figure: `${shape.figure}: ${contender.label}`, unit: 's',
      baselineLabel: shape.baselineLabel,
      target: { kind: 'none', note: contender.isFerry ? 'with the peers' : `reference${mine}` } as const,
    };
    if (contender.unusable && samples.length === 0) return skippedRow(base, contender.unusable);
    if (samples.length === 0) return skippedRow(base, 'no sample', 'error');
    const hashesMatched = contender.isFerry ? !result.mismatched.has(contender.id) : undefined;
    const baseline = result.baseline.length > 0 ? seconds(result.baseline) : null;
    return makeRow({
      ...base, ferry: seconds(samples), baseline, ...(hashesMatched === undefined ? {} : { hashesMatched }),
      samples: { ferry: samples, baseline: result.baseline },
      ...(contender.unusable ? { details: { stoppedEarly: contender.unusable } } : {}),
    });
  });
}

/** Starts a peer server, or says why not: its contenders then carry the reason. */
async function tryStart<T>(missing: string | undefined, start: () => Promise<T>): Promise<T | string> {
  if (missing) return missing;
  try {
    return await start();
  } catch (error) {
    return `cannot start here: ${errorMessage(error)}`;
  }
}

export const toolsSuite: Suite = {
  name: 'tools',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const label = sizeLabel(context.sizes.bigFile);
    const { smallFiles, smallFileSize } = context.sizes;
    const treeLabel = `${smallFiles} × ${sizeLabel(smallFileSize)}`;
    if (!context.sizes.externalTools) {
      const reason = 'external tools are not run in this mode';
      return [`${label} download`, `${label} upload`, `${treeLabel} tree download`, `${treeLabel} tree upload`]
        .map((figure, index) => skippedRow({
          id: `peers-${index}`, suite: this.name, figure: `${figure}: peers`, unit: 's', baselineLabel: '',
          target: { kind: 'none' },
        }, reason));
    }

    const big = await bigFileSetup(context);
    const root = big.serverRoot;
    const tree = path.join(root, 'peer-tree');
    context.log(`writing ${treeLabel} files for the peers`);
    await writeSmallTree(tree, smallFiles, smallFileSize);
    const treeHashes = await hashTree(tree);
    const outDir = path.join(context.workDir, 'peers-out');
    await fs.mkdir(outDir, { recursive: true });
    const env = commandEnvironment(path.join(context.workDir, 'peers-home'));
    const noSocat = socatMissing() || undefined;

    const server = await startFerryd(root);
    const sshd = await tryStart<PrivateSshd>(opensshMissing(), () => startSshd(context.workDir));
    const ftp = await tryStart<PrivateVsftpd>(vsftpdMissing(), () => startVsftpd(context.workDir, root, { writable: 'incoming' }));
    const url = `ferry://${server.host}:${server.port}`;
    /** Tree outputs stay until the end (small-files explains why), files go at once. */
    const treeOutputs: string[] = [];

    const checkFile = async (file: string, ferry: boolean): Promise<void> => {
      const matches = await sha256File(file) === big.hash;
      await removeQuietly(file);
      if (!matches) throw ferry ? new ContentMismatch('different content') : new Error('delivered a different file');
    };
    const checkTree = async (dir: string, ferry: boolean): Promise<void> => {
      treeOutputs.push(dir);
      if (!sameTree(treeHashes, await hashTree(dir))) {
        throw ferry ? new ContentMismatch('different tree') : new Error('delivered a different tree');
      }
    };
    /** A contender that needs a peer server, or carries the reason there is none. */
    const peer = <T>(id: string, labelText: string, server: T | string, tool: string | undefined,
      run: (server: T, round: number) => Promise<number>): Contender => ({
      id, label: labelText,
      ...(typeof server === 'string' ? { unusable: server } : tool ? { unusable: tool } : {}),
      run: (round) => run(server as T, round),
    });
    const timed = async (transfer: Promise<number>, check: () => Promise<void>): Promise<number> => {
      const ms = await transfer;
      await check();
      return ms;
    };

    const local = (name: string): string => path.join(outDir, name);
    const inRoot = (name: string): string => path.join(root, name);
    const shapes: Shape[] = [
      {
        id: 'download', figure: `${label} download`, baselineLabel: 'socat → socat',
        baseline: { id: 'socat', label: 'socat', ...(noSocat ? { unusable: noSocat } : {}),
          run: async () => timed(socatFile(big.source, local('socat.bin')), () => removeQuietly(local('socat.bin'))) },
        contenders: [
          { id: 'ferry', label: '`ferry get`', isFerry: true,
            run: () => timed(timeNode([FERRY, 'get', '-f', `${url}/${big.name}`, local('ferry.bin')], env), () => checkFile(local('ferry.bin'), true)) },
          peer('scp', 'scp', sshd, toolsMissing('scp'), (s) =>
            timed(scpCopy(s, sshRemote(s, big.source), local('scp.bin')), () => checkFile(local('scp.bin'), false))),
          peer('sftp', 'sftp', sshd, toolsMissing('sftp'), (s) =>
            timed(sftpBatch(s, [`get ${quoted(big.source)} ${quoted(local('sftp.bin'))}`]), () => checkFile(local('sftp.bin'), false))),
          peer('curl', 'vsftpd + curl', ftp, toolsMissing('curl'), (f) =>
            timed(curlDownload(f, big.name, local('curl.bin')), () => checkFile(local('curl.bin'), false))),
        ],
      },
      {
        id: 'upload', figure: `${label} upload`, baselineLabel: 'socat → socat',
        baseline: { id: 'socat', label: 'socat', ...(noSocat ? { unusable: noSocat } : {}),
          run: async () => timed(socatFile(big.source, inRoot('up-socat.bin')), () => removeQuietly(inRoot('up-socat.bin'))) },
        contenders: [
          { id: 'ferry', label: '`ferry put`', isFerry: true,
            run: () => timed(timeNode([FERRY, 'put', '-f', big.source, `${url}/up-ferry.bin`], env), () => checkFile(inRoot('up-ferry.bin'), true)) },
          peer('scp', 'scp', sshd, toolsMissing('scp'), (s) =>
            timed(scpCopy(s, big.source, sshRemote(s, inRoot('up-scp.bin'))), () => checkFile(inRoot('up-scp.bin'), false))),
          peer('sftp', 'sftp', sshd, toolsMissing('sftp'), (s) =>
            timed(sftpBatch(s, [`put ${quoted(big.source)} ${quoted(inRoot('up-sftp.bin'))}`]), () => checkFile(inRoot('up-sftp.bin'), false))),
          peer('curl', 'vsftpd + curl', ftp, toolsMissing('curl'), (f) =>
            timed(curlUpload(f, big.source, 'incoming/up-curl.bin'), () => checkFile(inRoot('incoming/up-curl.bin'), false))),
        ],
      },
      {
        id: 'tree-download', figure: `${treeLabel} tree download`, baselineLabel: 'tar | socat',
        baseline: { id: 'tar', label: 'tar | socat', ...(noSocat ? { unusable: noSocat } : {}),
          run: async (round) => {
            const target = local(`tar-${round}`);
            await fs.mkdir(target);
            treeOutputs.push(target);
            return tarSocat(tree, target);
          } },
        contenders: [
          { id: 'ferry', label: '`ferry get -r`', isFerry: true,
            run: (round) => timed(timeNode([FERRY, 'get', '-r', `${url}/peer-tree`, local(`ferry-${round}`)], env), () => checkTree(local(`ferry-${round}`), true)) },
          peer('scp', 'scp -r', sshd, toolsMissing('scp'), (s, round) =>
            timed(scpCopy(s, sshRemote(s, tree), local(`scp-${round}`), { recursive: true }), () => checkTree(local(`scp-${round}`), false))),
          peer('sftp', 'sftp get -r', sshd, toolsMissing('sftp'), (s, round) =>
            timed(sftpBatch(s, [`get -r ${quoted(tree)} ${quoted(local(`sftp-${round}`))}`]), () => checkTree(local(`sftp-${round}`), false))),
          peer('lftp', 'vsftpd + lftp mirror --parallel=8', ftp, toolsMissing('lftp'), (f, round) =>
            timed(lftpMirror(f, 'peer-tree', local(`lftp-${round}`), 'download'), () => checkTree(local(`lftp-${round}`), false))),
        ],
      },
      {
        id: 'tree-upload', figure: `${treeLabel} tree upload`, baselineLabel: 'tar | socat',
        baseline: { id: 'tar', label: 'tar | socat', ...(noSocat ? { unusable: noSocat } : {}),
          run: async (round) => {
            const target = inRoot(`up-tar-${round}`);
            await fs.mkdir(target);
            treeOutputs.push(target);
            return tarSocat(tree, target);
          } },
        contenders: [
          { id: 'ferry', label: '`ferry put -r`', isFerry: true,
            run: (round) => timed(timeNode([FERRY, 'put', '-r', tree, `${url}/up-ferry-${round}`], env), () => checkTree(inRoot(`up-ferry-${round}`), true)) },
          peer('scp', 'scp -r', sshd, toolsMissing('scp'), (s, round) =>
            timed(scpCopy(s, tree, sshRemote(s, inRoot(`up-scp-${round}`)), { recursive: true }), () => checkTree(inRoot(`up-scp-${round}`), false))),
          peer('sftp', 'sftp put -r', sshd, toolsMissing('sftp'), (s, round) =>
            timed(sftpBatch(s, [`put -r ${quoted(tree)} ${quoted(inRoot(`up-sftp-${round}`))}`]), () => checkTree(inRoot(`up-sftp-${round}`), false))),
          peer('lftp', 'vsftpd + lftp mirror -R --parallel=8', ftp, toolsMissing('lftp'), (f, round) =>
            timed(lftpMirror(f, `incoming/up-lftp-${round}`, tree, 'upload'), () => checkTree(inRoot(`incoming/up-lftp-${round}`), false))),
        ],
      },
    ];

    const rows: BenchRow[] = [];
    try {
      for (const shape of shapes) {
        const rounds = context.sizes.runs + (shape.id.startsWith('tree') ? EXTRA_TREE_RUNS : 0);
        rows.push(...rowsOf(this.name, shape, await runRounds(context, shape, rounds)));
      }
    } finally {
      await server.stop();
      if (typeof sshd !== 'string') await sshd.stop();
      if (typeof ftp !== 'string') await ftp.stop();
      for (const output of treeOutputs) await removeQuietly(output);
    }
    return rows;
  },
};
