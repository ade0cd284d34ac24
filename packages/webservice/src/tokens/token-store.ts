/**
 * Tokens in the store: `mdl_external_tokens` (Moodle's table, holding the SHA-256 of each token) and
 * `mdl_mbz_token_categories` (the categories a token may restore into). `createToken()` writes both in one
 * unit of work; `authenticateToken()` answers what Moodle's `webservice_server::authenticate_by_token()` does:
 * `invalidtoken` for an unknown token, `invalidtimedtoken` once `validuntil` has passed, and a refusal for a
 * deleted or suspended user.
 */
import { InvalidArgumentError } from '@mbz-restore/engine';
import type { Row, StorageAdapter } from '@mbz-restore/engine';
import { expiredToken, invalidToken, userRefused } from '../errors/exceptions.ts';
import { generateToken, hashToken } from './token-secret.ts';
import type { TokenIdentity, TokenUser } from './token-types.ts';

/** Moodle's `EXTERNAL_TOKEN_PERMANENT`. */
export const TOKEN_TYPE_PERMANENT = 0;

/** Moodle's admin user, the default owner of a token. */
export const ADMIN_USER_ID = 2;

/** Options of {@link createToken}. */
export interface CreateTokenOptions {
  /** User the token acts as. Default is the admin, id 2. */
  readonly userid?: number;
  /** A name to tell tokens apart (`external_tokens.name`). */
  readonly name?: string;
  /** Categories the token may restore into. Default is any category. */
  readonly categories?: readonly number[];
  /** Unix seconds after which the token stops working. Default is never. */
  readonly validuntil?: number;
}

/** A token just created: the secret (shown once, never stored) and its row id. */
export interface CreatedToken {
  readonly token: string;
  readonly id: number;
}

/** Creates a token; fails with `input.invalid-argument` naming a user or category that does not exist. */
export async function createToken(storage: StorageAdapter, options: CreateTokenOptions = {}): Promise<CreatedToken> {
  const userid = options.userid ?? ADMIN_USER_ID;
  const users = await storage.select('user', { id: userid });
  if (users.length === 0 || users[0]!.deleted === 1)
    throw new InvalidArgumentError(`There is no user ${userid} in the store: give the id of an existing user.`);
  const categories = [...new Set(options.categories ?? [])];
  for (const id of categories) {
    if ((await storage.count('course_categories', { id })) === 0) {
      throw new InvalidArgumentError(
        `There is no course category ${id} in the store: list existing ones with SELECT id, name FROM mdl_course_categories.`,
      );
    }
  }
  const token = generateToken();
  const now = Math.floor(Date.now() / 1000);
  const context = await storage.select('context', { contextlevel: 30, instanceid: userid });
  const tx = await storage.begin();
  try {
    const id = await tx.allocateIds('external_tokens', 1);
    await tx.insert('external_tokens', [
      {
        id,
        token: hashToken(token),
        tokentype: TOKEN_TYPE_PERMANENT,
        userid,
        externalserviceid: 0,
        contextid: (context[0]?.id as number) ?? 1,
        creatorid: ADMIN_USER_ID,
        validuntil: options.validuntil ?? null,
        timecreated: now,
        name: options.name ?? null,
      },
    ]);
    if (categories.length > 0) {
      const first = await tx.allocateIds('mbz_token_categories', categories.length);
      await tx.insert(
        'mbz_token_categories',
        categories.map((categoryid, i) => ({ id: first + i, tokenid: id, categoryid })),
      );
    }
    await tx.commit();
    return { token, id };
  } catch (error) {
    await tx.rollback();
    throw error;
  }
}

/** The token's identity, or the Moodle exception its request must answer. */
export async function authenticateToken(
  storage: StorageAdapter,
  token: string | undefined,
  now = Date.now(),
): Promise<TokenIdentity> {
  if (token === undefined || token === '' || !/^[A-Za-z0-9]+$/.test(token)) throw invalidToken();
  const rows = await storage.select(
    'external_tokens',
    { token: hashToken(token), tokentype: TOKEN_TYPE_PERMANENT },
    { limit: 1 },
  );
  const row = rows[0];
  if (!row) throw invalidToken();
  if (typeof row.validuntil === 'number' && row.validuntil > 0 && row.validuntil * 1000 < now) throw expiredToken();
  const users = await storage.select('user', { id: row.userid ?? null });
  const user = users[0];
  if (!user) throw invalidToken(`The token's user ${String(row.userid)} no longer exists.`);
  if (user.deleted === 1) throw userRefused('deleted', String(user.username));
  if (user.suspended === 1) throw userRefused('suspended', String(user.username));
  const categories = await storage.select('mbz_token_categories', { tokenid: row.id ?? null });
  return {
    id: row.id as number,
    name: typeof row.name === 'string' && row.name !== '' ? row.name : null,
    user: userOf(user),
    categories: categories.length === 0 ? null : categories.map((c) => c.categoryid as number).sort((a, b) => a - b),
  };
}

// Internal helpers

function userOf(row: Row): TokenUser {
  return {
    id: row.id as number,
    username: String(row.username ?? ''),
    firstname: String(row.firstname ?? ''),
    lastname: String(row.lastname ?? ''),
    lang: String(row.lang || 'en'),
  };
}
