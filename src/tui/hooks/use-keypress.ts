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
    const onInput = (sequence: string): void => latest.current(parseKey(sequence));
    events.on('input', onInput);
    return () => {
      events.off('input', onInput);
    };
  }, [isActive, events]);
}
