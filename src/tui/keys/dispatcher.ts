/**
 * The one keypress dispatcher. Layers are asked in priority order — a dialog
 * first, then the focused pane (or the transfer queue), then global keys — and
 * the first handler that returns true consumed the key. A modal dialog returns
 * true for every key, so nothing under it reacts.
 */
import type { KeyPress } from './parse-key.js';
import { isControlCharacter } from '../../terminal/control-characters.js';

/** Returns true when it consumed the key. */
export type KeyHandler = (press: KeyPress) => boolean;

export interface KeyLayers {
  dialog?: KeyHandler | undefined;
  pane?: KeyHandler | undefined;
  global?: KeyHandler | undefined;
}

export const layerOrder = ['dialog', 'pane', 'global'] as const;

/** Which layer consumed the key, or undefined when none did. */
export function dispatchKey(press: KeyPress, layers: KeyLayers): (typeof layerOrder)[number] | undefined {
  for (const layer of layerOrder) {
    const handler = layers[layer];
    if (handler && handler(press)) return layer;
  }
  return undefined;
}

/** A printable character a text field would take (no control keys, no escape sequences). */
export function isTextInput(press: KeyPress): boolean {
  if (press.ctrl || press.meta) return false;
  if (press.name === 'space') return true;
  return press.name === press.sequence && press.sequence.length >= 1 && ![...press.sequence].some((char) => isControlCharacter(char.charCodeAt(0)));
}
