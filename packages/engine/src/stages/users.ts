/**
 * Users: every backup user some restored part refers to is matched to a user of the store or created.
 * Follows the root task's `restore_load_included_users`, `restore_process_included_users` and
 * `restore_create_included_users` (`backup/moodle2/restore_stepslib.php`), i.e.
 * `restore_dbops::precheck_included_users()`, `precheck_user()` and `create_included_users()`:
 *
 * 1. Precheck (reads only): each user with a `userref` is matched (rules 1A–1D same site, 2A–2C other
 *    site), marked for creation, or found in conflict (1E, 2D). Conflicts stop the restore with
 *    `restore.user-conflict` before anything is written, as Moodle's prechecks refuse to run.
 * 2. Create: users.xml is streamed again and the users marked for creation are inserted. Matched and
 *    created users are mapped under `user`, created users' contexts under `context`.
 *
 * Two passes over users.xml keep memory to one decision per user instead of every user record.
 *
 * Departures from Moodle, on purpose:
 * - Duplicate admins are always allowed (Moodle's `backup | import_general_duplicate_admin_allowed`,
 *   off by default): the store's `admin` is seeded without an email, so another site's `admin` would
 *   otherwise conflict in nearly every backup. It becomes `admin_<original site hash>` (rule 2A2), made
 *   once and matched by later restores. With the setting on Moodle lets other conflicts through and then
 *   fails on the database's unique index; here they stay errors.
 * - Two backup users with the same username and host would both be created by Moodle (and fail); here
 *   that is a conflict too.
 * - MNet hosts: the store has no `mnet_host` table, so every user gets the local host, which is what
 *   Moodle does for a host it does not know.
 * - Creation rights (`moodle/restore:createuser`, `$CFG->disableusercreationonrestore`) are not checked:
 *   the restore runs as the store's admin.
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { RestoreContext } from '../pipeline/context.ts';
import type { AuthConfig } from './users/create-user.ts';
import { createUser } from './users/create-user.ts';
import { userFinder } from './users/user-finder.ts';
import { precheckUser } from './users/precheck-user.ts';
import { describeConflict, userConflictError, type UserConflict } from './users/user-conflict.ts';
import { includedUsers, USERS_XML, type BackupUser } from './users/users-xml.ts';

/** What the precheck decided for one backup user. */
type Decision = { readonly match: number; readonly deleted: boolean } | { readonly create: string };

export const usersStage = defineStage({
  name: 'users',
  enabledBy: ['users'],
  reads: [USERS_XML],
  weight: 4,
  async run(ctx) {
    const total = ctx.state.inforefs.get('user')?.size ?? 0;
    if (total === 0) return;
    if (!ctx.source.has(USERS_XML)) {
      ctx.warn(
        'users-xml-missing',
        `The backup says it holds users but has no ${USERS_XML}; no user is restored and user data that needs them is skipped.`,
        USERS_XML,
      );
      return;
    }
    const config = await siteConfig(ctx);
    const decisions = await precheck(ctx, config, total);
    await create(ctx, config, decisions, total);
  },
});

// Internal helpers

interface SiteConfig {
  readonly auth: AuthConfig;
  readonly localHostId: number;
}

/** Pass 1: decide, write nothing; throw when any user conflicts. */
async function precheck(ctx: RestoreContext, config: SiteConfig, total: number): Promise<Map<number, Decision>> {
  const decisions = new Map<number, Decision>();
  const conflicts: UserConflict[] = [];
  // Backup ids of the users to create, by host and username: only the id, never the whole record (a
  // backup can hold tens of thousands of users, each with its description and preferences).
  const planned = new Map<string, number>();
  const siteHash = ctx.manifest.originalSiteIdentifierHash;
  const options = { sameSite: ctx.state.sameSite, siteHash, localHostId: config.localHostId };
  let done = 0;
  const finder = await userFinder(ctx.rows);
  for await (const user of includedUsers(ctx)) {
    if (++done % 500 === 0) ctx.signal.throwIfAborted();
    ctx.progress(done, total * 2);
    const mnethostid = hostId(user, config);
    const check = await precheckUser(finder, user, mnethostid, options);
    if (check.kind === 'match') {
      decisions.set(user.id, { match: Number(check.user.id), deleted: Number(check.user.deleted) !== 0 });
    } else {
      let username = user.username;
      if (check.kind === 'conflict') {
        if (user.username !== 'admin' || mnethostid !== config.localHostId) {
          conflicts.push({
            user,
            existing: check.existing,
            reason: describeConflict(user, check.existing, check.rule),
          });
          continue;
        }
        // 2A2: duplicate admin. A same-site restore can meet an `admin_<hash>` made before: reuse it.
        username = `admin_${siteHash}`;
        const [made] = await finder.select('user', { username, mnethostid }, { limit: 1 });
        if (made) {
          decisions.set(user.id, { match: Number(made.id), deleted: Number(made.deleted) !== 0 });
          continue;
        }
      }
      const key = `${mnethostid}\u0000${username}`;
      const twin = planned.get(key);
      if (twin !== undefined) {
        conflicts.push({
          user,
          existing: undefined,
          reason: `the backup holds two users named "${username}" (ids ${twin} and ${user.id}); only one can be created`,
        });
        continue;
      }
      planned.set(key, user.id);
      decisions.set(user.id, { create: username });
    }
  }
  if (conflicts.length > 0) throw userConflictError(conflicts);
  return decisions;
}

/** Pass 2: map matched users, create the others. */
async function create(
  ctx: RestoreContext,
  config: SiteConfig,
  decisions: Map<number, Decision>,
  total: number,
): Promise<void> {
  for (const [oldId, decision] of decisions) {
    if (!('match' in decision)) continue;
    ctx.ids.set('user', oldId, decision.match);
    if (decision.deleted) ctx.state.deletedUserIds.add(decision.match);
  }
  const fieldIds = new Map<string, number | null>();
  let skippedTags = 0;
  let done = 0;
  for await (const user of includedUsers(ctx)) {
    if (++done % 500 === 0) ctx.signal.throwIfAborted();
    const decision = decisions.get(user.id);
    if (decision && 'create' in decision) {
      const created = await createUser(ctx, user, {
        username: decision.create,
        mnethostid: hostId(user, config),
        auth: config.auth,
        fieldIds,
      });
      skippedTags += created.skippedTags;
    }
    ctx.progress(total + done, total * 2);
  }
  if (skippedTags > 0) {
    ctx.warn(
      'user-tags-skipped',
      `${skippedTags} interest tags of restored users were not restored: the store has no tag collections.`,
      USERS_XML,
    );
  }
}

/**
 * `precheck_included_users()`: an empty `mnethosturl` or this site's URL is the local host, a known MNet
 * peer its `mnet_host` id, an unknown host the local host again. The store has no `mnet_host` table, so
 * every user gets the local host.
 */
function hostId(_user: BackupUser, config: SiteConfig): number {
  return config.localHostId;
}

async function siteConfig(ctx: RestoreContext): Promise<SiteConfig> {
  const value = async (name: string): Promise<string | undefined> => {
    const [row] = await ctx.rows.select('config', { name }, { limit: 1 });
    return row ? String(row.value ?? '') : undefined;
  };
  const localHostId = Number(await value('mnet_localhost_id')) || 1;
  // Moodle's defaults: $CFG->auth = 'email'; manual and nologin are always enabled.
  const enabled = new Set([
    'manual',
    'nologin',
    ...((await value('auth')) ?? 'email')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ]);
  return {
    localHostId,
    auth: { enabled, registerauth: (await value('registerauth')) ?? '', localHostId },
  };
}
