/**
 * The big file downloaded over TLS, against Ferry's own plain TCP on the same
 * server process, and against scp of the same file when OpenSSH is here: all
 * three alternate round by round (scp is a whole process, handshake
 * included; the Ferry sessions are connected once, as the library is used).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { opensshMissing, scpCopy, sshRemote, startSshd, toolsMissing, type PrivateSshd } from '../external-tools.js';
import { connectPlain, connectTls, quitQuietly } from '../ferry.js';
import { startFerryd } from '../processes.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import { errorMessage, flushDirtyPages, median, now, removeQuietly, sha256File } from '../util.js';
import { bigFileSetup } from './big-file.js';
import { loadOrCreateCertificate } from '../../src/security/certificate.js';

/**
 * A throwaway certificate, made the way ferryd makes its own on first start
 * (src/security/certificate.ts), or why there is none.
 */
async function makeCertificate(dir: string): Promise<{ key: string; cert: string } | string> {
  try {
    const made = await loadOrCreateCertificate({ configDir: dir });
    return { key: made.keyPath, cert: made.certPath };
  } catch (error) {
    return `no certificate: ${errorMessage(error)}`;
  }
}

export const tlsSuite: Suite = {
  name: 'tls',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const label = sizeLabel(context.sizes.bigFile);
    const vsPlain = {
      id: 'tls-vs-plain', suite: this.name, figure: `${label} download, TLS`, unit: 's',
      baselineLabel: 'Ferry plain TCP', target: { kind: 'ratio-max', value: 1.15 } as const,
    };
    const vsScp = {
      id: 'tls-vs-scp', suite: this.name, figure: `${label} download, TLS vs scp`, unit: 's',
      baselineLabel: 'scp', target: { kind: 'ratio-max', value: 0.6 } as const,
    };
    const certificate = await makeCertificate(path.join(context.workDir, 'tls'));
    if (typeof certificate === 'string') return [skippedRow(vsPlain, certificate), skippedRow(vsScp, certificate)];

    const { serverRoot, name, source, hash } = await bigFileSetup(context);
    const outDir = path.join(context.workDir, 'tls-out');
    await fs.mkdir(outDir, { recursive: true });
    let server;
    try {
      // One process serves both: TLS by the first byte, plain TCP because the client is on loopback.
      server = await startFerryd(serverRoot, ['--tls-cert', certificate.cert, '--tls-key', certificate.key]);
    } catch (error) {
      const reason = `no TLS server: ${errorMessage(error)}`;
      return [skippedRow(vsPlain, reason), skippedRow(vsScp, reason)];
    }
    const plainTimes: number[] = [];
    const tlsTimes: number[] = [];
    const scpTimes: number[] = [];
    let matched = true;
    const sshd: PrivateSshd | string = !context.sizes.externalTools ? 'external tools are not run in this mode'
      : opensshMissing() ?? toolsMissing('scp') ?? await startSshd(context.workDir).catch((error: unknown) =>
        `OpenSSH unusable here: ${errorMessage(error)}`);
    let scpProblem = typeof sshd === 'string' ? sshd : undefined;
    try {
      let tlsClient;
      try {
        tlsClient = await connectTls(server.host, server.port);
      } catch (error) {
        const reason = `TLS session failed: ${errorMessage(error)}`;
        return [skippedRow(vsPlain, reason), skippedRow(vsScp, reason)];
      }
      if (!tlsClient.info.tls) {
        await quitQuietly(tlsClient);
        const reason = 'the session did not run over TLS';
        return [skippedRow(vsPlain, reason), skippedRow(vsScp, reason)];
      }
      const plainClient = await connectPlain(server.host, server.port);
      try {
        for (let run = 0; run < context.sizes.runs; run += 1) {
          context.log(`TLS ${label} run ${run + 1}/${context.sizes.runs}`);
          for (const [client, times] of [[plainClient, plainTimes], [tlsClient, tlsTimes]] as const) {
            const target = path.join(outDir, 'down.bin');
            flushDirtyPages();
            const started = now();
            await client.download(name, target, { overwrite: true });
            times.push(now() - started);
            if (await sha256File(target) !== hash) matched = false;
            await removeQuietly(target);
          }
          if (typeof sshd !== 'string' && !scpProblem) {
            const target = path.join(outDir, 'scp.bin');
            flushDirtyPages();
            try {
              scpTimes.push(await scpCopy(sshd, sshRemote(sshd, source), target));
              if (await sha256File(target) !== hash) throw new Error('scp delivered a different file');
            } catch (error) {
              scpProblem = `scp failed: ${errorMessage(error)}`;
            }
            await removeQuietly(target);
          }
        }
      } finally {
        await quitQuietly(plainClient);
        await quitQuietly(tlsClient);
      }
    } finally {
      await server.stop();
      if (typeof sshd !== 'string') await sshd.stop();
    }
    const seconds = (values: number[]): number => median(values) / 1000;
    const rows = [makeRow({
      ...vsPlain, ferry: seconds(tlsTimes), baseline: seconds(plainTimes), hashesMatched: matched,
      samples: { ferry: tlsTimes, baseline: plainTimes },
    })];
    rows.push(scpTimes.length === 0 ? skippedRow(vsScp, scpProblem ?? 'no scp sample') : makeRow({
      ...vsScp, ferry: seconds(tlsTimes), baseline: seconds(scpTimes), hashesMatched: matched,
      samples: { ferry: tlsTimes, baseline: scpTimes },
    }));
    return rows;
  },
};
