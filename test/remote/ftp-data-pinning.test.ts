/**
 * FTPS data connections trusted on first use are held to the control
 * connection's certificate (pinDataConnections in ftp-login.ts). vsftpd
 * resumes the control session on every data connection, which passes by
 * itself, so the fresh-handshake case is shown here with real TLS servers:
 * the trusted certificate goes through, another one is cut before its bytes
 * are read.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { Client } from 'basic-ftp';
import { pinDataConnections } from '../../src/remote/ftp/ftp-login.js';
import { fingerprintOf, generateSelfSigned } from '../../src/security/certificate.js';

void describe('FTPS data connections pinned to the trusted certificate', () => {
  let server: tls.Server;
  let port: number;
  let presented: string;

  before(async () => {
    const { cert, key } = await generateSelfSigned('localhost');
    presented = fingerprintOf(cert);
    server = tls.createServer({ cert, key }, (socket) => socket.end('file bytes'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** What arrives over a data connection to the server, and the error basic-ftp closed the client with, if any. */
  async function receiveOver(trusted: string): Promise<{ received: string; closedWith?: string }> {
    const client = new Client();
    pinDataConnections(client, trusted);
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
    });
    // Listened to before basic-ftp takes the socket: when it closes the client it drops the socket's listeners.
    const ended = new Promise<void>((resolve) => {
      socket.once('end', resolve);
      socket.once('close', () => resolve());
      socket.once('error', () => resolve());
    });
    client.ftp.dataSocket = socket;
    await ended;
    const closedWith = (client.ftp as unknown as { _closingError?: Error })._closingError?.message;
    client.close();
    return { received, ...(closedWith ? { closedWith } : {}) };
  }

  void it('lets the trusted certificate through', async () => {
    assert.deepEqual(await receiveOver(presented), { received: 'file bytes' });
  });

  void it('cuts a data connection that presents another certificate before reading from it', async () => {
    const other = fingerprintOf((await generateSelfSigned('localhost')).cert);
    const { received, closedWith } = await receiveOver(other);
    assert.equal(received, '');
    assert.match(closedWith ?? '', /presented another certificate/);
  });
});
