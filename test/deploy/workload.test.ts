/**
 * Fifty clients at once through HAProxy to three ferryd processes on one
 * shared root: uploads, downloads, renames, uploads cut off and resumed
 * (through whichever instance the balancer picks next), and uploads racing
 * for one shared name. Bounded in operations and in time; then every file
 * is checked against its source by hash, and nothing else may be left in
 * the root: no temporary file, no stray name.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryClient } from '../../src/client/client.js';
import { ErrorCode, errorCodeName, isFerryError } from '../../src/protocol/errors.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { filesBelow, startCluster, type Cluster } from './cluster.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';

/** Skipped with a message without HAProxy; under CI=true, failing instead. */
const haproxyMissing = skipUnlessInstalled('haproxy');

const CLIENTS = 50;
const OPERATIONS_PER_CLIENT = 8;
/** No client starts an operation after this; those running finish. */
const WORKLOAD_MS = 90_000;
const SHARED_NAME = 'shared/hot.bin';

const tempFolder = tempFolderMaker();
let cluster: Cluster;
let dir: string;

before(async () => {
  if (haproxyMissing) return;
  dir = await tempFolder('ferry-workload-');
  cluster = await startCluster(dir, 3, ['--anonymous']);
});

after(async () => {
  // Undefined when HAProxy is missing or the start failed.
  await (cluster as Cluster | undefined)?.stop();
});

const hashOf = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A small seeded generator for each client's choice of operations, so runs differ only in timing. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

interface Outcome {
  /** Remote path → content hash, for every file this client owns at the end. */
  files: Map<string, string>;
  /** Hashes of this client's uploads to SHARED_NAME that were answered DONE. */
  sharedWins: string[];
  operations: number;
  resumed: number;
  problems: string[];
}

async function connect(): Promise<FerryClient> {
  return FerryClient.connect({ host: '127.0.0.1', port: cluster.haproxy.port, tls: 'off', timeoutMs: 30_000 });
}

/** One operation on a fresh connection, so that round robin spreads each client's work over the instances. */
async function withClient<T>(work: (client: FerryClient) => Promise<T>): Promise<T> {
  const client = await connect();
  try {
    return await work(client);
  } finally {
    await client.quit().catch(() => undefined);
  }
}

/** Retries what a coded BUSY refused (another upload holds the name, maybe on another instance). */
async function retryBusy<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(isFerryError(error) && error.code === ErrorCode.BUSY) || attempt >= 100) throw error;
      await sleep(50 + attempt * 10);
    }
  }
}

async function runClient(index: number, deadline: number): Promise<Outcome> {
  const random = generator(0x5eed + index * 7919);
  const local = path.join(dir, `client-${index}`);
  await fs.mkdir(local);
  const folder = `c${index}`;
  const outcome: Outcome = { files: new Map(), sharedWins: [], operations: 0, resumed: 0, problems: [] };
  await withClient((client) => client.mkdir(folder));
  let serial = 0;
  const newSource = async (size: number): Promise<{ file: string; hash: string }> => {
    const data = randomBytes(size);
    const file = path.join(local, `source-${serial++}`);
    await fs.writeFile(file, data);
    return { file, hash: hashOf(data) };
  };

  for (let op = 0; op < OPERATIONS_PER_CLIENT && Date.now() < deadline; op++) {
    const owned = [...outcome.files.keys()];
    const pick = random();
    const kind = owned.length === 0 ? 'upload'
      : pick < 0.3 ? 'upload' : pick < 0.5 ? 'download' : pick < 0.65 ? 'rename' : pick < 0.85 ? 'resume' : 'shared';
    const label = `client ${index} op ${op} (${kind})`;
    try {
      if (kind === 'upload') {
        const { file, hash } = await newSource(Math.floor(random() * 200_000));
        const remote = `${folder}/f${op}.bin`;
        await withClient((client) => client.upload(file, remote));
        outcome.files.set(remote, hash);
      } else if (kind === 'download') {
        const remote = owned[Math.floor(random() * owned.length)]!;
        const target = path.join(local, `download-${op}`);
        await withClient((client) => client.download(remote, target));
        const got = hashOf(await fs.readFile(target));
        if (got !== outcome.files.get(remote)) outcome.problems.push(`${label}: ${remote} came back different`);
      } else if (kind === 'rename') {
        const from = owned[Math.floor(random() * owned.length)]!;
        const to = `${folder}/r${op}.bin`;
        await withClient((client) => client.rename(from, to));
        outcome.files.set(to, outcome.files.get(from)!);
        outcome.files.delete(from);
      } else if (kind === 'resume') {
        // Larger than one chunk, so the connection can be cut while the upload runs.
        const { file, hash } = await newSource(2_500_000 + Math.floor(random() * 1_000_000));
        const remote = `${folder}/u${op}.bin`;
        const client = await connect();
        const cut = await client.upload(file, remote, {
          progressIntervalMs: 0,
          onProgress: (progress) => {
            if (progress.bytes > 0) client.close('cut off by the test');
          },
        }).then(() => 'finished', (error: unknown) => (isFerryError(error) ? errorCodeName(error.code) : String(error)));
        if (cut !== 'finished' && cut !== 'CONNECTION_LOST') outcome.problems.push(`${label}: the cut-off upload ended with ${cut}`);
        const result = await retryBusy(() => withClient((next) => next.upload(file, remote, { resume: true, overwrite: true })));
        if (result.resumedFrom > 0) outcome.resumed++;
        outcome.files.set(remote, hash);
      } else {
        // Several instances receive this name at once: with upload locks only per process, the loser's
        // temporary file is renamed away under it (NOT_FOUND) or mixed with the winner's. Cross-process
        // locking must make the loser's answer a coded BUSY and the final file one upload whole.
        const { file, hash } = await newSource(300_000);
        try {
          await withClient((client) => client.upload(file, SHARED_NAME, { overwrite: true }));
          outcome.sharedWins.push(hash);
        } catch (error) {
          // Losing the race for the name is fine when it is said with a code that means so.
          if (!(isFerryError(error) && error.code === ErrorCode.BUSY)) throw error;
        }
      }
      outcome.operations++;
    } catch (error) {
      outcome.problems.push(`${label}: ${isFerryError(error) ? `${errorCodeName(error.code)} ${error.message}` : String(error)}`);
    }
  }
  return outcome;
}

void test(`${CLIENTS} clients through HAProxy to three instances: every file whole and where it belongs, no temporary file left`, { skip: haproxyMissing, timeout: 600_000 }, async () => {
  await withClient((client) => client.mkdir('shared'));
  const deadline = Date.now() + WORKLOAD_MS;
  const outcomes = await Promise.all(Array.from({ length: CLIENTS }, (_, index) => runClient(index, deadline)));

  const problems = outcomes.flatMap((outcome) => outcome.problems);
  assert.deepEqual(problems, [], `${problems.length} operations failed`);
  const operations = outcomes.reduce((sum, outcome) => sum + outcome.operations, 0);
  assert.ok(operations >= CLIENTS, `only ${operations} operations ran before the deadline`);
  const resumed = outcomes.reduce((sum, outcome) => sum + outcome.resumed, 0);
  assert.ok(resumed > 0, 'no cut-off upload was resumed from its temporary file');

  const expected = new Map<string, string>();
  for (const outcome of outcomes) for (const [remote, hash] of outcome.files) expected.set(remote, hash);
  const sharedWins = new Set(outcomes.flatMap((outcome) => outcome.sharedWins));
  const present = await filesBelow(cluster.root);
  const wanted = [...expected.keys(), ...(sharedWins.size > 0 ? [SHARED_NAME] : [])].sort();
  // Nothing lost, nothing extra: no temporary file, no half-renamed name, no stray lock.
  assert.deepEqual(present, wanted);
  for (const [remote, hash] of expected) {
    assert.equal(hashOf(await fs.readFile(path.join(cluster.root, remote))), hash, `${remote} differs from its source`);
  }
  if (sharedWins.size > 0) {
    const final = hashOf(await fs.readFile(path.join(cluster.root, SHARED_NAME)));
    assert.ok(sharedWins.has(final), `${SHARED_NAME} is none of the uploads that were answered DONE: torn or mixed`);
  }
  // Every instance took part.
  for (const [name, state] of await cluster.haproxy.serverStates()) assert.ok(state.sessions > CLIENTS, `${name} served only ${state.sessions} sessions`);
});
