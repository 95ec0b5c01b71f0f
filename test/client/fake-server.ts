/**
 * A scripted peer for the connection-layer tests: it speaks raw codec frames
 * and lets each test decide the replies, including broken ones a real ferryd
 * never sends (out-of-order replies, FAIL id 0, malformed frames, a dropped
 * socket).
 */
import net from 'node:net';
import tls from 'node:tls';
import {
  decodeClientMessage, encodeMessageToBuffer, FrameDecoder,
} from '../../src/protocol/codec.js';
import { DEFAULT_MAX_FRAME, HANDSHAKE_MAX_FRAME } from '../../src/protocol/constants.js';
import type { ClientMessage, ServerMessage } from '../../src/protocol/messages.js';

export interface FakePeer {
  socket: net.Socket;
  send(msg: ServerMessage): void;
  sendRaw(bytes: Buffer): void;
}

export interface FakeServerOptions {
  /** Called with every frame after CONN; return nothing and reply through `peer`. */
  onMessage?: (msg: ClientMessage, peer: FakePeer) => void;
  /** Replaces the default CONN reply. */
  onConn?: (msg: ClientMessage & { op: 'CONN' }, peer: FakePeer) => void;
  maxInFlight?: number;
  tls?: { key: string; cert: string };
}

export interface FakeServer {
  port: number;
  /** Every frame received, in order, per connection. */
  received: ClientMessage[];
  peers: FakePeer[];
  close(): Promise<void>;
}

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const received: ClientMessage[] = [];
  const peers: FakePeer[] = [];
  const sockets = new Set<net.Socket>();
  const handle = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME);
    const peer: FakePeer = {
      socket,
      send: (msg) => {
        if (!socket.destroyed) socket.write(encodeMessageToBuffer(msg));
      },
      sendRaw: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
    };
    peers.push(peer);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const msg = decodeClientMessage(frame);
        received.push(msg);
        if (msg.op === 'CONN' && 'minVersion' in msg) {
          if (options.onConn) {
            options.onConn(msg, peer);
          } else {
            decoder.setMaxFrame(DEFAULT_MAX_FRAME);
            peer.send({
              op: 'CONN', id: msg.id, version: 1, maxFrame: Math.min(msg.maxFrame, DEFAULT_MAX_FRAME),
              maxInFlight: options.maxInFlight ?? 64, capabilities: ['sha256'], flags: 0, serverName: 'fake', user: msg.user,
            });
          }
        } else {
          options.onMessage?.(msg, peer);
        }
      }
    });
  };
  const server = options.tls ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, handle) : net.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, received, peers,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
