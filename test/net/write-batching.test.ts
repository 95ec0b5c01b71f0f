import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { batchWritesPerTurn, TurnBatchedWriter } from '../../src/net/write-batching.js';

/** A stream that records each batch it is handed: one writev call per batch, as a socket makes one system call. */
function recordingStream(highWaterMark = 1024): { stream: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Writable({
    highWaterMark,
    writev(chunks, done) {
      batches.push(chunks.map(({ chunk }) => Buffer.from(chunk as Buffer).toString()));
      done();
    },
    write(chunk, _encoding, done) {
      batches.push([Buffer.from(chunk as Buffer).toString()]);
      done();
    },
  });
  return { stream, batches };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

void test('writes of one turn, including those of its promise continuations, leave as one batch', async () => {
  const { stream, batches } = recordingStream();
  const writer = new TurnBatchedWriter(stream);
  writer.write(Buffer.from('a'));
  writer.write(Buffer.from('b'));
  await Promise.resolve();
  writer.write(Buffer.from('c'));
  assert.deepEqual(batches, [], 'nothing leaves before the turn ends');
  await nextTurn();
  await nextTurn();
  assert.deepEqual(batches, [['a', 'b', 'c']]);
  writer.write(Buffer.from('d'));
  await nextTurn();
  await nextTurn();
  assert.deepEqual(batches, [['a', 'b', 'c'], ['d']], 'the next turn is a batch of its own');
});

void test('backpressure is unchanged: write returns false past the high-water mark, and the callback runs once flushed', async () => {
  const { stream } = recordingStream(8);
  const writer = new TurnBatchedWriter(stream);
  let flushed = false;
  assert.equal(writer.write(Buffer.from('1234')), true);
  assert.equal(writer.write(Buffer.from('56789'), () => {
    flushed = true;
  }), false);
  assert.equal(flushed, false);
  await new Promise<void>((resolve) => stream.once('drain', resolve));
  assert.equal(flushed, true);
});

void test('batchWritesPerTurn batches a stream that a library writes to itself, keeping write\'s callback and result', async () => {
  const { stream, batches } = recordingStream(8);
  const socket = batchWritesPerTurn(stream);
  assert.equal(socket, stream, 'the same object, as the library holds it');
  let flushed = false;
  socket.write(Buffer.from('SSH-'));
  await Promise.resolve();
  assert.equal(socket.write(Buffer.from('packet'), () => {
    flushed = true;
  }), false, 'past the high-water mark, as an unbatched write would say');
  assert.deepEqual(batches, []);
  await nextTurn();
  await nextTurn();
  assert.deepEqual(batches, [['SSH-', 'packet']]);
  assert.equal(flushed, true);
});
