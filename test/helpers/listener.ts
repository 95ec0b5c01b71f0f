/**
 * Ports for the servers the tests start (ferryd aside, which reports its own):
 * a free loopback port to write into a configuration, and a wait until the
 * server listens there, failing with the server's own words if it exits first.
 */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

/** A free TCP port on `host`, for servers that cannot report the port they picked (HAProxy, sshd, vsftpd). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something on 127.0.0.1 accepts a connection on `port` now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits (up to 10 s) until `child`, called `name`, listens on `port`; rejects with its output if it exits first. */
export async function waitForListener(port: number, child: ChildProcess, name: string, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited: ${output().trim().slice(-500)}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} does not listen on ${port}: ${output().trim().slice(-500)}`);
}
