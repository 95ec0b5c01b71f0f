/**
 * The built `ferry` binary, run as a user runs it (no terminal, HOME and
 * XDG_CONFIG_HOME in temporary folders), against a private OpenSSH sshd
 * (test/helpers/sshd.ts) and a private vsftpd (test/helpers/vsftpd.ts):
 * every command over sftp://, ftp:// and ftps://, trees checked byte for
 * byte, resume after a cut connection, what the output says was checked,
 * conflicts, permission errors, what a kind lacks, host keys and
 * certificates met for the first time or changed, `-i`, ~/.ssh/config
 * aliases and `@NAME` bookmarks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertOneLineError, runFerryBinary, type FerryRun } from '../helpers/ferry-command.js';
import { makeSshKey, startSshd, type Sshd } from '../helpers/sshd.js';
import { findSystemTool, skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { startVsftpd, type PrivateVsftpd } from '../helpers/vsftpd.js';

const tempFolder = tempFolderMaker();

type Ferry = (args: string[], env?: NodeJS.ProcessEnv) => Promise<FerryRun>;

/** A user of their own: HOME (with an empty ~/.ssh) and XDG_CONFIG_HOME in a temporary folder, no agent, no password. */
async function newUser(loginName?: string): Promise<{ home: string; config: string; ferry: Ferry }> {
  const home = await tempFolder('ferry-kinds-home-');
  fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  const config = path.join(home, 'xdg');
  const base: NodeJS.ProcessEnv = { HOME: home, XDG_CONFIG_HOME: config, FERRY_PASSWORD: '', SSH_AUTH_SOCK: '', ...(loginName ? { USER: loginName } : {}) };
  return { home, config, ferry: (args, env = {}) => runFerryBinary(args, { ...base, ...env }) };
}

function ok(run: FerryRun): FerryRun {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}`);
  return run;
}

/** Every file below `folder` (relative path → content), folders as `path/`. */
function snapshot(folder: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (at: string, relative: string): void => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        found.set(`${name}/`, '');
        walk(path.join(at, entry.name), name);
      } else {
        found.set(name, fs.readFileSync(path.join(at, entry.name)).toString('base64'));
      }
    }
  };
  walk(folder, '');
  return found;
}

/** A small tree: nested folders, an empty file, an empty folder, odd names, a few hundred KiB of random bytes. */
function makeTree(folder: string): { files: number; bytes: number } {
  const files: Record<string, Buffer> = {
    'top.txt': Buffer.from('top\n'),
    'empty.bin': Buffer.alloc(0),
    'a/one.bin': randomBytes(1000),
    'a/b/two words.bin': randomBytes(70_000),
    'a/b/c/three.bin': randomBytes(300_001),
    'd/four.txt': Buffer.from('four\n'),
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), content);
  }
  fs.mkdirSync(path.join(folder, 'a', 'nothing-here'));
  return { files: Object.keys(files).length, bytes: Object.values(files).reduce((sum, each) => sum + each.length, 0) };
}

/** Waits until `file` holds at least `bytes`, or `run` ends first (then false). */
async function untilFileHolds(file: string, bytes: number, run: Promise<FerryRun>): Promise<boolean> {
  let ended = false;
  void run.then(() => {
    ended = true;
  });
  while (!ended) {
    try {
      if (fs.statSync(file).size >= bytes) return true;
    } catch {
      // Not there yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** What each kind's shared tests need: where things are, as URLs and on the server's disk. */
interface KindUnderTest {
  /** `sftp`, `ftp`. */
  scheme: string;
  /** The URL of `relative` below the test's base folder. */
  url(relative: string): string;
  /** The server's path of it, as the commands print it. */
  remotePath(relative: string): string;
  /** Where it is on the server's disk. */
  disk(relative: string): string;
  /** Writes a file on the server's disk (and its folders), owned as the logged-in user's own would be. */
  seed(relative: string, content: Buffer | string): void;
  /** Makes a folder on the server's disk, owned likewise. */
  folder(relative: string): void;
  ferry: Ferry;
  /** Cuts every session of the server. */
  cut(): void;
}

/** ls, get, put, rm, mkdir, mv, trees, resume, checked: size and conflicts: the same over each kind. */
function commandsOverKind(kind: () => KindUnderTest): void {
  void it('ls lists a folder (kind, mode, size, name), and a file as its one entry', async () => {
    const k = kind();
    k.seed('listed/hello.txt', 'hello\n');
    k.folder('listed/sub');
    const run = ok(await k.ferry(['ls', k.url('listed')]));
    assert.match(run.stdout, /^- \d{4} +6 [-\d]+ [:\d]+ hello\.txt$/m);
    assert.match(run.stdout, /^d \d{4} +\d+ [-\d]+ [:\d]+ sub$/m);
    assert.equal(run.stdout.split('\n').filter(Boolean).length, 2);
    assert.match(ok(await k.ferry(['ls', k.url('listed/hello.txt')])).stdout, /^- \d{4} +6 [-\d]+ [:\d]+ hello\.txt\n$/);
    assertOneLineError(await k.ferry(['ls', k.url('listed/nothing')]), 'NOT_FOUND');
  });

  void it('put and get move every byte and the mtime to the second, and say "checked: size", never SHA-256', async () => {
    const k = kind();
    const local = await tempFolder('ferry-kinds-local-');
    const content = randomBytes(1_234_567);
    fs.writeFileSync(path.join(local, 'up.bin'), content);
    const mtime = new Date(Date.UTC(2024, 2, 1, 12, 0, 7, 250));
    fs.utimesSync(path.join(local, 'up.bin'), mtime, mtime);
    const second = Math.floor(mtime.getTime() / 1000);
    k.folder('single');
    let run = ok(await k.ferry(['put', path.join(local, 'up.bin'), k.url('single/')]));
    assert.equal(run.stdout, `put ${path.join(local, 'up.bin')} -> ${k.remotePath('single/up.bin')}: ${content.length} bytes, checked: size\n`);
    assert.deepEqual(fs.readFileSync(k.disk('single/up.bin')), content);
    assert.equal(Math.floor(fs.statSync(k.disk('single/up.bin')).mtimeMs / 1000), second, 'the server\'s copy has the local second');

    run = ok(await k.ferry(['get', k.url('single/up.bin'), path.join(local, 'down.bin')]));
    assert.equal(run.stdout, `get ${k.remotePath('single/up.bin')} -> ${path.join(local, 'down.bin')}: ${content.length} bytes, checked: size\n`);
    assert.deepEqual(fs.readFileSync(path.join(local, 'down.bin')), content);
    assert.equal(fs.statSync(path.join(local, 'down.bin')).mtimeMs, second * 1000, 'and the copy fetched back');
    assert.doesNotMatch(run.stdout + run.stderr, /SHA-256/);
    assert.deepEqual(fs.readdirSync(local).sort(), ['down.bin', 'up.bin'], 'no temporary file left behind');
  });

  void it('a conflict is EXISTS without -f, both ways, and -f replaces', async () => {
    const k = kind();
    const local = await tempFolder('ferry-kinds-conflict-');
    fs.writeFileSync(path.join(local, 'same.txt'), 'local\n');
    k.seed('conflict/same.txt', 'remote\n');
    let run = await k.ferry(['put', path.join(local, 'same.txt'), k.url('conflict/same.txt')]);
    assertOneLineError(run, 'EXISTS');
    assert.equal(run.code, 1);
    assert.equal(fs.readFileSync(k.disk('conflict/same.txt'), 'utf8'), 'remote\n', 'the server\'s file is untouched');
    run = await k.ferry(['get', k.url('conflict/same.txt'), path.join(local, 'same.txt')]);
    assertOneLineError(run, 'EXISTS');
    assert.equal(fs.readFileSync(path.join(local, 'same.txt'), 'utf8'), 'local\n', 'the local file is untouched');

    ok(await k.ferry(['get', '-f', k.url('conflict/same.txt'), path.join(local, 'same.txt')]));
    assert.equal(fs.readFileSync(path.join(local, 'same.txt'), 'utf8'), 'remote\n');
    fs.writeFileSync(path.join(local, 'same.txt'), 'local again\n');
    ok(await k.ferry(['put', '-f', path.join(local, 'same.txt'), k.url('conflict/same.txt')]));
    assert.equal(fs.readFileSync(k.disk('conflict/same.txt'), 'utf8'), 'local again\n');
  });

  void it('mkdir, mkdir -p, mv (rename and into a folder), rm and rm -r', async () => {
    const k = kind();
    ok(await k.ferry(['mkdir', k.url('ops')]));
    assert.ok(fs.statSync(k.disk('ops')).isDirectory());
    assertOneLineError(await k.ferry(['mkdir', k.url('ops')]), 'EXISTS');
    ok(await k.ferry(['mkdir', '-p', k.url('ops/x/y/z')]));
    assert.ok(fs.statSync(k.disk('ops/x/y/z')).isDirectory());
    ok(await k.ferry(['mkdir', '-p', k.url('ops/x/y')]));

    const local = await tempFolder('ferry-kinds-ops-');
    fs.writeFileSync(path.join(local, 'm.txt'), 'move me\n');
    ok(await k.ferry(['put', path.join(local, 'm.txt'), k.url('ops/m.txt')]));
    ok(await k.ferry(['mv', k.url('ops/m.txt'), 'renamed.txt']));
    assert.equal(fs.readFileSync(k.disk('ops/renamed.txt'), 'utf8'), 'move me\n');
    assert.ok(!fs.existsSync(k.disk('ops/m.txt')));
    ok(await k.ferry(['mv', k.url('ops/renamed.txt'), k.url('ops/x/')]));
    assert.equal(fs.readFileSync(k.disk('ops/x/renamed.txt'), 'utf8'), 'move me\n');
    k.seed('ops/x/other.txt', 'other\n');
    assertOneLineError(await k.ferry(['mv', k.url('ops/x/renamed.txt'), k.url('ops/x/other.txt')]), 'EXISTS');
    assert.equal(fs.readFileSync(k.disk('ops/x/other.txt'), 'utf8'), 'other\n');
    assertOneLineError(await k.ferry(['mv', k.url('ops/nothing'), 'elsewhere']), 'NOT_FOUND');

    ok(await k.ferry(['rm', k.url('ops/x/other.txt')]));
    assert.ok(!fs.existsSync(k.disk('ops/x/other.txt')));
    assertOneLineError(await k.ferry(['rm', k.url('ops/x')]), 'IS_A_DIRECTORY');
    assert.ok(fs.existsSync(k.disk('ops/x/renamed.txt')));
    ok(await k.ferry(['rm', '-r', k.url('ops/x')]));
    assert.ok(!fs.existsSync(k.disk('ops/x')));
    assertOneLineError(await k.ferry(['rm', k.url('ops/x')]), 'NOT_FOUND');
  });

  void it('put -r and get -r move a tree, every byte, and say how it was checked', async () => {
    const k = kind();
    const local = await tempFolder('ferry-kinds-tree-');
    const tree = path.join(local, 'tree');
    const { files, bytes } = makeTree(tree);
    k.folder('trees');
    let run = ok(await k.ferry(['put', '-r', tree, k.url('trees/')]));
    assert.equal(run.stdout, `put ${tree} -> ${k.remotePath('trees/tree')}: ${files} files, ${bytes} bytes, checked: size\n`);
    assert.deepEqual(snapshot(k.disk('trees/tree')), snapshot(tree));

    run = ok(await k.ferry(['get', '-r', k.url('trees/tree'), path.join(local, 'back')]));
    assert.equal(run.stdout, `get ${k.remotePath('trees/tree')} -> ${path.join(local, 'back')}: ${files} files, ${bytes} bytes, checked: size\n`);
    assert.deepEqual(snapshot(path.join(local, 'back')), snapshot(tree));
    assertOneLineError(await k.ferry(['get', k.url('trees/tree'), path.join(local, 'not-recursive')]), 'IS_A_DIRECTORY');
  });

  void it('--resume continues a download and an upload cut midway, from the bytes already there', async () => {
    const k = kind();
    const local = await tempFolder('ferry-kinds-resume-');
    const size = 3 * 1024 * 1024;
    const content = randomBytes(size);
    k.seed('resume/down.bin', content);
    // --limit keeps the transfer going long enough to be cut in the middle.
    const download = k.ferry(['get', '--limit', '1M', k.url('resume/down.bin'), path.join(local, 'down.bin')]);
    assert.ok(await untilFileHolds(path.join(local, '.down.bin.ferry-part'), 256 * 1024, download), 'the download was cut midway');
    k.cut();
    assertOneLineError(await download, 'CONNECTION_LOST');
    assert.ok(!fs.existsSync(path.join(local, 'down.bin')), 'nothing under the final name');
    const kept = fs.statSync(path.join(local, '.down.bin.ferry-part')).size;
    assert.ok(kept > 0 && kept < size);
    let run = ok(await k.ferry(['get', '--resume', k.url('resume/down.bin'), path.join(local, 'down.bin')]));
    const resumedAt = Number(/\(resumed at (\d+)\)/.exec(run.stdout)?.[1]);
    assert.ok(resumedAt > 0 && resumedAt <= kept, run.stdout);
    assert.match(run.stdout, new RegExp(`: ${size} bytes \\(resumed at ${resumedAt}\\), checked: size\\n$`));
    assert.deepEqual(fs.readFileSync(path.join(local, 'down.bin')), content);

    // An SFTP upload resumes 4 MiB before the end of what the server holds (src/remote/sftp/transfers.ts): cut after more.
    const upContent = randomBytes(10 * 1024 * 1024);
    fs.writeFileSync(path.join(local, 'up.bin'), upContent);
    const upload = k.ferry(['put', '--limit', '4M', path.join(local, 'up.bin'), k.url('resume/up.bin')]);
    assert.ok(await untilFileHolds(k.disk('resume/.up.bin.ferry-part'), 6 * 1024 * 1024, upload), 'the upload was cut midway');
    k.cut();
    assertOneLineError(await upload, 'CONNECTION_LOST');
    assert.ok(!fs.existsSync(k.disk('resume/up.bin')), 'nothing under the final name');
    run = ok(await k.ferry(['put', '--resume', path.join(local, 'up.bin'), k.url('resume/up.bin')]));
    assert.match(run.stdout, /\(resumed at [1-9]\d*\), checked: size\n$/);
    assert.deepEqual(fs.readFileSync(k.disk('resume/up.bin')), upContent);
    assert.ok(!fs.existsSync(k.disk('resume/.up.bin.ferry-part')));
  });
}

const sshdSkip = skipUnlessInstalled('sshd');

/** `SHA256:…` of the server's host key, as `ssh-keygen -l` prints it. */
function hostKeyFingerprint(server: Sshd): string {
  const listed = spawnSync(findSystemTool('ssh-keygen')!, ['-l', '-E', 'sha256', '-f', path.join(server.dir, 'host_key.pub')], { encoding: 'utf8' });
  const fingerprint = /SHA256:\S+/.exec(listed.stdout)?.[0];
  assert.ok(fingerprint, listed.stderr);
  return fingerprint;
}

void describe('ferry over sftp://, against a private sshd', { skip: sshdSkip }, () => {
  let server: Sshd;
  let user: Awaited<ReturnType<typeof newUser>>;
  let base: string;
  const origin = (): string => `sftp://${server.user}@127.0.0.1:${server.port}`;

  before(async () => {
    server = await startSshd({ withPasswordUser: true });
    user = await newUser(server.user);
    // The default key: commands log in without -i.
    fs.copyFileSync(server.clientKey, path.join(user.home, '.ssh', 'id_ed25519'));
    fs.chmodSync(path.join(user.home, '.ssh', 'id_ed25519'), 0o600);
    base = path.join(server.root, 'cli');
    fs.mkdirSync(base);
  });
  after(async () => {
    await server?.stop();
  });

  void it('an unknown host key fails TRUST in a script naming its fingerprint; --trust-new remembers it in ~/.ssh/known_hosts', async () => {
    const fingerprint = hostKeyFingerprint(server);
    const knownHosts = path.join(user.home, '.ssh', 'known_hosts');
    const refused = await user.ferry(['ls', `${origin()}${base}`]);
    assertOneLineError(refused, 'TRUST');
    assert.equal(refused.code, 1);
    assert.ok(refused.stderr.includes(fingerprint), refused.stderr);
    assert.match(refused.stderr, /--trust-new/);
    assert.ok(!fs.existsSync(knownHosts), 'nothing remembered');

    const trusted = ok(await user.ferry(['ls', '--trust-new', `${origin()}${base}`]));
    assert.ok(trusted.stderr.includes(fingerprint), trusted.stderr);
    assert.equal(fs.readFileSync(knownHosts, 'utf8'), `[127.0.0.1]:${server.port} ${server.hostKeyLine}\n`);
    const again = ok(await user.ferry(['ls', `${origin()}${base}`]));
    assert.equal(again.stderr, '', 'not asked again');
  });

  commandsOverKind(() => ({
    scheme: 'sftp',
    url: (relative) => `${origin()}${base}/${relative}`,
    remotePath: (relative) => `${base}/${relative}`,
    disk: (relative) => path.join(base, relative),
    seed: (relative, content) => {
      fs.mkdirSync(path.dirname(path.join(base, relative)), { recursive: true });
      fs.writeFileSync(path.join(base, relative), content);
    },
    folder: (relative) => fs.mkdirSync(path.join(base, relative), { recursive: true }),
    ferry: user.ferry,
    cut: () => server.cutSessions(),
  }));

  void it('chmod changes the mode; find searches below a folder', async () => {
    fs.mkdirSync(path.join(base, 'modes', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(base, 'modes', 'deep', 'f.txt'), 'f');
    fs.writeFileSync(path.join(base, 'modes', 'g.log'), 'g');
    ok(await user.ferry(['chmod', '600', `${origin()}${base}/modes/deep/f.txt`]));
    assert.equal(fs.statSync(path.join(base, 'modes', 'deep', 'f.txt')).mode & 0o777, 0o600);
    ok(await user.ferry(['chmod', '-R', 'go-rwx', `${origin()}${base}/modes`]));
    assert.equal(fs.statSync(path.join(base, 'modes', 'g.log')).mode & 0o077, 0);
    const found = ok(await user.ferry(['find', `${origin()}${base}/modes`, '*.txt']));
    assert.match(found.stdout, /^- 0600 +1 [-\d]+ [:\d]+ deep\/f\.txt\n$/);
  });

  void it('a folder the user may not write to: PERMISSION, exit 1, naming the path; nothing changes', async (t) => {
    const other = server.passwordUser;
    if (!other) {
      t.skip('needs root to make a second user');
      return;
    }
    const locked = path.join(server.root, 'locked');
    fs.mkdirSync(locked, { mode: 0o755 });
    fs.writeFileSync(path.join(locked, 'fixed.txt'), 'fixed');
    const local = await tempFolder('ferry-kinds-perm-');
    fs.writeFileSync(path.join(local, 'denied.txt'), 'denied');
    const url = (relative: string): string => `sftp://${other.name}@127.0.0.1:${server.port}${locked}/${relative}`;
    const as = (args: string[]): Promise<FerryRun> => user.ferry(['-i', server.clientKey, ...args]);
    for (const args of [['put', path.join(local, 'denied.txt'), url('denied.txt')], ['rm', url('fixed.txt')], ['mkdir', url('sub')], ['chmod', '600', url('fixed.txt')], ['mv', url('fixed.txt'), 'moved.txt']]) {
      const run = await as(args);
      assertOneLineError(run, 'PERMISSION');
      assert.equal(run.code, 1);
      assert.match(run.stderr, /denied/i, run.stderr);
    }
    assert.deepEqual(fs.readdirSync(locked), ['fixed.txt']);
    assert.equal(fs.statSync(path.join(locked, 'fixed.txt')).mode & 0o777, 0o644);
  });

  void it('a changed host key is refused, with --trust-new too, and known_hosts is left alone', async () => {
    const other = await newUser(server.user);
    const otherKey = path.join(other.home, 'other_host_key');
    makeSshKey(otherKey);
    const otherLine = fs.readFileSync(`${otherKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const knownHosts = path.join(other.home, '.ssh', 'known_hosts');
    fs.writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${otherLine}\n`);
    for (const args of [['ls', `${origin()}${base}`], ['ls', '--trust-new', `${origin()}${base}`]]) {
      const run = await other.ferry(['-i', server.clientKey, ...args]);
      assertOneLineError(run, 'TRUST');
      assert.match(run.stderr, /HAS CHANGED/);
      assert.ok(run.stderr.includes(hostKeyFingerprint(server)), run.stderr);
    }
    assert.equal(fs.readFileSync(knownHosts, 'utf8'), `[127.0.0.1]:${server.port} ${otherLine}\n`);
  });

  void it('-i FILE logs in with that key, where no default key would', async () => {
    const other = await newUser(server.user);
    fs.writeFileSync(path.join(other.home, '.ssh', 'known_hosts'), `[127.0.0.1]:${server.port} ${server.hostKeyLine}\n`);
    fs.writeFileSync(path.join(base, 'keyed.txt'), 'k');
    assertOneLineError(await other.ferry(['ls', `${origin()}${base}`]), 'AUTH');
    const run = ok(await other.ferry(['ls', '-i', server.clientKey, `${origin()}${base}`]));
    assert.match(run.stdout, / keyed\.txt$/m);
    ok(await other.ferry(['get', '--identity', server.clientKey, `${origin()}${base}/keyed.txt`, path.join(other.home, 'keyed.txt')]));
    assert.equal(fs.readFileSync(path.join(other.home, 'keyed.txt'), 'utf8'), 'k');
  });

  void it('a ~/.ssh/config Host alias: ferry ls sftp://alias/path', async () => {
    const other = await newUser('nobody-by-default');
    fs.writeFileSync(path.join(other.home, '.ssh', 'known_hosts'), `[127.0.0.1]:${server.port} ${server.hostKeyLine}\n`);
    fs.writeFileSync(path.join(other.home, '.ssh', 'config'), [
      'Host box', '  HostName 127.0.0.1', `  Port ${server.port}`, `  User ${server.user}`, `  IdentityFile ${server.clientKey}`, '',
    ].join('\n'));
    fs.mkdirSync(path.join(base, 'aliased'));
    fs.writeFileSync(path.join(base, 'aliased', 'via-alias.txt'), 'a');
    const run = ok(await other.ferry(['ls', `sftp://box${base}/aliased`]));
    assert.match(run.stdout, / via-alias\.txt\n$/);
    assert.equal(run.stderr, '');
    const local = path.join(other.home, 'via-alias.txt');
    const got = ok(await other.ferry(['get', `sftp://box${base}/aliased/via-alias.txt`, local]));
    assert.equal(got.stdout, `get ${base}/aliased/via-alias.txt -> ${local}: 1 bytes, checked: size\n`);
  });

  void it('@NAME of an sftp:// URL: bookmark add, then ls @name/sub', async () => {
    fs.mkdirSync(path.join(base, 'marked', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(base, 'marked', 'sub', 'in-bookmark.txt'), 'b');
    const added = ok(await user.ferry(['bookmark', 'add', 'ssh-work', `${origin()}${base}/marked`, '--identity', server.clientKey]));
    assert.equal(added.stdout, `saved @ssh-work: ${origin()}${base}/marked  key ${server.clientKey}\n`);
    const run = ok(await user.ferry(['ls', '@ssh-work/sub']));
    assert.match(run.stdout, / in-bookmark\.txt\n$/);
    const local = await tempFolder('ferry-kinds-bm-');
    ok(await user.ferry(['get', '@ssh-work/sub/in-bookmark.txt', local]));
    assert.equal(fs.readFileSync(path.join(local, 'in-bookmark.txt'), 'utf8'), 'b');
  });
});

const vsftpdSkip = skipUnlessInstalled('vsftpd');

/** Makes `folder` (and what it holds) belong to the owner of `like`, as an upload by that session would. */
function ownLike(target: string, like: string): void {
  const { uid, gid } = fs.statSync(like);
  fs.chownSync(target, uid, gid);
}

void describe('ferry over ftp://, against a private vsftpd (anonymous)', { skip: vsftpdSkip }, () => {
  let server: PrivateVsftpd;
  let user: Awaited<ReturnType<typeof newUser>>;
  const base = '/pub/cli';
  const diskOf = (relative: string): string => path.join(server.root, base, relative);
  const anonymousFolder = (relative: string): void => {
    const parts = relative.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const folder = diskOf(parts.slice(0, i).join('/'));
      if (!fs.existsSync(folder)) {
        fs.mkdirSync(folder);
        ownLike(folder, server.pub);
      }
    }
  };

  before(async () => {
    server = await startVsftpd();
    user = await newUser();
    fs.mkdirSync(path.join(server.root, base));
    ownLike(path.join(server.root, base), server.pub);
    fs.mkdirSync(path.join(server.root, 'locked'));
    fs.writeFileSync(path.join(server.root, 'locked', 'fixed.txt'), 'fixed');
  });
  after(async () => {
    await server?.stop();
  });

  commandsOverKind(() => ({
    scheme: 'ftp',
    url: (relative) => `${server.origin}${base}/${relative}`,
    remotePath: (relative) => `${base}/${relative}`,
    disk: diskOf,
    // Folders and files as the anonymous user's own, so it may replace and remove them.
    seed: (relative, content) => {
      anonymousFolder(path.posix.dirname(relative));
      fs.writeFileSync(diskOf(relative), content);
      ownLike(diskOf(relative), server.pub);
    },
    folder: anonymousFolder,
    ferry: user.ferry,
    cut: () => server.cutSessions(),
  }));

  void it('a folder anonymous may not write to: PERMISSION, exit 1, naming the path; nothing changes', async () => {
    const local = await tempFolder('ferry-kinds-ftp-perm-');
    fs.writeFileSync(path.join(local, 'denied.txt'), 'denied');
    const url = (where: string): string => `${server.origin}${where}`;
    for (const args of [['put', path.join(local, 'denied.txt'), url('/locked/denied.txt')], ['rm', url('/locked/fixed.txt')], ['mkdir', url('/locked/sub')], ['mv', url('/locked/fixed.txt'), 'moved.txt']]) {
      const run = await user.ferry(args);
      assertOneLineError(run, 'PERMISSION');
      assert.equal(run.code, 1);
      assert.match(run.stderr, /\/locked\//, run.stderr);
    }
    assert.deepEqual(fs.readdirSync(path.join(server.root, 'locked')), ['fixed.txt']);
  });

  void it('chmod and find are UNSUPPORTED on anonymous FTP, naming the server, before anything changes', async () => {
    fs.writeFileSync(diskOf('mode.txt'), 'm');
    ownLike(diskOf('mode.txt'), server.pub);
    const before = fs.statSync(diskOf('mode.txt')).mode;
    let run = await user.ferry(['chmod', '600', `${server.origin}${base}/mode.txt`]);
    assertOneLineError(run, 'UNSUPPORTED');
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `ferry: UNSUPPORTED: chmod is not available on ftp://127.0.0.1:${server.port} (ftp servers do not offer it)\n`);
    assert.equal(fs.statSync(diskOf('mode.txt')).mode, before);
    run = await user.ferry(['find', `${server.origin}${base}`, '*.txt']);
    assertOneLineError(run, 'UNSUPPORTED');
    assert.match(run.stderr, /find \(a search on the server; list with ls -r instead\) is not available/);
  });

  void it('@NAME of an ftp:// URL: bookmark add, then ls @name/sub', async () => {
    fs.mkdirSync(diskOf('marked/sub'), { recursive: true });
    fs.writeFileSync(diskOf('marked/sub/in-bookmark.txt'), 'b');
    const added = ok(await user.ferry(['bookmark', 'add', 'ftp-work', `${server.origin}${base}/marked`]));
    assert.equal(added.stdout, `saved @ftp-work: ${server.origin}${base}/marked\n`);
    const run = ok(await user.ferry(['ls', '@ftp-work/sub']));
    assert.match(run.stdout, / in-bookmark\.txt\n$/);
  });
});

void describe('ferry over ftps://, against a private vsftpd with a self-signed certificate', { skip: vsftpdSkip }, () => {
  let server: PrivateVsftpd;
  let user: Awaited<ReturnType<typeof newUser>>;

  before(async () => {
    server = await startVsftpd({ tls: true });
    user = await newUser();
    fs.writeFileSync(path.join(server.pub, 'secure.txt'), 'over TLS\n');
  });
  after(async () => {
    await server?.stop();
  });

  void it('refuses the unknown certificate in a script (TRUST, its fingerprint), then ls, get and put with --trust-new', async () => {
    const knownHosts = path.join(user.config, 'ferry', 'known_hosts');
    const refused = await user.ferry(['ls', `${server.origin}/pub`]);
    assertOneLineError(refused, 'TRUST');
    assert.ok(refused.stderr.includes(server.fingerprint!), refused.stderr);
    assert.ok(!fs.existsSync(knownHosts));

    let run = ok(await user.ferry(['ls', '--trust-new', `${server.origin}/pub`]));
    assert.match(run.stdout, /^- \d{4} +9 [-\d]+ [:\d]+ secure\.txt$/m);
    assert.equal(fs.readFileSync(knownHosts, 'utf8'), `127.0.0.1:${server.port} ${server.fingerprint}\n`);

    const local = await tempFolder('ferry-kinds-ftps-');
    run = ok(await user.ferry(['get', `${server.origin}/pub/secure.txt`, local]));
    assert.equal(run.stderr, '', 'not asked again');
    assert.equal(run.stdout, `get /pub/secure.txt -> ${path.join(local, 'secure.txt')}: 9 bytes, checked: size\n`);
    assert.equal(fs.readFileSync(path.join(local, 'secure.txt'), 'utf8'), 'over TLS\n');

    const content = randomBytes(200_000);
    fs.writeFileSync(path.join(local, 'up.bin'), content);
    run = ok(await user.ferry(['put', path.join(local, 'up.bin'), `${server.origin}/pub/`]));
    assert.equal(run.stdout, `put ${path.join(local, 'up.bin')} -> /pub/up.bin: ${content.length} bytes, checked: size\n`);
    assert.deepEqual(fs.readFileSync(path.join(server.pub, 'up.bin')), content);
  });
});
