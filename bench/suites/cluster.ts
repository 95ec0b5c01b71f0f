/**
 * Several instances behind HAProxy (docs/DEPLOY.md): the same clients, each
 * uploading a file and downloading another, once through HAProxy to three
 * ferryd on one shared root and once direct to a single ferryd. Reported as
 * a ratio only: on one machine the three instances share its cores, so the
 * figure shows what the balancer and the extra processes cost or gain here,
 * not what three machines would give.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { connectPlain, quitQuietly } from '../ferry.js';
import { startFerryd, type FerrydProcess } from '../processes.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import { loadOrCreateCertificate } from '../../src/security/certificate.js';
import { findSystemTool } from '../../test/helpers/system-tool.js';
import { startDeployHaproxy } from '../../test/helpers/haproxy.js';
import { flushDirtyPages, median, now, removeQuietly, sha256File, warmFile, writeRandomFile } from '../util.js';

const MB = 1e6;
const INSTANCES = 3;
/** The figure: 50 clients (fewer in the tiny mode). */
const MAX_CLIENTS = 50;

interface Round {
  mbps: number;
  matched: boolean;
  failures: string[];
}

export const clusterSuite: Suite = {
  name: 'cluster',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const clients = Math.min(MAX_CLIENTS, context.sizes.clients);
    const size = context.sizes.clientFile;
    const base = {
      id: 'cluster-throughput', suite: this.name, unit: 'MB/s',
      figure: `${clients} clients × ${sizeLabel(size)} up + down: 3 ferryd behind HAProxy`,
      baselineLabel: 'the same clients, one ferryd direct',
      target: { kind: 'none', note: 'ratio only: the instances share one machine' } as const,
    };
    if (!findSystemTool('haproxy')) return [skippedRow(base, 'haproxy is not installed (apt-get install haproxy)')];

    const runs = Math.min(context.sizes.runs, 3);
    const root = path.join(context.workDir, 'cluster-root');
    const outDir = path.join(context.workDir, 'cluster-out');
    const sourceDir = path.join(context.workDir, 'cluster-sources');
    await Promise.all([root, outDir, sourceDir].map((dir) => fs.mkdir(dir, { recursive: true })));
    context.log(`writing ${clients} × 2 × ${sizeLabel(size)} files`);
    const downloads: Array<{ name: string; hash: string }> = [];
    const uploads: Array<{ file: string; hash: string }> = [];
    for (let index = 0; index < clients; index += 1) {
      const name = `d${String(index).padStart(3, '0')}.bin`;
      await writeRandomFile(path.join(root, name), size);
      await warmFile(path.join(root, name));
      downloads.push({ name, hash: await sha256File(path.join(root, name)) });
      const file = path.join(sourceDir, `u${index}.bin`);
      await writeRandomFile(file, size);
      uploads.push({ file, hash: await sha256File(file) });
    }

    /** Every client at once: its upload, then its download, each on its own session. */
    const round = async (port: number, label: string): Promise<Round> => {
      const sessions = await Promise.all(downloads.map(() => connectPlain('127.0.0.1', port)));
      flushDirtyPages();
      const started = now();
      const results = await Promise.allSettled(sessions.map(async (client, index) => {
        await client.upload(uploads[index]!.file, `${label}-u${index}.bin`, { overwrite: true });
        await client.download(downloads[index]!.name, path.join(outDir, `${label}-${index}.bin`), { overwrite: true });
      }));
      const elapsed = now() - started;
      await Promise.all(sessions.map(quitQuietly));
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
      let matched = failures.length === 0;
      for (let index = 0; index < clients; index += 1) {
        const downloaded = path.join(outDir, `${label}-${index}.bin`);
        const uploaded = path.join(root, `${label}-u${index}.bin`);
        if (matched && (await sha256File(downloaded) !== downloads[index]!.hash || await sha256File(uploaded) !== uploads[index]!.hash)) {
          matched = false;
        }
        await removeQuietly(downloaded);
        await removeQuietly(uploaded);
      }
      const moved = (clients - failures.length) * 2 * size;
      return { mbps: moved / MB / (elapsed / 1000), matched, failures };
    };

    // One certificate for all (HAProxy's health check runs over TLS); the clients use plain TCP on loopback.
    const certificate = await loadOrCreateCertificate({ configDir: path.join(context.workDir, 'cluster-tls') });
    // Every client comes from 127.0.0.1 (directly or through HAProxy): lift the per-address limit.
    const flags = [
      '--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath,
      '--max-per-address', String(clients + 10), '--anonymous', '--log-level', 'warn',
    ];
    const instances: FerrydProcess[] = [];
    let haproxy: Awaited<ReturnType<typeof startDeployHaproxy>> | undefined;
    const direct: number[] = [];
    const balanced: number[] = [];
    let matched = true;
    let failures: string[] = [];
    try {
      for (let index = 0; index < INSTANCES; index += 1) instances.push(await startFerryd(root, flags));
      haproxy = await startDeployHaproxy(context.workDir, instances.map((instance) => instance.port));
      for (let run = 0; run < runs; run += 1) {
        context.log(`${clients} clients direct to one ferryd, run ${run + 1}/${runs}`);
        const alone = await round(instances[0]!.port, 'direct');
        context.log(`${clients} clients through HAProxy to ${INSTANCES} ferryd, run ${run + 1}/${runs}`);
        const spread = await round(haproxy.port, 'balanced');
        direct.push(alone.mbps);
        balanced.push(spread.mbps);
        matched &&= alone.matched && spread.matched;
        failures = [...failures, ...alone.failures, ...spread.failures];
      }
    } finally {
      await haproxy?.stop();
      await Promise.all(instances.map((instance) => instance.stop()));
    }
    return [makeRow({
      ...base,
      ferry: median(balanced), baseline: median(direct), hashesMatched: matched,
      ...(failures.length > 0 ? { reason: `${failures.length} transfers failed: ${failures[0]}` } : {}),
      samples: { ferry: balanced, baseline: direct },
      details: { clients, instances: INSTANCES },
    })];
  },
};
