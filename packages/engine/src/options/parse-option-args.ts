/**
 * Restore options from the command line: `mbz restore course.mbz users=1 logs=0 forum_34_included=0`.
 *
 * Only the syntax is checked here (`name=value`, each name once); names and values are checked against
 * the backup by `resolveRestoreOptions()`, the same way for the CLI and the webservice. The names are
 * Moodle's restore setting names (`backup/moodle2/restore_root_task.class.php`,
 * `restore_section_task.class.php`, `restore_activity_task.class.php`); the help text reads the defaults
 * of MDL-64915 (`course/externallib.php` `duplicate_course()`) from {@link ROOT_OPTIONS}.
 */
import { InvalidArgumentError } from '../errors.ts';
import { BACKUP_VALUE_WHEN_ABSENT, ROOT_OPTIONS } from './restore-options.ts';

/**
 * Turns `['users=1', 'logs=0']` into `{ users: '1', logs: '0' }`, an input for `resolveRestoreOptions()`.
 * Whitespace around the name and the value is dropped; the value is everything after the first `=`.
 * Throws {@link InvalidArgumentError} (`input.invalid-argument`) for an item without `=`, with an empty
 * name or value, or naming a setting already given (unlike the list form of the webservice, where the
 * last value wins, a repeated CLI option is taken for a typing mistake).
 */
export function parseOptionArgs(args: readonly string[]): Record<string, string> {
  const options = new Map<string, string>();
  args.forEach((arg, index) => {
    if (typeof arg !== 'string') {
      throw new InvalidArgumentError(`Restore option #${index + 1} is ${typeof arg}, expected a name=value string.`);
    }
    const equals = arg.indexOf('=');
    const name = equals < 0 ? '' : arg.slice(0, equals).trim();
    const value = equals < 0 ? '' : arg.slice(equals + 1).trim();
    if (equals < 0 || name === '' || value === '') {
      throw new InvalidArgumentError(
        `Restore option #${index + 1} "${arg}" is malformed: expected name=value, e.g. users=1 or forum_34_included=0.`,
      );
    }
    if (options.has(name)) {
      throw new InvalidArgumentError(
        `Restore option ${name} is given twice (#${index + 1} "${arg}"); give each option once.`,
      );
    }
    options.set(name, value);
  });
  return Object.fromEntries(options);
}

/**
 * Help lines for the CLI, one per root option, e.g.
 * `users=0|1               default 0; capped by the backup's users; users.xml and all user data; …`,
 * followed by the section/activity setting forms.
 */
export function optionArgsHelp(): string[] {
  const width =
    Math.max(
      ...ROOT_OPTIONS.map((s) => s.name.length + 1 + s.values.join('|').length),
      '<mod>_<cmid>_userinfo=0|1'.length,
    ) + 2;
  const lines = ROOT_OPTIONS.map((spec) => {
    const form = `${spec.name}=${spec.values.join('|')}`;
    const parts = [`default ${defaultText(spec.defaultValue, spec.defaultKey)}`];
    if (spec.backupKey !== null) parts.push(`capped by the backup's ${spec.backupKey}`);
    if (spec.dependsOn.length > 0) parts.push(`0 when ${spec.dependsOn.join(' or ')} is 0`);
    parts.push(spec.summary);
    return `${form.padEnd(width)}${parts.join('; ')}`;
  });
  return [
    ...lines,
    `${'section_<id>_included=0|1'.padEnd(width)}default 1; restore that section (and its activities)`,
    `${'section_<id>_userinfo=0|1'.padEnd(width)}default the backup's value; 0 when users or the section is 0`,
    `${'<mod>_<cmid>_included=0|1'.padEnd(width)}default 1; 0 when activities or its section is 0`,
    `${'<mod>_<cmid>_userinfo=0|1'.padEnd(width)}default the backup's value; 0 when users, its section's userinfo or included is 0`,
  ];
}

// Internal helpers

function defaultText(defaultValue: number | 'backup', key: string | null): string {
  if (defaultValue !== 'backup') return String(defaultValue);
  const absent = key === null ? 0 : (BACKUP_VALUE_WHEN_ABSENT[key] ?? 0);
  return `the backup's ${key ?? ''}${absent === 1 ? ' (1 when absent)' : ''}`;
}
