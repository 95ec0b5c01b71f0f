import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectOptionsFromUrl, parseFerryUrl } from '../../src/client/url.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';

void describe('parseFerryUrl', () => {
  const cases: [string, object][] = [
    ['ferry://localhost/', { scheme: 'ferry', host: 'localhost', port: 7070, path: '/', tls: false }],
    ['ferry://127.0.0.1:9000/a/b.txt', { host: '127.0.0.1', port: 9000, path: '/a/b.txt', tls: false }],
    ['ferry://example.com/x', { host: 'example.com', port: 7070, path: '/x', tls: true }],
    ['ferrys://127.0.0.1/x', { scheme: 'ferrys', host: '127.0.0.1', tls: true }],
    ['ferry://[::1]:7071/d/', { host: '::1', port: 7071, path: '/d/', tls: false }],
    ['ferry://[2001:db8::1]/', { host: '2001:db8::1', port: 7070, tls: true }],
    ['ferry://alice@localhost/', { user: 'alice', password: undefined }],
    ['ferry://alice:s%3Acr%40t@localhost:7000/f', { user: 'alice', password: 's:cr@t', port: 7000 }],
    ['ferry://al%20ice:p@w@localhost/', { user: 'al ice', password: 'p@w' }],
    ['ferry://localhost', { path: '/' }],
    ['ferry://localhost/with%20space/%C3%A9', { path: '/with space/é' }],
    ['FERRY://LOCALHOST/', { scheme: 'ferry', host: 'LOCALHOST', tls: false }],
  ];
  for (const [url, expected] of cases) {
    void it(url, () => {
      const parsed = parseFerryUrl(url);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(parsed[key as keyof typeof parsed], value, `${key} of ${url}`);
      }
    });
  }

  const bad = [
    'http://localhost/', 'ferry:/localhost', 'ferry://', 'ferry://:7070/', 'ferry://host:0/', 'ferry://host:70000/',
    'ferry://host:abc/', 'ferry://[::1/', 'ferry://[zz]/', 'ferry://::1/', 'ferry://host/a?b', 'ferry://host/%zz',
    'ferry://a%zz@host/', 'ferry://ho st/',
  ];
  for (const url of bad) {
    void it(`refuses ${url}`, () => {
      assert.throws(() => parseFerryUrl(url), (error: unknown) => error instanceof FerryError && error.code === ErrorCode.INVALID_PATH);
    });
  }

  void it('never repeats the password in its error', () => {
    assert.throws(() => parseFerryUrl('ferry://u:hunter2@host:x/'), (error: Error) => !error.message.includes('hunter2'));
  });

  void it('gives connect options: ferrys requires TLS, ferry decides by host', () => {
    assert.equal(connectOptionsFromUrl(parseFerryUrl('ferrys://h/')).tls, 'require');
    assert.equal(connectOptionsFromUrl(parseFerryUrl('ferry://h/')).tls, 'auto');
    assert.deepEqual(connectOptionsFromUrl(parseFerryUrl('ferry://u:p@h:1/')), { host: 'h', port: 1, tls: 'auto', user: 'u', password: 'p' });
  });
});
