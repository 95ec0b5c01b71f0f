// Lint rules: the recommended sets of ESLint and typescript-eslint, plus a few
// that catch the mistakes async network code makes (floating promises).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Only the jail touches ferryd's disk: src/server/storage/ holds every file-system call a client's
    // request can lead to, so what a client can reach is audited in that one folder. The rest of ferryd
    // (src/server, and the layers it uses: protocol, connection, hashing, terminal, bin) may not import
    // the fs modules. Exempt, because their business is the local user's own files, never a peer's
    // paths: the client's local side (src/client, and src/remote, the other kinds of remote), the terminal UI's local pane (src/tui), the command
    // entry points (src/cli), and src/security, which reads the configuration an operator names (users
    // file, certificates, the config folder). Dynamic import() is not checked; the review is.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    ignores: ['src/server/storage/**', 'src/client/**', 'src/tui/**', 'src/cli/**', 'src/security/**', 'src/sync/**', 'src/remote/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['node:fs', 'fs', 'node:fs/promises', 'fs/promises'].map((name) => ({
          name,
          message: 'File-system access of ferryd belongs in src/server/storage/ (the jail); see eslint.config.js.',
        })),
      }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
