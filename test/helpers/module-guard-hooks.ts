/** Module hooks of module-guard.ts: a resolve hook that refuses URLs matching the pattern. */
import type { InitializeHook, ResolveHook } from 'node:module';

let forbidden: RegExp | undefined;

export const initialize: InitializeHook<string> = (pattern) => {
  forbidden = new RegExp(pattern);
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  if (forbidden?.test(resolved.url)) throw new Error(`module guard: forbidden module ${resolved.url}`);
  return resolved;
};
