/**
 * What a caller may pass as restore options, and its validation into numbers by setting name.
 *
 * Follows `course/externallib.php` `duplicate_course()`: options come as `[{ name, value }]`, every value
 * must be 0 or 1 (we also accept 2 for `enrolments`), an unknown name is refused (`invalidextparam`), and
 * a name given twice keeps its last value. We are stricter than Moodle's `clean_param(PARAM_INT)`, which
 * turns any non-number string into 0: here it is an error.
 */
import { InvalidArgumentError } from '../errors.ts';
import type { BackupManifest } from '../backup/manifest.ts';
import { ROOT_OPTION_NAMES, isRootOptionName, rootOptionSpec, type RootOptionName } from './restore-options.ts';

/** One option value as callers send it: a number, a boolean, or a decimal string (the webservice sends strings). */
export type OptionValue = number | boolean | string;

/** One item of Moodle's list form. */
export interface OptionItem {
  /** Setting name, e.g. `users`, `section_636_included`, `forum_34_userinfo`. */
  readonly name: string;
  /** Its value. */
  readonly value: OptionValue;
}

/**
 * Restore options: `{ users: 1, logs: '0' }` or Moodle's `[{ name: 'users', value: 1 }]`. Names are root
 * options ({@link ROOT_OPTION_NAMES}) or section/activity settings of the backup (`section_<id>_included`,
 * `section_<id>_userinfo`, `<mod>_<cmid>_included`, `<mod>_<cmid>_userinfo`). In the object form an
 * `undefined` value counts as not given.
 */
export type RestoreOptionsInput = Readonly<Record<string, OptionValue | undefined>> | readonly OptionItem[];

/** Validated input: root options and section/activity settings by Moodle name. */
export interface ValidatedInput {
  readonly root: ReadonlyMap<RootOptionName, number>;
  readonly scoped: ReadonlyMap<string, number>;
}

/** Validates `input` against the backup; throws {@link InvalidArgumentError} on the first bad name or value. */
export function validateInput(input: RestoreOptionsInput, manifest: BackupManifest): ValidatedInput {
  const root = new Map<RootOptionName, number>();
  const scoped = new Map<string, number>();
  const scopedNames = scopedSettingNames(manifest);
  for (const [name, raw] of entries(input)) {
    if (isRootOptionName(name)) {
      root.set(name, parseValue(name, raw, rootOptionSpec(name).values));
    } else if (scopedNames.has(name)) {
      scoped.set(name, parseValue(name, raw, [0, 1]));
    } else {
      throw new InvalidArgumentError(unknownNameMessage(name, scopedNames));
    }
  }
  return { root, scoped };
}

/**
 * The checks of {@link validateInput} that need no backup: known root option names with allowed values, and
 * section/activity setting names of the right form (`section_636_userinfo`, `forum_34_included`) set to 0 or
 * 1. Whether those sections and activities exist is for {@link validateInput} once the backup is read.
 */
export function checkOptionSyntax(input: RestoreOptionsInput): void {
  for (const [name, raw] of entries(input)) {
    if (isRootOptionName(name)) parseValue(name, raw, rootOptionSpec(name).values);
    else if (SCOPED_PATTERN.test(name)) parseValue(name, raw, [0, 1]);
    else {
      const hint =
        name === 'customfield' ? ' (The backup writes customfield; the restore option is customfields.)' : '';
      throw new InvalidArgumentError(
        `Unknown restore option ${name}.${hint} Valid names: ${ROOT_OPTION_NAMES.join(', ')}; and section/activity settings of the backup (section_<id>_included, <module>_<id>_userinfo …).`,
      );
    }
  }
}

/** Every section/activity setting name the backup allows, e.g. `section_636_userinfo`, `forum_34_included`. */
export function scopedSettingNames(manifest: BackupManifest): Set<string> {
  const names = new Set<string>();
  for (const s of manifest.sections) for (const k of ['included', 'userinfo']) names.add(`section_${s.sectionId}_${k}`);
  for (const a of manifest.activities)
    for (const k of ['included', 'userinfo']) names.add(`${a.moduleName}_${a.moduleId}_${k}`);
  return names;
}

// Internal helpers

const SCOPED_PATTERN = /^(?:section_\d+|[a-z][a-z0-9_]*_\d+)_(?:included|userinfo)$/u;
const MAX_LISTED = 12;

function entries(input: RestoreOptionsInput): [string, OptionValue][] {
  if (Array.isArray(input)) {
    return (input as readonly unknown[]).map((item, index) => {
      if (
        typeof item !== 'object' ||
        item === null ||
        typeof (item as OptionItem).name !== 'string' ||
        !('value' in item)
      ) {
        throw new InvalidArgumentError(`Restore option #${index + 1} is not a { name, value } object.`);
      }
      return [(item as OptionItem).name, (item as OptionItem).value];
    });
  }
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError(
      `Restore options must be an object { name: value } or a list [{ name, value }], got ${typeof input}.`,
    );
  }
  return Object.entries(input).filter((e): e is [string, OptionValue] => e[1] !== undefined);
}

function parseValue(name: string, raw: unknown, allowed: readonly number[]): number {
  let value: number | undefined;
  if (typeof raw === 'boolean') value = raw ? 1 : 0;
  else if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && /^\s*\d+\s*$/u.test(raw)) value = Number(raw);
  if (value === undefined || !allowed.includes(value)) {
    const shown = typeof raw === 'string' ? `"${raw}"` : String(raw);
    throw new InvalidArgumentError(
      `Restore option ${name} is ${shown}; valid values are ${orList(allowed.map(String))}${allowed.length === 2 ? ' (or true/false)' : ''}.`,
    );
  }
  return value;
}

function unknownNameMessage(name: string, scopedNames: ReadonlySet<string>): string {
  const head = SCOPED_PATTERN.test(name)
    ? `Restore option ${name} names a section or activity that is not in this backup.`
    : `Unknown restore option ${name}.`;
  const hint = name === 'customfield' ? ' (The backup writes customfield; the restore option is customfields.)' : '';
  const scoped = [...scopedNames];
  const listed = scoped.slice(0, MAX_LISTED).join(', ');
  const more = scoped.length > MAX_LISTED ? `, … (${scoped.length - MAX_LISTED} more)` : '';
  const scopedPart =
    scoped.length === 0
      ? 'this backup has no section or activity settings'
      : `section/activity settings of this backup: ${listed}${more}`;
  return `${head}${hint} Valid names: ${ROOT_OPTION_NAMES.join(', ')}; ${scopedPart}.`;
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
