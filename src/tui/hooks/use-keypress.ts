/**
 * Calls `handler` with every key pressed, named by parseKey (function keys
 * included, which Ink's useInput leaves nameless). Reads the input stream
 * through Ink's public useStdin: Ink reads it, and each chunk it reads is
 * also emitted as a `data` event, split here into single keys.
 */
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { parseKey, type KeyPress } from '../keys/parse-key.js';
import { splitKeys } from '../keys/split-keys.js';

export function useKeypress(handler: (press: KeyPress) => void, { isActive = true }: { isActive?: boolean } = {}): void {
  const { stdin, setRawMode, isRawModeSupported } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;

  useEffect(() => {
    if (!isActive || !isRawModeSupported) return;
    // Raw mode first: Ink then reads the stream, and `data` comes from its reads.
    setRawMode(true);
    const onData = (chunk: string | Buffer): void => {
      for (const sequence of splitKeys(String(chunk))) latest.current(parseKey(sequence));
    };
    stdin.on('data', onData);
    return () => {
      // Off before raw mode ends: a `data` listener left alone would set the stream flowing.
      stdin.off('data', onData);
      setRawMode(false);
    };
  }, [isActive, isRawModeSupported, setRawMode, stdin]);
}
