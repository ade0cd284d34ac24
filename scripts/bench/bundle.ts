/**
 * Builds what the bench's children run: the workspace packages as plain JavaScript, laid out as an
 * application would install them (`<outDir>/node_modules/@mbz-restore/<package>/index.js`), and the child
 * script beside them. Measurements then see the library as it runs once built: no TypeScript loader thread
 * in the RSS figure (+35 MB under tsx), no compile time in the seconds, and restore workers started from the
 * service's built worker entry (`restore-worker.js`, next to the service's own files, where it looks for it).
 *
 * Each package is bundled with esbuild with its npm dependencies inside and the other workspace packages
 * left as imports, so each package exists once per thread. The service is split into chunks shared by its
 * two entries (`index.js`, `restore-worker.js`). better-sqlite3 stays outside every bundle (it loads a
 * native addon next to its own files) and is imported from where the workspace installed it. The PostgreSQL store
 * is bundled with pg inside (`pnpm bench --adapter postgres` runs the local-queue side of its queue comparison in a
 * child).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/** Builds everything into `outDir` and returns the path of the child script. */
export async function bundleChild(repo: string, outDir: string): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  const betterSqlite = createRequire(join(repo, 'packages/storage-sqlite/package.json')).resolve('better-sqlite3');
  const outside: Plugin = {
    name: 'outside',
    setup(b) {
      b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: betterSqlite, external: true }));
      // pg's optional native binding (libpq), never installed here: pg loads it only when asked for `pg.native`.
      b.onResolve({ filter: /^pg-native$/ }, (args) => ({ path: args.path, external: true }));
      b.onResolve({ filter: /^@mbz-restore\// }, (args) => ({ path: args.path, external: true }));
    },
  };
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [outside],
    // Some dependencies are CommonJS and call require(): give each ESM file one.
    banner: {
      js: "import { createRequire as __mbzCreateRequire } from 'node:module'; const require = __mbzCreateRequire(import.meta.url);",
    },
  };
  const modules = join(outDir, 'node_modules', '@mbz-restore');
  const pkg = (name: string): string => {
    const dir = join(modules, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify({ name: `@mbz-restore/${name}`, type: 'module', exports: './index.js' })}\n`,
    );
    return dir;
  };
  await build({
    ...common,
    entryPoints: {
      index: join(repo, 'packages/service/src/index.ts'),
      'restore-worker': join(repo, 'packages/service/src/runner/restore-worker.ts'),
    },
    outdir: pkg('service'),
    splitting: true,
  });
  for (const name of ['engine', 'storage-sqlite', 'storage-memory', 'storage-postgres']) {
    await build({
      ...common,
      entryPoints: [join(repo, `packages/${name}/src/index.ts`)],
      outfile: join(pkg(name), 'index.js'),
    });
  }
  const child = join(outDir, 'child.js');
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  await build({ ...common, entryPoints: [join(repo, 'scripts/bench/child.ts')], outfile: child });
  return child;
}
