// The `mbz` bin as users run it: esbuild bundles the CLI with the workspace's packages (from their TypeScript
// sources) into bundle/, after tsc has built dist/ (`pnpm build`). Loading one bundle instead of ~200 ESM modules
// is most of a cold start. What is in bundle/:
// - mbz.cjs: the bin. A small CommonJS file (Node loads it faster than ESM) that answers `--version` from
//   package.json and otherwise imports main.js.
// - main.js and chunk-*.js: the program, split at its dynamic imports, so `mbz inspect` does not load SQLite
//   or the webservice and `mbz --help` loads neither the engine.
// External: better-sqlite3 (a native addon), pino (loads its transports by file name) and cli-progress (required
// at run time). Everything else third-party is bundled.
// Restore worker threads (`mbz serve`, `mbz restore --detach`) run @mbz-restore/service's own built worker entry,
// resolved through the package: in the worker, the store adapter is imported by package name, and a worker made of
// the bundle would meet a second copy of the engine there.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'bundle');

/** worker-launch.ts finds the worker entry beside itself; in the bundle, it is the service package's dist file. */
let workerEntryReplaced = false;
const workerEntryPlugin = {
  name: 'service-worker-entry',
  setup(b) {
    b.onLoad({ filter: /[\\/]service[\\/]src[\\/]runner[\\/]worker-launch\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const from = /export function restoreWorkerEntry\(\): URL \{\n[^\n]*\n\}/;
      if (!from.test(source)) throw new Error(`bundle.mjs: restoreWorkerEntry() not found in ${args.path}`);
      const to =
        'export function restoreWorkerEntry(): URL {\n' +
        "  return new URL('./runner/restore-worker.js', import.meta.resolve('@mbz-restore/service'));\n}";
      workerEntryReplaced = true;
      return { contents: source.replace(from, to), loader: 'ts' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: join(root, 'src', 'main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['source'],
  external: ['better-sqlite3', 'pino', 'cli-progress', 'pg', 'pg-copy-streams', 'pg-boss'],
  // Bundled CommonJS packages (yauzl, tar-stream's, busboy) require Node's modules: give the ESM chunks a require.
  banner: {
    js: "import { createRequire as __mbzCreateRequire } from 'node:module';\nconst require = __mbzCreateRequire(import.meta.url);",
  },
  plugins: [workerEntryPlugin],
  legalComments: 'none',
  logLevel: 'warning',
});
if (!workerEntryReplaced)
  throw new Error("bundle.mjs: the service's worker-launch.ts was not bundled; update workerEntryPlugin");
await writeFile(
  join(outdir, 'mbz.cjs'),
  `#!/usr/bin/env node
'use strict';
// The mbz bin (built by scripts/bundle.mjs): --version without loading the program.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(require('../package.json').version + '\\n');
} else {
  import('./main.js').then((program) => program.main(argv));
}
`,
  { mode: 0o755 },
);
