/**
 * `ferry/client` by the package's own name (Node's self-reference through
 * package.json `exports`): the entry resolves to the built client library,
 * whose classes are the ones the rest of the code uses, and it carries the
 * client only, not the UI, the commands or the server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as library from 'ferry/client';
import { FerryClient } from '../../src/client/client.js';
import { FerryError } from '../../src/protocol/errors.js';
import { parseFerryUrl } from '../../src/client/url.js';

void test("'ferry/client' is the client library: FerryClient, its errors and URL parsing", () => {
  assert.equal(library.FerryClient, FerryClient);
  assert.equal(library.FerryError, FerryError);
  assert.equal(library.parseFerryUrl, parseFerryUrl);
  assert.deepEqual(Object.keys(library).sort(), [
    'DEFAULT_CONNECT_TIMEOUT_MS', 'DEFAULT_PORT', 'EntryKind', 'ErrorCode', 'FerryClient', 'FerryError', 'RateLimit',
    'connectOptionsFromUrl', 'errorCodeName', 'isFerryError', 'parseFerryUrl', 'parseRate', 'redact',
  ]);
  const url = library.parseFerryUrl('ferry://alice@127.0.0.1:7171/photos');
  assert.deepEqual(library.connectOptionsFromUrl(url), { host: '127.0.0.1', port: 7171, tls: 'auto', user: 'alice' });
});
