/** Connecting the client library to the ferryd under test. */
import { FerryClient } from '../src/client/client.js';

export async function connectPlain(host: string, port: number): Promise<FerryClient> {
  return FerryClient.connect({ host, port, tls: 'off' });
}

/** A TLS session that trusts whatever certificate the bench's own server shows. */
export async function connectTls(host: string, port: number): Promise<FerryClient> {
  return FerryClient.connect({ host, port, tls: 'require', verifyFingerprint: async () => true });
}

export async function quitQuietly(client: FerryClient): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.close();
  }
}
