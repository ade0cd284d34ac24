/**
 * What a fresh Moodle 4.3 site holds that a course restore relies on, as rows keyed by table name: the
 * `config` rows a restore reads, the site course (id 1), the default category (id 1), the system, category,
 * site-course and user contexts, the eight standard roles and where they can be assigned, the `guest` (id 1)
 * and `admin` (id 2) users, and one `modules` row per core activity module.
 *
 * Follows `lib/db/install.php` (`xmldb_main_install()`): the system context is created first (id 1), then the
 * site course and its context (2), the default category and its context (3), `guest` and its context (4),
 * `admin` and its context (5), then the roles with `create_role()` (sortorder = id) and
 * `set_role_contextlevels(get_default_contextlevels(archetype))` (`lib/accesslib.php`). Moodle's installer
 * leaves role names and descriptions empty (they are shown localised) and so do we.
 *
 * Departures: `config` holds only what a restore reads (Moodle keeps several hundred settings there); the
 * `wwwroot` row exists only when the caller gives one (Moodle keeps it in config.php), so a backup whose site
 * identifier hash is empty is never taken for one of ours by URL; the modules are installed in alphabetical
 * order with ids 1…n (Moodle's order, but a real site's ids depend on its history); passwords are not real
 * hashes (`guest` cannot log in anywhere: there is nowhere to log in); `qbank` (a Moodle 5.0 module) is
 * listed so 5.0 backups restore; the 4.3 stub `assignment` is not.
 */
import { randomBytes } from 'node:crypto';
import type { Row } from '../storage/storage-adapter.ts';

/** What {@link createSiteSeed} needs. */
export interface SiteSeedOptions {
  /** The store's stable site identifier (Moodle's `$CFG->siteidentifier`); see {@link createSiteIdentifier}. */
  readonly siteidentifier: string;
  /** The site URL, stored as `config.wwwroot` when given. Default is no `wwwroot` row. */
  readonly wwwroot?: string;
  /** Unix time in seconds, used for every `time*` column. */
  readonly now: number;
  /** Site course full name. Default is `mbz-restore`. */
  readonly fullname?: string;
  /** Site course short name. Default is `mbz-restore`. */
  readonly shortname?: string;
}

/** Moodle 4.3.0's `$version` and `$release` (`version.php`), stored in `config`. */
export const SITE_SEED_VERSION = { version: '2023100900', release: '4.3 (Build: 20231009)' } as const;

/** Every core activity module installed by the seed, in install (= id) order. */
export const SEED_MODULES: readonly string[] = [
  'assign', 'bigbluebuttonbn', 'book', 'chat', 'choice', 'data', 'feedback', 'folder', 'forum', 'glossary',
  'h5pactivity', 'imscp', 'label', 'lesson', 'lti', 'page', 'qbank', 'quiz', 'resource', 'scorm', 'survey',
  'url', 'wiki', 'workshop',
];

/**
 * A new site identifier as Moodle makes one at install: 32 random alphanumeric characters followed by the
 * host of `wwwroot` (`random_string(32) . get_host_from_url($CFG->wwwroot)`).
 */
export function createSiteIdentifier(wwwroot?: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(32);
  let id = '';
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id + (wwwroot === undefined ? '' : hostOf(wwwroot));
}

/** The rows of a fresh site, by table name (without prefix). Each row carries its `id`. */
export function createSiteSeed(options: SiteSeedOptions): Record<string, Row[]> {
  const { siteidentifier, wwwroot, now } = options;
  if (!Number.isInteger(now) || now < 0) throw new RangeError(`now must be Unix seconds (a non-negative integer), got ${now}`);
  if (siteidentifier === '') throw new RangeError('siteidentifier must not be empty');

  const config: Array<[string, string]> = [
    ['siteidentifier', siteidentifier],
    ...(wwwroot === undefined ? [] : [['wwwroot', wwwroot] as [string, string]]),
    ['version', SITE_SEED_VERSION.version],
    ['release', SITE_SEED_VERSION.release],
    ['mnet_localhost_id', '1'],
    ['siteguest', '1'],
    ['siteadmins', '2'],
  ];

  const roles = ['manager', 'coursecreator', 'editingteacher', 'teacher', 'student', 'guest', 'user', 'frontpage'];
  // get_default_contextlevels(): manager → system, category, course; coursecreator → system, category;
  // (editing)teacher and student → course, module; guest, user, frontpage → none.
  const roleLevels: Array<[string, number[]]> = [
    ['manager', [CONTEXT.system, CONTEXT.coursecat, CONTEXT.course]],
    ['coursecreator', [CONTEXT.system, CONTEXT.coursecat]],
    ['editingteacher', [CONTEXT.course, CONTEXT.module]],
    ['teacher', [CONTEXT.course, CONTEXT.module]],
    ['student', [CONTEXT.course, CONTEXT.module]],
  ];

  return {
    config: config.map(([name, value], i) => ({ id: i + 1, name, value })),
    course: [{
      id: 1, category: 0, sortorder: 1, fullname: options.fullname ?? 'mbz-restore', shortname: options.shortname ?? 'mbz-restore',
      summary: null, format: 'site', newsitems: 3, timecreated: now, timemodified: now,
    }],
    course_format_options: [{ id: 1, courseid: 1, format: 'site', sectionid: 0, name: 'numsections', value: '1' }],
    course_categories: [{
      id: 1, name: 'Category 1', descriptionformat: 0, parent: 0, sortorder: 10000, coursecount: 0, visible: 1,
      visibleold: 1, timemodified: now, depth: 1, path: '/1',
    }],
    context: [
      { id: 1, contextlevel: CONTEXT.system, instanceid: 0, path: '/1', depth: 1, locked: 0 },
      { id: 2, contextlevel: CONTEXT.course, instanceid: 1, path: '/1/2', depth: 2, locked: 0 },
      { id: 3, contextlevel: CONTEXT.coursecat, instanceid: 1, path: '/1/3', depth: 2, locked: 0 },
      { id: 4, contextlevel: CONTEXT.user, instanceid: 1, path: '/1/4', depth: 2, locked: 0 },
      { id: 5, contextlevel: CONTEXT.user, instanceid: 2, path: '/1/5', depth: 2, locked: 0 },
    ],
    user: [
      {
        id: 1, auth: 'manual', confirmed: 1, mnethostid: 1, username: 'guest', password: '', firstname: 'Guest user',
        lastname: ' ', email: 'root@localhost', lang: 'en', timemodified: now,
        description: 'This user is a special user that allows read-only access to some courses.',
      },
      {
        id: 2, auth: 'manual', confirmed: 1, mnethostid: 1, username: 'admin', password: 'adminsetuppending', firstname: 'Admin',
        lastname: 'User', email: '', lang: 'en', maildisplay: 1, lastip: '0.0.0.0', timemodified: now,
      },
    ],
    role: roles.map((shortname, i) => ({ id: i + 1, name: '', shortname, description: '', sortorder: i + 1, archetype: shortname })),
    role_context_levels: roleLevels
      .flatMap(([shortname, levels]) => levels.map((contextlevel) => ({ roleid: roles.indexOf(shortname) + 1, contextlevel })))
      .map((row, i) => ({ id: i + 1, ...row })),
    modules: SEED_MODULES.map((name, i) => ({ id: i + 1, name, cron: 0, lastcron: 0, search: '', visible: 1 })),
  };
}

// Internal helpers

/** Moodle's context levels (`CONTEXT_*` in `lib/accesslib.php`). */
const CONTEXT = { system: 10, user: 30, coursecat: 40, course: 50, module: 70 } as const;

/** The host part of a URL, or '' when it is not one (Moodle's `get_host_from_url()`). */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
