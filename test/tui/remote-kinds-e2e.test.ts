/**
 * End to end, the built `ferry` in a pseudo-terminal (60×15, the smallest
 * screen the dialogs are drawn for) with HOME and XDG_CONFIG_HOME in a
 * temporary folder and two real ferryd: the connect dialog lists the
 * bookmarks and the ~/.ssh/config hosts found there, picking one connects,
 * the connect is recorded as recent, the left pane connects to the second
 * server (Alt-O), and a copy between the two servers finishes verified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../helpers/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { Keys, spawnInTerminal } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();

void test('60×15: the connect dialog offers bookmarks and ssh hosts from HOME; a pick connects and is recorded; two servers side by side copy verified', { timeout: 120_000 }, async () => {
  const home = await tempFolder('ferry-kinds-home-');
  const local = await tempFolder('ferry-kinds-local-');
  const right = await startTestServer({ root: await tempFolder('ferry-kinds-right-') });
  const left = await startTestServer({ root: await tempFolder('ferry-kinds-left-') });
  await fs.writeFile(path.join(right.root, 'r.txt'), 'on the right server');
  await fs.writeFile(path.join(left.root, 'l.txt'), 'on the left server');
  await fs.mkdir(path.join(home, '.config', 'ferry'), { recursive: true });
  await fs.writeFile(path.join(home, '.config', 'ferry', 'bookmarks.json'), JSON.stringify({
    bookmarks: [{ name: 'right', url: `ferry://127.0.0.1:${right.port}/` }],
    recent: [{ url: `ferry://127.0.0.1:${left.port}/`, lastUsedMs: 1 }],
  }));
  await fs.mkdir(path.join(home, '.ssh'));
  await fs.writeFile(path.join(home, '.ssh', 'config'), 'Host build-box\n  HostName 127.0.0.1\n');
  const term = spawnInTerminal(process.execPath, [ferryBin], {
    cwd: local, columns: 60, rows: 15, env: { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') },
  });
  try {
    await term.waitForText('3 saved');
    // The kind selector is on screen, the ssh host is in the list.
    assert.match(term.text(), /ferry {2}ferrys {2}sftp {2}ftp {2}ftps/);
    term.write(Keys.up);
    term.write(Keys.up);
    term.write(Keys.left);
    await term.waitForText('3/3 ssh build-box');
    await term.waitForText('Connect to an SFTP server');
    term.write(Keys.right);
    await term.waitForText('1/3 @right');
    term.write(Keys.enter);
    await term.waitForText('r.txt');
    await term.waitForText('[ferry plain]');
    const recentFirst = async (): Promise<string | undefined> =>
      (JSON.parse(await fs.readFile(path.join(home, '.config', 'ferry', 'bookmarks.json'), 'utf8')) as { recent: { url: string }[] }).recent[0]?.url;
    for (let tries = 0; (await recentFirst()) !== `ferry://127.0.0.1:${right.port}/`; tries++) {
      assert.ok(tries < 500, 'the connect is recorded first in the recent list');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    // The left pane on the other server, picked from the recent list (the right one's connect is first there now).
    term.write('\x1bo');
    await term.waitForText('Connect the left pane');
    await term.waitForText('4 saved');
    term.write(Keys.up);
    term.write(Keys.up);
    term.write(Keys.left);
    term.write(Keys.left);
    await term.waitForText(`3/4 ferry://127.0.0.1:${left.port}/`);
    term.write(Keys.enter);
    await term.waitForText('l.txt');
    // From the left server to the right one.
    term.write(Keys.tab);
    term.write(Keys.f5);
    await term.waitForText('Copy l.txt');
    term.write(Keys.enter);
    await term.waitForText('SHA-256 ✓');
    assert.equal(await fs.readFile(path.join(right.root, 'l.txt'), 'utf8'), 'on the left server');
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
    await right.cleanup();
    await left.cleanup();
  }
});
