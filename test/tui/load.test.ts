import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTuiForTerminal, MissingUiBundleError } from '../../src/tui/load.js';

const atTerminal = { isTTY: true };

/** Runs `body` with CI=true, DEV=true and no CONTINUOUS_INTEGRATION, then puts the environment back. */
async function withCiSet(body: () => Promise<void>): Promise<void> {
  const before = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION, DEV: process.env.DEV };
  process.env.CI = 'true';
  process.env.DEV = 'true';
  delete process.env.CONTINUOUS_INTEGRATION;
  try {
    await body();
  } finally {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

// The pseudo-terminal tests (e2e.test.ts) run the UI with CI=true and read its frames, which
// only works when Ink did not see CI; this checks the other half: what was hidden is back.
void test('loading the UI at a terminal puts CI, CONTINUOUS_INTEGRATION, DEV and fetch back as they were', async () => {
  await withCiSet(async () => {
    const fetchBefore = globalThis.fetch;
    const app = await loadTuiForTerminal(atTerminal, atTerminal);
    assert.equal(typeof app.runTui, 'function');
    assert.equal(process.env.CI, 'true');
    assert.equal(process.env.DEV, 'true');
    assert.equal('CONTINUOUS_INTEGRATION' in process.env, false);
    assert.equal(globalThis.fetch, fetchBefore);
  });
});

void test('a missing UI bundle is a MissingUiBundleError naming the file, and the environment is still put back', async () => {
  await withCiSet(async () => {
    const fetchBefore = globalThis.fetch;
    const missing = new URL('./no-such-bundle/app.js', import.meta.url);
    await assert.rejects(loadTuiForTerminal(atTerminal, atTerminal, missing), (error: unknown) => {
      assert.ok(error instanceof MissingUiBundleError);
      assert.match(error.message, /no-such-bundle\/app\.js/);
      assert.match(error.message, /npm run build/);
      return true;
    });
    assert.equal(process.env.CI, 'true');
    assert.equal(process.env.DEV, 'true');
    assert.equal(globalThis.fetch, fetchBefore);
  });
});
