/**
 * ^D in the left pane, end to end: the built `ferry` in a pseudo-terminal,
 * both panes on real `ferryd` processes. The question counts only the
 * transfers that go through the left pane's session, "y" cancels exactly
 * those and brings the left pane back to the local folder, and the right
 * pane's download goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { downloadRightAndCopyLeft, Keys, quitConfirmed, spawnInTerminal } from '../helpers/terminal.js';
import { startTwoPaneServers } from '../helpers/two-pane-servers.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();

void test('^D in the left pane asks about its own transfers, cancels them and leaves the right pane\'s running', { timeout: 120_000 }, async () => {
  const localRoot = await tempFolder('ferry-leftd-local-');
  const { rightServer, leftServer, env } = await startTwoPaneServers(tempFolder, 'ferry-leftd-');
  const term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${rightServer.port}/`], { cwd: localRoot, columns: 110, rows: 30, env });
  try {
    // A download through the right pane's session only; a copy from the left pane's server to the right one's.
    await downloadRightAndCopyLeft(term, leftServer.port, 'big.bin', 'rel.bin');

    term.write(Keys.ctrl('d'));
    const question = await term.waitForText('Disconnect the left pane?');
    assert.match(question, /1 transfer still running or waiting/, 'the right pane\'s download is not counted');
    term.write('y');
    const after = await term.waitForFrame((screen) => /⇄\s*rel\.bin.*cancelled/.test(screen) && screen.includes(`local:${localRoot}`),
      { what: 'the copy cancelled and the left pane back on the local folder' });
    assert.match(after, /↓big\.bin.*\b[1-9]\d*%/, 'the right pane\'s download goes on');
    assert.doesNotMatch(after, /↓big\.bin.*cancelled/);

    assert.equal(await quitConfirmed(term), 0);
  } finally {
    term.close();
    await leftServer.stop();
    await rightServer.stop();
  }
});
