/** Every way `resolveRestoreOptions()` refuses its input: `input.invalid-argument`, with a message naming what is valid. */
import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidArgumentError, isMbzError } from '../../src/errors.ts';
import { resolveRestoreOptions } from '../../src/options/resolve-options.ts';
import type { RestoreOptionsInput } from '../../src/options/option-input.ts';
import { ROOT_OPTION_NAMES } from '../../src/options/restore-options.ts';
import { makeManifest } from './support/manifests.ts';

function message(input: unknown, manifest = makeManifest()): string {
  try {
    resolveRestoreOptions(input as RestoreOptionsInput, manifest);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(isMbzError(error, ErrorCode.InvalidArgument)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected resolveRestoreOptions to throw');
}

describe('unknown names', () => {
  it('lists every valid root name and the section/activity settings of the backup', () => {
    const text = message({ userz: 1 });
    expect(text).toMatch(/^Unknown restore option userz\./u);
    for (const name of ROOT_OPTION_NAMES) expect(text).toContain(name);
    expect(text).toContain('section_10_included');
    expect(text).toContain('forum_34_userinfo');
  });

  it('hints at customfields for the backup spelling customfield', () => {
    expect(message({ customfield: 1 })).toContain('the restore option is customfields');
  });

  it('refuses backup-only settings', () => {
    for (const name of ['questionbank', 'files', 'anonymize'])
      expect(message({ [name]: 1 })).toMatch(/^Unknown restore option/u);
  });

  it.each(['section_999_included', 'section_999_userinfo', 'forum_99_included', 'page_34_userinfo'])(
    'refuses %s, which is not in the backup',
    (name) => {
      expect(message([{ name, value: 0 }])).toMatch(
        new RegExp(`^Restore option ${name} names a section or activity that is not in this backup`, 'u'),
      );
    },
  );

  it('shortens a long list of section/activity settings', () => {
    const many = makeManifest({
      sections: [1],
      activities: Array.from({ length: 20 }, (_, i) => ['page', 100 + i, 1] as [string, number, number]),
    });
    expect(message({ nope: 1 }, many)).toMatch(/… \(30 more\)\.$/u);
    expect(message({ nope: 1 }, makeManifest({ sections: [], activities: [] }))).toContain(
      'this backup has no section or activity settings',
    );
  });
});

describe('bad values', () => {
  it.each([2, -1, 1.5, Number.NaN, '2', 'abc', '1.5', '', 'true', 'yes', null, {}, [1]])(
    'refuses users = %j',
    (value) => {
      expect(message({ users: value })).toMatch(
        /^Restore option users is .*; valid values are 0 or 1 \(or true\/false\)\.$/u,
      );
    },
  );

  it.each([3, -1, '3', 'x'])('refuses enrolments = %j naming 0, 1 or 2', (value) => {
    expect(message([{ name: 'enrolments', value }])).toMatch(/valid values are 0, 1 or 2\.$/u);
  });

  it('refuses 2 for a section or activity setting', () => {
    expect(message({ forum_34_included: 2 })).toMatch(/forum_34_included is 2; valid values are 0 or 1/u);
  });
});

describe('bad input shapes', () => {
  it.each([null, 42, 'users=1'])('refuses %j as input', (input) => {
    expect(message(input)).toMatch(/must be an object \{ name: value \} or a list/u);
  });

  it.each([[[null]], [[{ value: 1 }]], [[{ name: 'users' }]], [['users']]])('refuses the list %j', (input) => {
    expect(message(input)).toMatch(/^Restore option #1 is not a \{ name, value \} object\.$/u);
  });
});
