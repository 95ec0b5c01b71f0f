/**
 * The commands over openRemote, as a user runs them against a real ferryd:
 * saved connections (`ferry bookmark`, `@NAME[/path]` in every command and
 * for the UI), the recent list, what the output says was checked, URL
 * errors, trust of a new TLS key through a bookmark, and the password asked
 * at a terminal.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { readSavedConnections } from '../../src/remote/bookmarks.js';
import { loadOrCreateCertificate } from '../../src/security/certificate.js';
import { assertOneLineError, FERRY_BIN, runFerryBinary, type FerryRun } from '../helpers/ferry-command.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { Keys, spawnInTerminal } from '../helpers/terminal.js';

const tempFolder = tempFolderMaker();

/** A user's own config folder (bookmarks, known_hosts) and local files, fresh for each suite. */
async function newUser(): Promise<{ ferry: (args: string[], env?: NodeJS.ProcessEnv, cwd?: string) => Promise<FerryRun>; config: string; home: string }> {
  const home = await tempFolder('ferry-remotes-home-');
  const config = path.join(home, '.config', 'ferry');
  return { home, config, ferry: (args, env = {}, cwd) => runFerryBinary(args, { HOME: home, XDG_CONFIG_HOME: '', FERRY_PASSWORD: '', ...env }, cwd) };
}

const bookmarksFile = (config: string): string => path.join(config, 'bookmarks.json');

void describe('every command through @NAME and @NAME/sub/path', () => {
  let server: TestServer;
  let user: Awaited<ReturnType<typeof newUser>>;
  let local: string;

  before(async () => {
    server = await startTestServer();
    user = await newUser();
    local = await tempFolder('ferry-remotes-local-');
    fs.mkdirSync(path.join(server.root, 'base'));
    const added = await user.ferry(['bookmark', 'add', 'work', `${server.url}/base`]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout, `saved @work: ${server.url}/base\n`);
  });
  after(() => server.cleanup());

  void it('mkdir, put, ls, get, mv, chmod, find, rm, each below the bookmark\'s folder', async () => {
    const { ferry } = user;
    const base = path.join(server.root, 'base');
    let run = await ferry(['mkdir', '-p', '@work/sub/deep']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.statSync(path.join(base, 'sub', 'deep')).isDirectory());

    fs.writeFileSync(path.join(local, 'a file.txt'), 'alpha\n');
    run = await ferry(['put', path.join(local, 'a file.txt'), '@work/sub/']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(base, 'sub', 'a file.txt'), 'utf8'), 'alpha\n');
    assert.equal(run.stdout, `put ${path.join(local, 'a file.txt')} -> /base/sub/a file.txt: 6 bytes, checked: SHA-256\n`);

    run = await ferry(['ls', '@work/sub']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^- \d{4} +6 [-\d]+ [:\d]+ a file\.txt$/m);
    assert.match(run.stdout, /^d \d{4} +\d+ [-\d]+ [:\d]+ deep$/m);
    run = await ferry(['ls', '@work']);
    assert.match(run.stdout, / sub\n$/, 'the bookmark alone is its folder');

    run = await ferry(['get', '@work/sub/a file.txt', path.join(local, 'back.txt')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(local, 'back.txt'), 'utf8'), 'alpha\n');
    assert.equal(run.stdout, `get /base/sub/a file.txt -> ${path.join(local, 'back.txt')}: 6 bytes, checked: SHA-256\n`);

    // NEWPATH as @NAME too: the same server.
    run = await ferry(['mv', '@work/sub/a file.txt', '@work/sub/deep/']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.existsSync(path.join(base, 'sub', 'deep', 'a file.txt')));
    run = await ferry(['chmod', '600', '@work/sub/deep/a file.txt']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.statSync(path.join(base, 'sub', 'deep', 'a file.txt')).mode & 0o777, 0o600);
    run = await ferry(['find', '@work', '*.txt']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, / sub\/deep\/a file\.txt\n$/);

    assertOneLineError(await ferry(['rm', '@work/sub']), 'IS_A_DIRECTORY');
    run = await ferry(['rm', '-r', '@work/sub']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.existsSync(path.join(base, 'sub')), false);
  });

  void it('put -r and get -r through a bookmark say what they moved and how it was checked', async () => {
    const tree = path.join(local, 'tree');
    for (let i = 0; i < 6; i++) {
      fs.mkdirSync(path.join(tree, `d${i % 2}`), { recursive: true });
      fs.writeFileSync(path.join(tree, `d${i % 2}`, `f${i}.txt`), `${i}`);
    }
    let run = await user.ferry(['put', '-r', tree, '@work/tree']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `put ${tree} -> /base/tree: 6 files, 6 bytes, checked: SHA-256\n`);
    run = await user.ferry(['get', '-r', '@work/tree', path.join(local, 'tree-back')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `get /base/tree -> ${path.join(local, 'tree-back')}: 6 files, 6 bytes, checked: SHA-256\n`);
    assert.equal(fs.readFileSync(path.join(local, 'tree-back', 'd1', 'f5.txt'), 'utf8'), '5');
  });

  void it('mv to another server, or to an unknown bookmark, is refused before anything moves', async () => {
    fs.writeFileSync(path.join(server.root, 'base', 'stay.txt'), 's');
    assertOneLineError(await user.ferry(['mv', '@work/stay.txt', 'ferry://127.0.0.1:1/elsewhere']), 'UNSUPPORTED');
    assertOneLineError(await user.ferry(['mv', '@work/stay.txt', '@nowhere/x']), 'NOT_FOUND');
    assert.ok(fs.existsSync(path.join(server.root, 'base', 'stay.txt')));
  });

  void it('records each successful connection in the recent list, without a password, and not a failed one', async () => {
    const closed = await startTestServer();
    const closedUrl = `${closed.url}/`;
    await closed.cleanup();
    assertOneLineError(await user.ferry(['ls', closedUrl]), 'CONNECTION_LOST');
    const run = await user.ferry(['ls', '@work/tree/d0']);
    assert.equal(run.code, 0, run.stderr);
    const { recent } = await readSavedConnections(bookmarksFile(user.config));
    assert.equal(recent[0]!.url, `${server.url}/base/tree/d0`);
    assert.ok(!recent.some((entry) => entry.url.startsWith(closed.url)), 'a failed connection is not recent');
    assert.equal((fs.statSync(bookmarksFile(user.config)).mode & 0o777), 0o600);
  });
});

void describe('ferry bookmark add, list, remove', () => {
  void it('keeps a password only when asked, never lists it, and writes a 0600 file', async () => {
    const { ferry, config, home } = await newUser();
    let run = await ferry(['bookmark', 'add', 'plain', 'ftp://bob:hunter2@files.example.org/pub']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, 'ferry: the password in the URL was not saved (add --save-password to keep it)\n');
    assert.equal(run.stdout, 'saved @plain: ftp://bob@files.example.org/pub\n');
    run = await ferry(['bookmark', 'add', '--save-password', 'kept', 'ftps://bob:hunter2@files.example.org/']);
    assert.equal(run.code, 0, run.stderr);
    run = await ferry(['bookmark', 'add', '--save-password', 'fromenv', 'ferry://carol@h/'], { FERRY_PASSWORD: 'env-secret' });
    assert.equal(run.code, 0, run.stderr);
    run = await ferry(['bookmark', 'add', '--save-password', 'nothing', 'ferry://carol@h/']);
    assert.equal(run.code, 2, 'no password to save and no terminal to ask at');

    const key = path.join(home, 'id_work');
    fs.writeFileSync(key, 'not really a key', { mode: 0o600 });
    run = await ferry(['bookmark', 'add', 'ssh', 'sftp://bob@host.example/srv', '--identity', 'id_work'], {}, home);
    assert.equal(run.code, 0, run.stderr);
    assertOneLineError(await ferry(['bookmark', 'add', 'nokey', 'sftp://h/', '-i', path.join(home, 'missing')]), 'NOT_FOUND');
    assert.equal((await ferry(['bookmark', 'add', 'ferrykey', 'ferry://h/', '-i', key])).code, 2, 'a key file is for sftp://');

    const file = bookmarksFile(config);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { bookmarks: { name: string; password?: string; identityFile?: string }[] };
    assert.deepEqual(saved.bookmarks.map((b) => [b.name, b.password]), [['plain', undefined], ['kept', 'hunter2'], ['fromenv', 'env-secret'], ['ssh', undefined]]);
    assert.equal(saved.bookmarks[3]!.identityFile, key, 'the key file kept as an absolute path');

    run = await ferry(['bookmark', 'list']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, [
      '@plain    ftp://bob@files.example.org/pub',
      '@kept     ftps://bob@files.example.org/  (password saved)',
      '@fromenv  ferry://carol@h/  (password saved)',
      `@ssh      sftp://bob@host.example/srv  key ${key}`,
      '',
    ].join('\n'));
    assert.doesNotMatch(run.stdout + run.stderr, /hunter2|env-secret/);

    assertOneLineError(await ferry(['bookmark', 'add', 'plain', 'ftp://other/']), 'EXISTS');
    run = await ferry(['bookmark', 'add', '-f', 'plain', 'ftp://other/']);
    assert.equal(run.code, 0, run.stderr);
    run = await ferry(['bookmark', 'remove', 'kept']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'removed @kept\n');
    assertOneLineError(await ferry(['bookmark', 'remove', 'kept']), 'NOT_FOUND');
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /hunter2/, 'the removed bookmark\'s password is gone from the file');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    for (const args of [['bookmark'], ['bookmark', 'frob'], ['bookmark', 'add', 'x'], ['bookmark', 'list', 'x']]) {
      assert.equal((await ferry(args)).code, 2, args.join(' '));
    }
    assertOneLineError(await ferry(['bookmark', 'add', 'bad name', 'ftp://h/']), 'INVALID_PATH');
    assertOneLineError(await ferry(['bookmark', 'add', 'web', 'https://h/']), 'INVALID_PATH');
  });

  void it('a saved password logs in through @NAME; without one the login fails with AUTH', async () => {
    const server = await startTestServer({
      authenticate: ({ method, user, secret }) => {
        if (method === 'password' && user === 'alice' && secret === 'p@ss word') return Promise.resolve({ user, root: server.root, readOnly: false });
        return Promise.reject(new FerryError(ErrorCode.AUTH, 'wrong user or password'));
      },
    });
    try {
      fs.writeFileSync(path.join(server.root, 'private.txt'), 'p');
      const { ferry, config } = await newUser();
      assert.equal((await ferry(['bookmark', 'add', '--save-password', 'alice', `ferry://alice:p%40ss%20word@127.0.0.1:${server.port}/`])).code, 0);
      assert.equal((await ferry(['bookmark', 'add', 'nopass', `ferry://alice@127.0.0.1:${server.port}/`])).code, 0);
      const run = await ferry(['ls', '@alice']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /private\.txt/);
      assertOneLineError(await ferry(['ls', '@nopass']), 'AUTH');
      assert.equal((await ferry(['ls', '@nopass'], { FERRY_PASSWORD: 'p@ss word' })).code, 0, 'FERRY_PASSWORD still works');

      // A password given in a command's URL is never written to the recent list.
      assert.equal((await ferry(['ls', `ferry://alice:p%40ss%20word@127.0.0.1:${server.port}/`])).code, 0);
      const { recent } = await readSavedConnections(bookmarksFile(config));
      assert.equal(recent[0]!.url, `ferry://alice@127.0.0.1:${server.port}/`);
      assert.doesNotMatch(JSON.stringify(recent), /ss%20word|ss word/);
    } finally {
      await server.cleanup();
    }
  });
});

void describe('URL errors', () => {
  void it('an unknown scheme, a bad URL or an unknown bookmark is one coded line and exit 1; a usage mistake exit 2', async () => {
    const { ferry } = await newUser();
    for (const bad of ['http://example.org/', 'sftp://host:99999/', 'ftp://[::1/', 'ftp://h/a?b']) {
      const run = await ferry(['ls', bad]);
      assertOneLineError(run, 'INVALID_PATH');
      assert.equal(run.code, 1);
    }
    assertOneLineError(await ferry(['get', 'gopher://h/x', 'here']), 'INVALID_PATH');
    assertOneLineError(await ferry(['put', FERRY_BIN, 'ftp://u:secret@h/a?b']), 'INVALID_PATH');
    assert.doesNotMatch((await ferry(['ls', 'ftp://u:secret@h/a?b'])).stderr, /secret/, 'the password is not echoed');
    const unknown = await ferry(['ls', '@nope/x']);
    assertOneLineError(unknown, 'NOT_FOUND');
    assert.match(unknown.stderr, /no bookmark named nope \(there are none: ferry bookmark add NAME URL\)/);
    assertOneLineError(await ferry(['@nope']), 'NOT_FOUND');
    assert.equal((await ferry(['ls', '-i', 'key', 'ferry://127.0.0.1:1/'])).code, 2, 'a key file is for sftp://');
  });
});

void describe('a new TLS key through a bookmark', () => {
  void it('is refused in a script with TRUST saying how to go on, remembered with --trust-new', async () => {
    const certificate = await loadOrCreateCertificate({ configDir: await tempFolder('ferry-remotes-cert-') });
    const server = await startTestServer({ tls: { key: certificate.key, cert: certificate.cert } });
    try {
      fs.writeFileSync(path.join(server.root, 'secure.txt'), 's');
      const { ferry, config } = await newUser();
      assert.equal((await ferry(['bookmark', 'add', 'tls', `ferrys://127.0.0.1:${server.port}/`])).code, 0);
      const refused = await ferry(['ls', '@tls']);
      assertOneLineError(refused, 'TRUST');
      assert.match(refused.stderr, /--trust-new/);
      assert.ok(refused.stderr.includes(certificate.fingerprint));
      assert.equal(fs.existsSync(path.join(config, 'known_hosts')), false);

      const trusted = await ferry(['ls', '--trust-new', '@tls']);
      assert.equal(trusted.code, 0, trusted.stderr);
      assert.match(trusted.stdout, /secure\.txt/);
      assert.match(trusted.stderr, new RegExp(`^ferry: trusting 127\\.0\\.0\\.1:${server.port} for the first time \\(certificate SHA-256 ${certificate.fingerprint}\\); remembered in `));
      assert.equal(fs.readFileSync(path.join(config, 'known_hosts'), 'utf8'), `127.0.0.1:${server.port} ${certificate.fingerprint}\n`);
      const again = await ferry(['ls', '@tls']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stderr, '');
    } finally {
      await server.cleanup();
    }
  });
});

void describe('at a terminal', () => {
  void it('asks for the password of a named user, without echo', { timeout: 60_000 }, async () => {
    const server = await startTestServer({
      authenticate: ({ method, user, secret }) => {
        if (method === 'password' && user === 'alice' && secret === 'typed-pw') return Promise.resolve({ user, root: server.root, readOnly: false });
        return Promise.reject(new FerryError(ErrorCode.AUTH, 'wrong user or password'));
      },
    });
    const { home } = await newUser();
    fs.writeFileSync(path.join(server.root, 'after-login.txt'), 'x');
    const term = spawnInTerminal(process.execPath, [FERRY_BIN, 'ls', `ferry://alice@127.0.0.1:${server.port}/`], {
      env: { HOME: home, XDG_CONFIG_HOME: '', FERRY_PASSWORD: '' },
    });
    try {
      await term.waitForText(`Password for ferry://alice@127.0.0.1:${server.port}: `);
      term.write('typed-pw\r');
      await term.waitForText('after-login.txt');
      assert.equal(await term.exited(), 0);
      assert.doesNotMatch(term.output(), /typed-pw/, 'the password is not echoed');
    } finally {
      term.close();
      await server.cleanup();
    }
  });

  void it('`ferry @NAME` opens the UI at the bookmark\'s folder', { timeout: 60_000 }, async () => {
    const server = await startTestServer();
    const { ferry, home } = await newUser();
    fs.mkdirSync(path.join(server.root, 'marked'));
    fs.writeFileSync(path.join(server.root, 'marked', 'inside-the-bookmark.txt'), 'x');
    assert.equal((await ferry(['bookmark', 'add', 'ui', `${server.url}/marked`])).code, 0);
    const term = spawnInTerminal(process.execPath, [FERRY_BIN, '@ui'], { cwd: home, env: { HOME: home, XDG_CONFIG_HOME: '', FERRY_PASSWORD: '' } });
    try {
      await term.waitForText('inside-the-bookmark.txt');
      term.write(Keys.f10);
      assert.equal(await term.exited(), 0);
    } finally {
      term.close();
      await server.cleanup();
    }
  });
});
