/**
 * Calls `handler` with every key pressed, named by parseKey (function keys
 * included, which Ink's useInput leaves nameless). Reads the same input stream
 * as Ink's useInput, so text fields keep working beside it.
 */
import { useEffect, useRef } from 'react';
import { useStdin } from 'ink';
import { parseKey, type KeyPress } from '../keys/parse-key.js';

export function useKeypress(handler: (press: KeyPress) => void, { isActive = true }: { isActive?: boolean } = {}): void {
  const { setRawMode, isRawModeSupported, internal_eventEmitter: events } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;

  useEffect(() => {
    if (!isActive || !isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isActive, isRawModeSupported, setRawMode]);

  useEffect(() => {
    if (!isActive) return;
    const onInput = (sequence: string): void => {
      // Ink separates escape sequences, but plain keys that reach it in one
      // read (fast typing, a script, a paste) come as one string: split them
      // so every key is dispatched on its own.
      if (sequence.length > 1 && !sequence.startsWith('\x1b')) {
        for (const char of sequence) latest.current(parseKey(char));
        return;
      }
      // Escape pressed just before another special key reaches Ink as one
      // "meta" sequence (ESC ESC [15~): that is two keys.
      if (sequence.startsWith('\x1b\x1b') && sequence.length > 2) {
        latest.current(parseKey('\x1b'));
        latest.current(parseKey(sequence.slice(1)));
        return;
      }
      latest.current(parseKey(sequence));
    };
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
    };
  }, [isActive, events]);
}
