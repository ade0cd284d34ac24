/** `parseOptionArgs()` and `optionArgsHelp()` (`src/options/parse-option-args.ts`). */
import { describe, expect, it } from 'vitest';
import { ErrorCode, InvalidArgumentError } from '../../src/errors.ts';
import { optionArgsHelp, parseOptionArgs } from '../../src/options/parse-option-args.ts';
import { resolveRestoreOptions } from '../../src/options/resolve-options.ts';
import { ROOT_OPTIONS } from '../../src/options/restore-options.ts';
import { makeManifest } from './support/manifests.ts';

function failure(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe(ErrorCode.InvalidArgument);
    return error as InvalidArgumentError;
  }
  throw new Error('expected an error');
}

describe('parseOptionArgs', () => {
  it('turns name=value items into an input object', () => {
    expect(parseOptionArgs(['users=1', 'logs=0'])).toEqual({ users: '1', logs: '0' });
    expect(parseOptionArgs([])).toEqual({});
  });

  it('trims around name and value and splits at the first =', () => {
    expect(parseOptionArgs([' users = 1 ', 'x=a=b'])).toEqual({ users: '1', x: 'a=b' });
  });

  it('feeds resolveRestoreOptions', () => {
    const options = resolveRestoreOptions(
      parseOptionArgs(['users=1', 'enrolments=2', 'forum_34_included=0']),
      makeManifest(),
    );
    expect(options.root.users).toBe(1);
    expect(options.root.enrolments).toBe(2);
    expect(options.activities[0]?.included).toBe(0);
  });

  it.each([['users'], ['=1'], ['users='], [' = '], ['']])('refuses the malformed item %j', (arg) => {
    expect(failure(() => parseOptionArgs(['logs=0', arg])).message).toMatch(/#2 .*malformed: expected name=value/u);
  });

  it('refuses a name given twice', () => {
    expect(failure(() => parseOptionArgs(['users=1', 'users=0'])).message).toMatch(/users is given twice/u);
  });

  it('refuses a non-string item', () => {
    expect(failure(() => parseOptionArgs([1 as unknown as string])).message).toMatch(/#1 is number/u);
  });

  it('keeps __proto__ as a plain name (then refused by the resolver)', () => {
    const input = parseOptionArgs(['__proto__=1']);
    expect(Object.keys(input)).toEqual(['__proto__']);
    expect(failure(() => resolveRestoreOptions(input, makeManifest())).message).toMatch(
      /Unknown restore option __proto__/u,
    );
  });
});

describe('optionArgsHelp', () => {
  it('has one line per root option, then the section/activity forms', () => {
    const lines = optionArgsHelp();
    expect(lines).toHaveLength(ROOT_OPTIONS.length + 4);
    expect(lines[0]).toMatch(/^users=0\|1 +default 0; capped by the backup's users; /u);
    expect(lines.find((l) => l.startsWith('enrolments='))).toMatch(/^enrolments=0\|1\|2 +default 1;/u);
    expect(lines.find((l) => l.startsWith('groups='))).toContain("default the backup's groups (1 when absent)");
    expect(lines.find((l) => l.startsWith('badges='))).toContain('0 when activities or users is 0');
    expect(lines.at(-1)).toMatch(/^<mod>_<cmid>_userinfo=0\|1/u);
  });
});
