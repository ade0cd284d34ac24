/**
 * Which store a command works on: `--db <path>` (a SQLite file) or `--pg <url>` (a PostgreSQL database), or, when
 * neither is given, the `DATABASE_URL` of the environment (PostgreSQL). The two options exclude each other.
 * `--filedir <dir>` puts a PostgreSQL store's file content in a shared folder (Moodle's filedir layout) instead of in
 * the database. Store packages are imported when a command opens its store, never before.
 */
import type { Command } from 'commander';
import type { JobStore, StorageAdapter } from '@mbz-restore/engine';
import { UsageError } from './output.ts';

/** The store options as commander gives them. */
export interface StoreOptions {
  readonly db?: string;
  readonly pg?: string;
  readonly filedir?: string;
}

/** The store a command was given. */
export type StoreChoice =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly filedir?: string };

/** Adds `--db`, `--pg` and `--filedir` to a command; `what` says what the store is for, in the help. */
export function storeOptions(command: Command, what: string): Command {
  return command
    .option('--db <path>', `SQLite file ${what}`)
    .option('--pg <url>', `PostgreSQL database ${what}, in place of --db (default: $DATABASE_URL)`)
    .option('--filedir <dir>', "with --pg: keep file content in this shared folder (Moodle's filedir layout)");
}

/** The store chosen by the options (and `DATABASE_URL`); a usage error when there is none or two. */
export function storeChoice(options: StoreOptions, env: NodeJS.ProcessEnv = process.env): StoreChoice {
  if (options.db !== undefined && options.pg !== undefined)
    throw new UsageError('give either --db <path> (SQLite) or --pg <url> (PostgreSQL), not both');
  const url = options.pg ?? (options.db === undefined ? env.DATABASE_URL || undefined : undefined);
  if (url !== undefined) {
    if (!/^postgres(ql)?:\/\//u.test(url))
      throw new UsageError(
        `--pg must be a postgres:// URL, e.g. postgres://user@host:5432/moodle, got "${redact(url)}"`,
      );
    return { kind: 'postgres', url, ...(options.filedir === undefined ? {} : { filedir: options.filedir }) };
  }
  if (options.filedir !== undefined) throw new UsageError('--filedir goes with --pg (a PostgreSQL store)');
  if (options.db === undefined)
    throw new UsageError(
      'a store is required: --db <path> (a SQLite file, created if absent) or --pg <url> (PostgreSQL; or set DATABASE_URL)',
    );
  return { kind: 'sqlite', path: options.db };
}

/** Makes the adapter of a store (not opened yet). */
export async function createStore(choice: StoreChoice): Promise<StorageAdapter & JobStore> {
  if (choice.kind === 'sqlite') {
    const { createSqliteStorage } = await import('@mbz-restore/storage-sqlite');
    return createSqliteStorage({ path: choice.path });
  }
  const { createPostgresStorage } = await import('@mbz-restore/storage-postgres');
  return createPostgresStorage({
    connectionString: choice.url,
    ...(choice.filedir === undefined ? {} : { filedir: choice.filedir }),
  });
}

/** The store for people and logs: the SQLite path, or the PostgreSQL URL without its password. */
export function describeStore(choice: StoreChoice): string {
  return choice.kind === 'sqlite' ? choice.path : redact(choice.url);
}

/** The command-line arguments that name this store again (for a follow-up command a person may type). */
export function storeArgs(choice: StoreChoice): string {
  if (choice.kind === 'sqlite') return `--db ${choice.path}`;
  return `--pg ${redact(choice.url)}${choice.filedir === undefined ? '' : ` --filedir ${choice.filedir}`}`;
}

/** A URL with its password, if any, replaced by `***`. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/u, '$1:***@');
}
