/**
 * useState whose latest value is readable at once through a ref. Keys can
 * arrive faster than React renders (a paste, a script driving the terminal);
 * handlers read the ref so the second key sees what the first one did.
 */
import { useCallback, useRef, useState } from 'react';

export type SyncedSetter<T> = (next: T | ((previous: T) => T)) => void;

export function useSyncedState<T>(initial: T | (() => T)): [T, SyncedSetter<T>, { readonly current: T }] {
  const [value, setValue] = useState(initial);
  const ref = useRef(value);
  const set = useCallback<SyncedSetter<T>>((next) => {
    const resolved = typeof next === 'function' ? (next as (previous: T) => T)(ref.current) : next;
    ref.current = resolved;
    setValue(resolved);
  }, []);
  return [value, set, ref];
}
