/**
 * `node --import <this module> program.js`: the program fails at the first
 * import whose resolved URL matches FERRY_FORBIDDEN_MODULES (a regular
 * expression), so a test can check what a program loads (dynamic imports
 * included). The check runs in Node's module hooks
 * (module-guard-hooks.ts).
 */
import { register } from 'node:module';

const pattern = process.env.FERRY_FORBIDDEN_MODULES;
if (pattern) register('./module-guard-hooks.js', import.meta.url, { data: pattern });
