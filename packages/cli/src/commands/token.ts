/**
 * `mbz token create --db <path> [--name …] [--user <id>] [--categories 1,2] [--json]`: creates a webservice token
 * in a SQLite store (created when absent) and prints it, once: the store keeps only its SHA-256. The token
 * acts as the user (the admin, id 2, by default) and, with `--categories`, may restore only into those.
 */
import type { Command } from 'commander';
import { createStore, storeChoice, type StoreOptions } from '../store-option.ts';
import type { StorageAdapter } from '@mbz-restore/engine';
import { ExitCode, printJsonLine, reportError, UsageError } from '../output.ts';

/** Registers `mbz token` and its subcommand `create`. */
export function registerToken(program: Command): void {
  const token = program.command('token').description('Manage webservice tokens (mbz serve)');
  token
    .command('create')
    .description('Create a webservice token and print it (shown once; the store keeps only its hash)')
    .option('--db <path>', 'SQLite store the webservice serves (created if absent)')
    .option('--pg <url>', 'PostgreSQL database the webservice serves, in place of --db (default: $DATABASE_URL)')
    .option('--name <name>', 'a name to tell tokens apart')
    .option('--user <id>', 'user the token acts as', '2')
    .option('--categories <ids>', 'comma-separated course categories the token may restore into (default: any)')
    .option('--json', 'print {"token", "id", "userid", "name", "categories"} as one JSON line')
    .action(
      async (
        options: StoreOptions & { name?: string; user: string; categories?: string; json?: boolean },
        command: Command,
      ) => {
        const debug = Boolean(command.optsWithGlobals().debug);
        let storage: StorageAdapter | undefined;
        try {
          const userid = positive('--user', options.user);
          const categories =
            options.categories === undefined
              ? undefined
              : options.categories.split(',').map((s) => positive('--categories', s.trim()));
          const choice = storeChoice(options);
          const { createToken } = await import('@mbz-restore/webservice');
          storage = await createStore(choice);
          await storage.open();
          const created = await createToken(storage, {
            userid,
            ...(options.name === undefined ? {} : { name: options.name }),
            ...(categories ? { categories } : {}),
          });
          if (options.json) {
            printJsonLine({
              token: created.token,
              id: created.id,
              userid,
              name: options.name ?? null,
              categories: categories ?? null,
            });
          } else {
            process.stdout.write(`${created.token}\n`);
            const scope = categories ? `categories ${categories.join(', ')}` : 'any category';
            process.stderr.write(
              `Token ${created.id} for user ${userid}, restoring into ${scope}. It is shown only now: the store keeps its hash.\n`,
            );
          }
          process.exitCode = ExitCode.Ok;
        } catch (error) {
          process.exitCode = reportError(error, { json: options.json, debug });
        } finally {
          await storage?.close().catch(() => undefined);
        }
      },
    );
}

// Internal helpers

function positive(option: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`${option} takes positive whole numbers, got "${raw}"`);
  return n;
}
