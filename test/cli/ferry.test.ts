/**
 * The `ferry` commands as a user runs them: the built binary spawned as a
 * process against a real ferryd, checking exit codes, stdout, the one-line
 * errors on stderr, and the files on both sides.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { patternBytes } from '../client/files.js';
import { tempFolderSync } from '../helpers/temp-folders.js';
import { startFakeServer } from '../client/fake-server.js';
import { EntryKind } from '../../src/protocol/messages.js';
import { assertOneLineError, runFerryBinary, type FerryRun } from '../helpers/ferry-command.js';

/** ferry with its config folder in this suite's temporary HOME and no FERRY_PASSWORD of the caller's. */
function ferry(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<FerryRun> {
  return runFerryBinary(args, { HOME: home, XDG_CONFIG_HOME: '', FERRY_PASSWORD: '', ...env }, cwd);
}

let home: string;

void describe('ferry commands', () => {
  let server: TestServer;
  let local: string;
  let url: string;

  before(async () => {
    server = await startTestServer();
    url = server.url;
    local = tempFolderSync('ferry-cli-');
    home = tempFolderSync('ferry-cli-home-');
  });
  after(async () => {
    await server.cleanup();
    fs.rmSync(local, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  void it('prints its version', async () => {
    const run = await ferry(['--version']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  void it('put, ls, get, mv, rm a file', async () => {
    const data = patternBytes(200_000, 9);
    fs.writeFileSync(path.join(local, 'a.bin'), data);
    let run = await ferry(['put', path.join(local, 'a.bin'), `${url}/a.bin`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'no progress bar when stderr is not a terminal');
    assert.ok(fs.readFileSync(path.join(server.root, 'a.bin')).equals(data));

    run = await ferry(['put', path.join(local, 'a.bin'), `${url}/a.bin`]);
    assertOneLineError(run, 'EXISTS');
    assert.equal(run.code, 1);
    run = await ferry(['put', '-f', path.join(local, 'a.bin'), `${url}/a.bin`]);
    assert.equal(run.code, 0, run.stderr);

    run = await ferry(['ls', `${url}/`]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^- \d{4} +200000 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d a\.bin$/m);

    run = await ferry(['get', `${url}/a.bin`, path.join(local, 'copy.bin')]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.readFileSync(path.join(local, 'copy.bin')).equals(data));
    // Into a folder, under the remote name; and into the working folder by default.
    fs.mkdirSync(path.join(local, 'into'));
    run = await ferry(['get', `${url}/a.bin`, path.join(local, 'into')]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.readFileSync(path.join(local, 'into', 'a.bin')).equals(data));
    run = await ferry(['get', '--resume', `${url}/a.bin`], {}, path.join(local, 'into'));
    assertOneLineError(run, 'EXISTS');

    run = await ferry(['put', path.join(local, 'a.bin'), `${url}/no-such-folder/`]);
    assertOneLineError(run, 'NOT_FOUND');
    fs.mkdirSync(path.join(server.root, 'folder'));
    run = await ferry(['put', path.join(local, 'a.bin'), `${url}/folder/`]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.readFileSync(path.join(server.root, 'folder', 'a.bin')).equals(data));

    run = await ferry(['mv', `${url}/a.bin`, 'b.bin']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.existsSync(path.join(server.root, 'b.bin')));
    run = await ferry(['rm', `${url}/b.bin`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.existsSync(path.join(server.root, 'b.bin')), false);
  });

  void it('get --limit holds a download to the rate (at least the limit\'s time); a bad rate is a usage error', async () => {
    const size = 3 * 1024 * 1024;
    fs.writeFileSync(path.join(server.root, 'limited.bin'), patternBytes(size, 5));
    const rate = 1024 * 1024;
    const started = performance.now();
    let run = await ferry(['get', '--limit', '1M', `${url}/limited.bin`, path.join(local, 'limited.bin')]);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(fs.readFileSync(path.join(local, 'limited.bin')), patternBytes(size, 5));
    // What may pass beyond rate × time: the download's window (half a second's worth), the burst and one slice of credit (a burst).
    const allowance = rate / 2 + 2 * (rate / 10);
    assert.ok(seconds >= (size - allowance) / rate, `${size} bytes at 1 MiB/s took ${seconds.toFixed(2)} s`);
    run = await ferry(['put', '--limit', 'fast', path.join(local, 'limited.bin'), `${url}/again.bin`]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^ferry: not a rate: "fast"/);
    assert.equal(fs.existsSync(path.join(server.root, 'again.bin')), false);
  });

  void it('mv onto an existing folder moves into it, like mv; a trailing / needs a folder', async () => {
    fs.mkdirSync(path.join(server.root, 'mv-dest', 'sub'), { recursive: true });
    fs.mkdirSync(path.join(server.root, 'mv-tree'));
    fs.writeFileSync(path.join(server.root, 'mv-file.txt'), 'file');
    fs.writeFileSync(path.join(server.root, 'mv-tree', 'inner.txt'), 'inner');
    let run = await ferry(['mv', `${url}/mv-file.txt`, 'mv-dest']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(server.root, 'mv-dest', 'mv-file.txt'), 'utf8'), 'file');
    run = await ferry(['mv', `${url}/mv-tree`, '/mv-dest/sub/']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(server.root, 'mv-dest', 'sub', 'mv-tree', 'inner.txt'), 'utf8'), 'inner');
    // Into a folder that already holds that name: EXISTS unless -f.
    fs.writeFileSync(path.join(server.root, 'mv-file.txt'), 'second');
    assertOneLineError(await ferry(['mv', `${url}/mv-file.txt`, 'mv-dest']), 'EXISTS');
    run = await ferry(['mv', '-f', `${url}/mv-file.txt`, 'mv-dest']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(server.root, 'mv-dest', 'mv-file.txt'), 'utf8'), 'second');
    assertOneLineError(await ferry(['mv', `${url}/mv-dest/mv-file.txt`, '/no-such-folder/']), 'NOT_FOUND');
    assertOneLineError(await ferry(['mv', `${url}/mv-dest`, '/mv-dest/sub']), 'INVALID_PATH');
  });

  void it('errors name the user\'s target, never a temporary file', async () => {
    // A small file (kept in memory until verified) and a large one (written to its temporary file as it comes).
    fs.writeFileSync(path.join(server.root, 'f.txt'), 'f');
    fs.writeFileSync(path.join(server.root, 'large.bin'), patternBytes(600_000, 4));
    for (const name of ['f.txt', 'large.bin']) {
      for (const extra of [[], ['--resume']]) {
        const target = path.join(local, 'no', 'such', 'dir', name);
        const run = await ferry(['get', ...extra, `${url}/${name}`, target]);
        assertOneLineError(run, 'NOT_FOUND');
        assert.ok(run.stderr.includes(target), run.stderr);
        assert.doesNotMatch(run.stderr, /ferry-part/);
      }
    }
  });

  void it('mkdir (-p), and rm of a folder needs -r', async () => {
    let run = await ferry(['mkdir', `${url}/x/y/z`]);
    assertOneLineError(run, 'NOT_FOUND');
    run = await ferry(['mkdir', '-p', `${url}/x/y/z`]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.statSync(path.join(server.root, 'x', 'y', 'z')).isDirectory());
    run = await ferry(['rm', `${url}/x`]);
    assertOneLineError(run, 'IS_A_DIRECTORY');
    run = await ferry(['rm', '-r', `${url}/x`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.existsSync(path.join(server.root, 'x')), false);
  });

  void it('put -r and get -r move a tree', async () => {
    const tree = path.join(local, 'tree');
    for (let i = 0; i < 40; i++) {
      fs.mkdirSync(path.join(tree, `d${i % 4}`), { recursive: true });
      fs.writeFileSync(path.join(tree, `d${i % 4}`, `f${i}.txt`), `file ${i}\n`);
    }
    let run = await ferry(['put', tree, `${url}/tree`]);
    assertOneLineError(run, 'IS_A_DIRECTORY');
    run = await ferry(['put', '-r', tree, `${url}/tree`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(server.root, 'tree', 'd3', 'f39.txt'), 'utf8'), 'file 39\n');
    run = await ferry(['get', '-r', `${url}/tree`, path.join(local, 'tree-back')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(local, 'tree-back', 'd2', 'f38.txt'), 'utf8'), 'file 38\n');
    run = await ferry(['ls', '-r', `${url}/tree`]);
    assert.equal(run.stdout.split('\n').filter((l) => l.endsWith('.txt')).length, 40);
  });

  void it('fails with one coded line and a non-zero exit', async () => {
    assertOneLineError(await ferry(['get', `${url}/missing.bin`, path.join(local, 'm')]), 'NOT_FOUND');
    assertOneLineError(await ferry(['ls', `${url}/../etc`]), 'INVALID_PATH');
    assertOneLineError(await ferry(['ls', 'http://example.com/']), 'INVALID_PATH');
    const closed = await startTestServer();
    const port = closed.port;
    await closed.cleanup();
    assertOneLineError(await ferry(['ls', `ferry://127.0.0.1:${port}/`]), 'CONNECTION_LOST');
    assertOneLineError(await ferry(['put', path.join(local, 'nope'), `${url}/nope`]), 'NOT_FOUND');
  });

  void it('ls shows a symlink as name -> target; chmod by octal, by clauses and -R; find by pattern and bounds', async () => {
    const top = path.join(server.root, 'kept');
    fs.mkdirSync(path.join(top, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(top, 'run.sh'), 'echo');
    fs.writeFileSync(path.join(top, 'sub', 'notes.md'), 'x'.repeat(3000));
    fs.symlinkSync('run.sh', path.join(top, 'start'));
    fs.symlinkSync('/etc/passwd', path.join(top, 'far'));
    let run = await ferry(['ls', `${url}/kept`]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^l \d{4} +\d+ [-\d]+ [:\d]+ start -> run\.sh$/m);
    assert.match(run.stdout, / far -> \/etc\/passwd$/m);

    run = await ferry(['chmod', '600', `${url}/kept/run.sh`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.statSync(path.join(top, 'run.sh')).mode & 0o7777, 0o600);
    run = await ferry(['chmod', 'u+x,g+r', `${url}/kept/run.sh`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.statSync(path.join(top, 'run.sh')).mode & 0o7777, 0o740);
    run = await ferry(['chmod', '-R', 'o-rwx', `${url}/kept`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.statSync(path.join(top, 'sub', 'notes.md')).mode & 0o007, 0);
    assert.equal(fs.statSync(path.join(top, 'sub')).mode & 0o007, 0);
    assertOneLineError(await ferry(['chmod', '777', `${url}/kept/far`]), 'UNSUPPORTED');
    run = await ferry(['chmod', 'u+X', `${url}/kept`]);
    assert.equal(run.code, 2, run.stderr);

    run = await ferry(['find', `${url}/kept`, '*.md']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^- \d{4} +3000 [-\d]+ [:\d]+ sub\/notes\.md$/m);
    assert.equal(run.stdout.trim().split('\n').length, 1);
    run = await ferry(['find', `${url}/kept`, '*', '--min-size', '1k']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n').map((line) => line.split(' ').at(-1)), ['sub/notes.md']);
    run = await ferry(['find', `${url}/kept`, 'START', '-i']);
    assert.match(run.stdout, / start -> run\.sh$/m);
    run = await ferry(['find', `${url}/kept`, '*', '--older', '2000-01-01']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.equal((await ferry(['find', `${url}/kept`, '*', '--max-size', 'lots'])).code, 2);

    // A tree download says how many links it left out (skip), or remakes those that stay inside (copy).
    run = await ferry(['get', '-r', `${url}/kept`, path.join(local, 'kept-skip')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^ferry: 2 symlinks skipped \(see --links\)$/m);
    run = await ferry(['get', '-r', '--links=copy', `${url}/kept`, path.join(local, 'kept-copy')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^ferry: 1 symlink copied$/m);
    assert.match(run.stderr, /^ferry: 1 symlink skipped/m);
    assert.equal(fs.readlinkSync(path.join(local, 'kept-copy', 'start')), 'run.sh');
    assert.equal((await ferry(['get', '-r', '--links=maybe', `${url}/kept`, path.join(local, 'x')])).code, 2);

    // An upload remakes a link whose target goes down from its folder (LINK), and counts the one going up.
    fs.symlinkSync('../outside-the-tree', path.join(local, 'kept-copy', 'sub', 'up'));
    run = await ferry(['put', '-r', '--links=copy', path.join(local, 'kept-copy'), `${url}/up-copy`]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^ferry: 1 symlink copied$/m);
    assert.match(run.stderr, /^ferry: 1 symlink skipped/m);
    assert.equal(fs.readlinkSync(path.join(server.root, 'up-copy', 'start')), 'run.sh');
    assert.equal(fs.existsSync(path.join(server.root, 'up-copy', 'sub', 'up')), false);
  });

  void it('reports usage errors with exit code 2', async () => {
    for (const args of [['put', 'only-one'], ['frobnicate', 'x'], ['ls', '--no-such-option', `${url}/`]]) {
      const run = await ferry(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr.split('\n').filter((l) => l !== '').length, 1);
    }
  });
});

void describe('ferry with a password', () => {
  void it('takes the password from FERRY_PASSWORD or the URL', async () => {
    const server = await startTestServer({
      authenticate: ({ method, user, secret }) => {
        if (method === 'password' && user === 'alice' && secret === 'p@ss word') {
          return Promise.resolve({ user, root: server.root, readOnly: false });
        }
        return Promise.reject(new FerryError(ErrorCode.AUTH, 'wrong user or password'));
      },
    });
    home = tempFolderSync('ferry-cli-home-');
    try {
      const base = `ferry://alice@127.0.0.1:${server.port}/`;
      assertOneLineError(await ferry(['ls', base]), 'AUTH');
      assert.equal((await ferry(['ls', base], { FERRY_PASSWORD: 'p@ss word' })).code, 0);
      assert.equal((await ferry(['ls', `ferry://alice:p%40ss%20word@127.0.0.1:${server.port}/`])).code, 0);
    } finally {
      await server.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

void describe('ferry ls and control characters', () => {
  const ESC = String.fromCharCode(0x1b);
  const CSI = String.fromCharCode(0x9b);

  void it('prints a C1 control character in a name ferryd lists as \\xHH', async () => {
    const server = await startTestServer();
    home = tempFolderSync('ferry-cli-home-');
    try {
      fs.writeFileSync(path.join(server.root, `c1${CSI}41mEVIL`), 'x');
      const run = await ferry(['ls', `${server.url}/`]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /c1\\x9b41mEVIL\n$/);
      assert.equal(run.stdout.includes(CSI), false, 'no raw C1 on stdout');
    } finally {
      await server.cleanup();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  void it('escapes what a server puts in a STAT name and in a FAIL message', async () => {
    const server = await startFakeServer({
      onMessage: (msg, peer) => {
        if (msg.op === 'LIST' && msg.path === '/file') {
          peer.send({ op: 'FAIL', id: msg.id, code: ErrorCode.NOT_A_DIRECTORY, message: 'not a folder' });
        } else if (msg.op === 'LIST') {
          peer.send({ op: 'FAIL', id: msg.id, code: ErrorCode.PERMISSION, message: `denied${ESC}]0;pwned${String.fromCharCode(7)}${ESC}[2J` });
        } else if (msg.op === 'STAT') {
          peer.send({ op: 'STAT', id: msg.id, entry: { name: `red${ESC}[41mEVIL`, kind: EntryKind.FILE, size: 3, mtimeMs: 0, mode: 0o644 } });
        } else if (msg.op === 'QUIT') {
          peer.send({ op: 'DONE', id: msg.id });
          peer.socket.end();
        }
      },
    });
    home = tempFolderSync('ferry-cli-home-');
    try {
      const listed = await ferry(['ls', `ferry://127.0.0.1:${server.port}/file`]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /red\\x1b\[41mEVIL\n$/);
      assert.equal(listed.stdout.includes(ESC), false, 'no raw ESC on stdout');
      const refused = await ferry(['ls', `ferry://127.0.0.1:${server.port}/other`]);
      assertOneLineError(refused, 'PERMISSION');
      assert.equal(refused.stderr.includes(ESC), false, 'no raw ESC on stderr');
      assert.match(refused.stderr, /denied\\x1b\]0;pwned\\x07\\x1b\[2J/);
    } finally {
      await server.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
