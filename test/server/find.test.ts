import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { FerryClient } from '../../src/client/client.js';
import type { Entry } from '../../src/protocol/messages.js';
import { startConnectedTestServer, type ConnectedTestServer } from '../helpers/server.js';
import { tempFolder, removeTempFolder } from '../helpers/temp-folders.js';
import { codeOf, withServer } from './raw-client.js';

let server: ConnectedTestServer;
let client: FerryClient;
let outside: string;
before(async () => {
  server = await startConnectedTestServer();
  client = server.client;
  outside = await tempFolder('ferry-test-outside-');
  const root = server.root;
  await fs.mkdir(path.join(root, 'docs/old'), { recursive: true });
  await fs.mkdir(path.join(root, 'src'), { recursive: true });
  await fs.writeFile(path.join(root, 'docs/README.md'), 'r'.repeat(10));
  await fs.writeFile(path.join(root, 'docs/old/notes.md'), 'n'.repeat(2000));
  await fs.writeFile(path.join(root, 'docs/old/Photo.JPG'), 'p'.repeat(500));
  await fs.writeFile(path.join(root, 'src/main.ts'), 'm'.repeat(100));
  await fs.writeFile(path.join(root, 'src/[x].md'), '');
  await fs.utimes(path.join(root, 'docs/old/notes.md'), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
  await fs.writeFile(path.join(outside, 'hidden.md'), 'h');
  await fs.symlink(outside, path.join(root, 'out'));
});
after(async () => {
  await server.cleanup();
  await removeTempFolder(outside);
});

const names = (entries: Entry[]): string[] => entries.map((e) => e.name).sort();

void test('FIND matches names by glob below the folder, as relative paths, never through a symlink', async () => {
  assert.ok(client.info.capabilities.includes('find'));
  assert.deepEqual(names(await client.find('/', { pattern: '*.md' })), ['docs/README.md', 'docs/old/notes.md', 'src/[x].md']);
  assert.deepEqual(names(await client.find('docs', { pattern: '*.md' })), ['README.md', 'old/notes.md']);
  assert.deepEqual(names(await client.find('/', { pattern: '????.ts' })), ['src/main.ts']);
  assert.deepEqual(names(await client.find('/', { pattern: '[mn]*' })), ['docs/old/notes.md', 'src/main.ts']);
  assert.deepEqual(names(await client.find('/', { pattern: '[!a-z]*' })), ['docs/README.md', 'docs/old/Photo.JPG', 'src/[x].md']);
  assert.deepEqual(names(await client.find('/', { pattern: '\\[x\\].md' })), ['src/[x].md']);
  assert.deepEqual(names(await client.find('/', { pattern: 'out' })), ['out'], 'the link is found, not followed');
  assert.deepEqual(names(await client.find('/', { pattern: 'hidden.md' })), []);
});

void test('FIND: case, size and mtime bounds, and the empty pattern', async () => {
  assert.deepEqual(names(await client.find('/', { pattern: '*.jpg' })), []);
  assert.deepEqual(names(await client.find('/', { pattern: '*.jpg', ignoreCase: true })), ['docs/old/Photo.JPG']);
  assert.deepEqual(names(await client.find('/', { pattern: '*', minSize: 100, maxSize: 500 })), ['docs/old/Photo.JPG', 'src/main.ts']);
  assert.deepEqual(names(await client.find('/', { pattern: '', maxMtimeMs: Date.parse('2021-01-01') })), ['docs/old/notes.md']);
  const recent = await client.find('/', { pattern: '*.md', minMtimeMs: Date.parse('2021-01-01') });
  assert.deepEqual(names(recent), ['docs/README.md', 'src/[x].md']);
  assert.equal((await client.find('/', { pattern: '' })).length, 9);
});

void test('FIND streams matches in batches and ends with the last one', async () => {
  const many = path.join(server.root, 'many');
  await fs.mkdir(many);
  for (let i = 0; i < 600; i++) await fs.writeFile(path.join(many, `f${i}.log`), '');
  try {
    const batches: number[] = [];
    const found = await client.find('many', { pattern: 'f*.log' }, { onBatch: (entries) => batches.push(entries.length) });
    assert.equal(found.length, 600);
    assert.ok(batches.length >= 2, `${batches.length} batches`);
  } finally {
    await fs.rm(many, { recursive: true });
  }
});

void test('FIND refuses what it cannot search: a file, a missing folder, a path out of the root, a bad pattern', async () => {
  await assert.rejects(client.find('src/main.ts', { pattern: '*' }), { code: ErrorCode.NOT_A_DIRECTORY });
  await assert.rejects(client.find('missing', { pattern: '*' }), { code: ErrorCode.NOT_FOUND });
  await assert.rejects(client.find('out', { pattern: '*' }), { code: ErrorCode.INVALID_PATH });
  await assert.rejects(client.find('/', { pattern: '[abc' }), { code: ErrorCode.INVALID_PATH });
});

void test('FIND can be cancelled while it runs', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(client.find('/', { pattern: '*' }, { signal: controller.signal }), { code: ErrorCode.CANCELLED });
  assert.equal((await client.find('src', { pattern: '*.ts' })).length, 1, 'the session goes on');
});

void test('a read-only session may search', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'a.md'), '');
  const reply = await c.request({
    op: 'FIND', id: 2, path: '', pattern: '*.md', minSize: 0, maxSize: Number.MAX_SAFE_INTEGER, minMtimeMs: 0,
    maxMtimeMs: Number.MAX_SAFE_INTEGER, flags: 0,
  });
  assert.equal(codeOf(reply), 'ENTS');
  assert.deepEqual(reply.op === 'ENTS' && reply.entries.map((e) => e.name), ['a.md']);
}, { readOnly: true }));
