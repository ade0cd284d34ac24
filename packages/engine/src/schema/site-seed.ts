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
 * leaves role names and descriptions empty (they are shown localised) and so do we. Module installs that write
 * data: `xmldb_survey_install()` (`mod/survey/db/install.php`) inserts the five built-in surveys (course 0, ids
 * 1–5, which a survey's `template` names) and their 73 questions (which `survey_answers.question` names).
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
  'assign',
  'bigbluebuttonbn',
  'book',
  'chat',
  'choice',
  'data',
  'feedback',
  'folder',
  'forum',
  'glossary',
  'h5pactivity',
  'imscp',
  'label',
  'lesson',
  'lti',
  'page',
  'qbank',
  'quiz',
  'resource',
  'scorm',
  'survey',
  'url',
  'wiki',
  'workshop',
];

/**
 * Modules a fresh Moodle 4.3 site installs disabled (`modules.visible` 0): `xmldb_bigbluebuttonbn_install()`
 * (`mod/bigbluebuttonbn/db/install.php`). Moodle still restores their activities, but leaves them out of the
 * course's module cache, so a restore does not update their availability.
 */
export const DISABLED_MODULES: ReadonlySet<string> = new Set(['bigbluebuttonbn']);

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
  if (!Number.isInteger(now) || now < 0)
    throw new RangeError(`now must be Unix seconds (a non-negative integer), got ${now}`);
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
    course: [
      {
        id: 1,
        category: 0,
        sortorder: 1,
        fullname: options.fullname ?? 'mbz-restore',
        shortname: options.shortname ?? 'mbz-restore',
        summary: null,
        format: 'site',
        newsitems: 3,
        timecreated: now,
        timemodified: now,
      },
    ],
    course_format_options: [{ id: 1, courseid: 1, format: 'site', sectionid: 0, name: 'numsections', value: '1' }],
    course_categories: [
      {
        id: 1,
        name: 'Category 1',
        descriptionformat: 0,
        parent: 0,
        sortorder: 10000,
        coursecount: 0,
        visible: 1,
        visibleold: 1,
        timemodified: now,
        depth: 1,
        path: '/1',
      },
    ],
    context: [
      { id: 1, contextlevel: CONTEXT.system, instanceid: 0, path: '/1', depth: 1, locked: 0 },
      { id: 2, contextlevel: CONTEXT.course, instanceid: 1, path: '/1/2', depth: 2, locked: 0 },
      { id: 3, contextlevel: CONTEXT.coursecat, instanceid: 1, path: '/1/3', depth: 2, locked: 0 },
      { id: 4, contextlevel: CONTEXT.user, instanceid: 1, path: '/1/4', depth: 2, locked: 0 },
      { id: 5, contextlevel: CONTEXT.user, instanceid: 2, path: '/1/5', depth: 2, locked: 0 },
    ],
    user: [
      {
        id: 1,
        auth: 'manual',
        confirmed: 1,
        mnethostid: 1,
        username: 'guest',
        password: '',
        firstname: 'Guest user',
        lastname: ' ',
        email: 'root@localhost',
        lang: 'en',
        timemodified: now,
        description: 'This user is a special user that allows read-only access to some courses.',
      },
      {
        id: 2,
        auth: 'manual',
        confirmed: 1,
        mnethostid: 1,
        username: 'admin',
        password: 'adminsetuppending',
        firstname: 'Admin',
        lastname: 'User',
        email: '',
        lang: 'en',
        maildisplay: 1,
        lastip: '0.0.0.0',
        timemodified: now,
      },
    ],
    role: roles.map((shortname, i) => ({
      id: i + 1,
      name: '',
      shortname,
      description: '',
      sortorder: i + 1,
      archetype: shortname,
    })),
    role_context_levels: roleLevels
      .flatMap(([shortname, levels]) =>
        levels.map((contextlevel) => ({ roleid: roles.indexOf(shortname) + 1, contextlevel })),
      )
      .map((row, i) => ({ id: i + 1, ...row })),
    modules: SEED_MODULES.map((name, i) => ({
      id: i + 1,
      name,
      cron: 0,
      lastcron: 0,
      search: '',
      visible: DISABLED_MODULES.has(name) ? 0 : 1,
    })),
    survey: SURVEY_TEMPLATES.map(([name, intro, questions], i) => ({
      id: i + 1,
      course: 0,
      template: 0,
      days: 0,
      timecreated: 985017600,
      timemodified: 985017600,
      name,
      intro,
      introformat: 0,
      questions,
      completionsubmit: 0,
    })),
    survey_questions: SURVEY_QUESTIONS.map(([text, shorttext, multi, intro, type, options], i) => ({
      id: i + 1,
      text,
      shorttext,
      multi,
      intro,
      type,
      options,
    })),
  };
}

/** The built-in surveys of `xmldb_survey_install()`, in install (= id) order: name, intro, question ids. */
export const SURVEY_TEMPLATES: ReadonlyArray<readonly [string, string, string]> = [
  ['collesaname', 'collesaintro', '25,26,27,28,29,30,43,44'],
  ['collespname', 'collespintro', '31,32,33,34,35,36,43,44'],
  ['collesapname', 'collesapintro', '37,38,39,40,41,42,43,44'],
  ['attlsname', 'attlsintro', '65,67,68'],
  ['ciqname', 'ciqintro', '69,70,71,72,73'],
];

/**
 * The 73 questions of `xmldb_survey_install()`, in install (= id) order: text, shorttext, multi, intro, type,
 * options (columns the installer leaves out take install.xml's defaults: '' and NULL for `options`).
 */
export const SURVEY_QUESTIONS: ReadonlyArray<readonly [string, string, string, string, number, string | null]> = [
  ...Array.from({ length: 24 }, (_, i) => [`colles${i + 1}`, `colles${i + 1}short`, '', '', 1, 'scaletimes5'] as const),
  ...[1, 2, 3].flatMap((type) =>
    Array.from(
      { length: 6 },
      (_, i) =>
        [
          `collesm${i + 1}`,
          `collesm${i + 1}short`,
          [4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4].join(','),
          'collesmintro',
          type,
          'scaletimes5',
        ] as const,
    ),
  ),
  ['howlong', '', '', '', 1, 'howlongoptions'],
  ['othercomments', '', '', '', 0, null],
  ...Array.from({ length: 20 }, (_, i) => [`attls${i + 1}`, `attls${i + 1}short`, '', '', 1, 'scaleagree5'] as const),
  [
    'attlsm1',
    'attlsm1',
    '45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64',
    'attlsmintro',
    1,
    'scaleagree5',
  ],
  ['-', '-', '-', '-', 0, '-'],
  ['attlsm2', 'attlsm2', '63,62,59,57,55,49,52,50,48,47', 'attlsmintro', -1, 'scaleagree5'],
  ['attlsm3', 'attlsm3', '46,54,45,51,60,53,56,58,61,64', 'attlsmintro', -1, 'scaleagree5'],
  ...Array.from({ length: 5 }, (_, i) => [`ciq${i + 1}`, `ciq${i + 1}short`, '', '', 0, null] as const),
];

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
