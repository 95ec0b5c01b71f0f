/**
 * `npm run build`, after tsc: bundles the scriptable commands into
 * dist/cli-bundle/ferry-commands.js and a chunk per remote kind
 * (src/cli/load-commands.ts), and the terminal UI (dist/src/tui/run-tui.js
 * and everything it imports, Ink and React included) into a few ESM files
 * under dist/tui-bundle/, which is what `ferry` loads (src/tui/load.ts).
 *
 * Why: loading the UI as separate modules spends most of `ferry`'s start-up
 * compiling hundreds of small files, opening and stat-ing them, and scanning
 * React's CommonJS files for their exports; one bundle loads in about a third
 * of that time (docs/TUI.md, docs/PERFORMANCE.md).
 *
 * The bundle is split at the UI's dynamic imports (src/tui/load-client.ts),
 * so the client library stays a separate chunk that loads only when first
 * used, after the first frame. (The demo server is not in the bundle: the
 * command line starts it, src/cli/demo.ts.) Modules both sides use (protocol
 * errors, for instance) go to a shared chunk, so there is one FerryError
 * class and `instanceof` holds across them.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { COMMANDS_BUNDLE } from '../src/cli/load-commands.js';
import { UI_BUNDLE } from '../src/tui/load.js';

const distRoot = fileURLToPath(new URL('..', import.meta.url));
const bundleFile = fileURLToPath(UI_BUNDLE);
const bundleDir = path.dirname(bundleFile);
const commandsFile = fileURLToPath(COMMANDS_BUNDLE);

// Chunk names carry a content hash: without this, every change would leave the old chunks behind.
await rm(bundleDir, { recursive: true, force: true });
await rm(path.dirname(commandsFile), { recursive: true, force: true });

// The scriptable commands (`ferry ls|get|put|...`) in one file plus a chunk
// per remote kind, for the same reason: a short command's time went mostly
// to loading ~50 separate modules (src/cli/load-commands.ts). The kinds are
// split at openRemote's dynamic imports (src/remote/open-remote.ts), so
// `ferry --version` compiles none of them and a ferry:// command not the SFTP
// or FTP kind; modules the main file and a kind share go to a shared chunk,
// so there is one FerryError class and `instanceof` holds across them.
/**
 * What the commands import only on some paths outside the remote kinds
 * (`ferry --demo ...` loads the UI and the demo server) stays outside the
 * bundle, imported from dist/src/ as before: inlined, it would be compiled by
 * every command.
 */
function keepDynamicImportsOutside(outDir: string, splitBelow: string): Plugin {
  return {
    name: 'keep-dynamic-imports-outside',
    setup(bundler) {
      bundler.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const resolved = path.resolve(args.resolveDir, args.path);
        if (resolved.startsWith(splitBelow)) return undefined;
        const target = path.relative(outDir, resolved).split(path.sep).join('/');
        return { path: target.startsWith('.') ? target : `./${target}`, external: true };
      });
    },
  };
}

await build({
  entryPoints: { [path.basename(commandsFile, '.js')]: path.join(distRoot, 'src/cli/ferry-commands.js') },
  outdir: path.dirname(commandsFile),
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [keepDynamicImportsOutside(path.dirname(commandsFile), path.join(distRoot, 'src/remote') + path.sep)],
  // ssh2 loads from node_modules, and only in its kind's chunk: it has optional native parts
  // (cpu-features, its .node crypto binding) a bundle cannot carry. basic-ftp, plain JavaScript, is
  // bundled into the FTP kind's chunk: loaded from node_modules it cost every ftp:// command ~25 ms of
  // CommonJS loading and export scanning (one file at a time, cjs-module-lexer).
  external: ['ssh2', 'cpu-features'],
  // A CommonJS dependency in a chunk calls `require` for Node's built-in modules, which an ES module does not have.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});

await build({
  entryPoints: { [path.basename(bundleFile, '.js')]: path.join(distRoot, 'src/tui/run-tui.js') },
  outdir: bundleDir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // React's production build for the shipped UI: the development build
  // checks and records extra information on every render (owner stacks,
  // warnings a user cannot act on) and is more code to compile at start.
  // Its cost is terser React error messages (a link with an error number),
  // which the UI shows as one line anyway. The component tests
  // (test/tui/app.test.tsx) import the sources and so keep the development
  // build and its warnings for developers.
  define: { 'process.env.NODE_ENV': '"production"' },
  // Ink imports react-devtools-core only when DEV=true, which `ferry` keeps
  // from it (src/tui/load.ts); an optional package, not installed, so it is
  // left outside the bundle rather than failing the build. ssh2 stays outside
  // as in the commands' bundle (native addons, .node, a bundle cannot hold)
  // and loads from node_modules only when an SFTP session opens; basic-ftp is
  // bundled into the FTP kind's chunk, which loads only when an FTP session
  // opens (src/remote/open-remote.ts).
  external: ['react-devtools-core', 'ssh2', 'cpu-features'],
  // The CommonJS parts of the bundle (signal-exit, stack-utils) call
  // `require` for Node's built-in modules, which an ES module does not have.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);" },
  // Not minified: a minified bundle loaded no faster here (V8 parses lazily
  // either way), and stack traces stay readable. The source map leads back
  // to src/ through tsc's maps.
  sourcemap: 'linked',
  logLevel: 'warning',
});
