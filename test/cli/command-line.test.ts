/** The `ferry` command-line parser (src/cli/command-line.ts), as meow parsed it before. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageInfo, parseCommandLine } from '../../src/cli/command-line.js';

const FLAGS = {
  recursive: { type: 'boolean', shortFlag: 'r', default: false },
  overwrite: { type: 'boolean', shortFlag: 'f', default: false },
  trustNew: { type: 'boolean', default: false },
} as const;

void test('options anywhere, grouped short flags, kebab-case names, defaults', () => {
  const line = parseCommandLine(['get', '-rf', 'ferry://h/a', '--trust-new', 'out'], FLAGS);
  assert.deepEqual(line.input, ['get', 'ferry://h/a', 'out']);
  assert.deepEqual(line.flags, { recursive: true, overwrite: true, trustNew: true });
  assert.deepEqual(line.unknown, []);
  assert.deepEqual(parseCommandLine(['ls', 'x'], FLAGS).flags, { recursive: false, overwrite: false, trustNew: false });
});

void test('--no-NAME turns a boolean off; undefined options are reported as written; -- ends options', () => {
  assert.equal(parseCommandLine(['-r', '--no-recursive', 'ls'], FLAGS).flags.recursive, false);
  assert.deepEqual(parseCommandLine(['ls', '-x', '--no-such-option', 'u'], FLAGS).unknown, ['-x', '--no-such-option']);
  assert.deepEqual(parseCommandLine(['rm', '--', '-r'], FLAGS).input, ['rm', '-r']);
});

void test("the version comes from the package's own package.json", () => {
  assert.match(packageInfo(import.meta.url).version ?? '', /^\d+\.\d+\.\d+/);
});

void test('a repeatable option collects every value in order, and keeps its default when absent', () => {
  const flags = { exclude: { type: 'string', isMultiple: true, default: [] as string[] } } as const;
  assert.deepEqual(parseCommandLine(['sync', '--exclude', '*.tmp', 'a', '--exclude=cache/', 'b'], flags).flags, { exclude: ['*.tmp', 'cache/'] });
  assert.deepEqual(parseCommandLine(['sync', 'a', 'b'], flags).flags, { exclude: [] });
});

void test('an alias is the same option (-R beside -r)', () => {
  const flags = { recursive: { type: 'boolean', shortFlag: 'r', aliases: ['R'], default: false } } as const;
  assert.deepEqual(parseCommandLine(['chmod', '-R', '644', 'u'], flags).flags, { recursive: true });
  assert.deepEqual(parseCommandLine(['chmod', '-r', '644', 'u'], flags).flags, { recursive: true });
  assert.deepEqual(parseCommandLine(['chmod', '644', 'u'], flags).flags, { recursive: false });
});
