/** parseRemoteUrl and its helpers: every scheme, its default port and encryption, and the URLs it refuses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { formatOrigin, isRemoteUrl, parseRemoteUrl, redactUrl } from '../../src/remote/remote-url.js';

void test('each scheme has its kind, default port and encryption', () => {
  const cases = [
    ['ferry://example.org/', 'ferry', 7070, true],
    ['ferry://127.0.0.1/', 'ferry', 7070, false],
    ['ferrys://127.0.0.1/', 'ferry', 7070, true],
    ['sftp://example.org/', 'sftp', 22, true],
    ['ftp://example.org/', 'ftp', 21, false],
    ['ftps://example.org/', 'ftp', 21, true],
  ] as const;
  for (const [url, kind, port, tls] of cases) {
    const parsed = parseRemoteUrl(url);
    assert.equal(parsed.kind, kind, url);
    assert.equal(parsed.port, port, url);
    assert.equal(parsed.tls, tls, url);
    assert.equal(parsed.portGiven, undefined, url);
  }
  assert.equal(parseRemoteUrl('SFTP://Host/').scheme, 'sftp', 'the scheme is not case-sensitive');
});

void test('user, password, port and path are taken apart and percent-decoded', () => {
  const parsed = parseRemoteUrl('ftp://al%20ice:p%40ss:w@files.example.org:2121/my%20docs/a%3Fb.txt');
  assert.deepEqual(parsed, {
    scheme: 'ftp', kind: 'ftp', host: 'files.example.org', port: 2121, portGiven: true,
    user: 'al ice', password: 'p@ss:w', path: '/my docs/a?b.txt', tls: false,
  });
  assert.equal(parseRemoteUrl('sftp://bob@host').path, '/', 'no path is the root');
  assert.equal(parseRemoteUrl('sftp://bob@host').password, undefined);
  assert.equal(parseRemoteUrl('ftp://:pw@host/').user, undefined, 'an empty user is none');
});

void test('IPv6 hosts are written in brackets', () => {
  const parsed = parseRemoteUrl('sftp://[::1]:2222/srv');
  assert.equal(parsed.host, '::1');
  assert.equal(parsed.port, 2222);
  assert.equal(parseRemoteUrl('ferry://[::1]/').tls, false, 'loopback ::1: plain TCP for ferry://');
  assert.equal(formatOrigin(parsed), 'sftp://[::1]:2222');
});

void test('what is not a remote URL is refused with INVALID_PATH, never echoing a password', () => {
  const refused = (url: string, why: RegExp): void => {
    assert.throws(() => parseRemoteUrl(url), (error: unknown) => {
      assert.ok(error instanceof FerryError && error.code === ErrorCode.INVALID_PATH, String(error));
      assert.match(error.message, why);
      assert.doesNotMatch(error.message, /secret/);
      return true;
    }, url);
  };
  refused('http://example.org/', /must start with ferry:\/\/, ferrys:\/\/, sftp:\/\/, ftp:\/\/ or ftps:\/\//);
  refused('/local/path', /must start with/);
  refused('ftp:///path', /no host/);
  refused('sftp://host:0/', /bad port 0/);
  refused('sftp://host:65536/', /bad port/);
  refused('sftp://host:22x/', /bad port/);
  refused('sftp://::1/', /no host/);
  refused('sftp://[::1/', /unclosed/);
  refused('sftp://[nohost]/', /not an IPv6 address/);
  refused('ftp://u:secret@host/a?b', /queries and fragments/);
  refused('ftp://u:secret@host/a#b', /queries and fragments/);
  refused('ftp://u:secret@host/%E0%A4%A', /percent-encoding in the path/);
  refused('ftp://ho st/', /bad host/);
});

void test('isRemoteUrl, formatOrigin and redactUrl', () => {
  for (const url of ['ferry://h', 'ferrys://h', 'sftp://h', 'ftp://h', 'ftps://h', 'FTP://h']) assert.equal(isRemoteUrl(url), true, url);
  for (const text of ['http://h', 'h', './sftp://h', '@work', 'sftp:/h']) assert.equal(isRemoteUrl(text), false, text);
  assert.equal(formatOrigin(parseRemoteUrl('ftps://u%20v:pw@h:21/x')), 'ftps://u%20v@h', 'default port left out, no password, no path');
  assert.equal(formatOrigin(parseRemoteUrl('ferry://h:7071/x')), 'ferry://h:7071');
  assert.equal(redactUrl('ftp://bob:hunter2@h/x'), 'ftp://bob:***@h/x');
  assert.equal(redactUrl('sftp://bob@h/x'), 'sftp://bob@h/x');
});
