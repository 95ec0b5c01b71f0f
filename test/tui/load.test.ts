import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTuiForTerminal } from '../../src/tui/load.js';

// The pseudo-terminal tests (e2e.test.ts) run the UI with CI=true and read its frames;
// this checks the other half: the variables are back once the UI has loaded.
void test('loading the UI at a terminal puts CI and CONTINUOUS_INTEGRATION back as they were', async () => {
  const before = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  process.env.CI = 'true';
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    const app = await loadTuiForTerminal({ isTTY: true }, { isTTY: true });
    assert.equal(typeof app.runTui, 'function');
    assert.equal(process.env.CI, 'true');
    assert.equal('CONTINUOUS_INTEGRATION' in process.env, false);
  } finally {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});
