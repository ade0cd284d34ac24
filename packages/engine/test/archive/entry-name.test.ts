/** checkEntryName: the one pure judge of entry names (normalisation and every refusal). */
import { describe, expect, it } from 'vitest';
import { checkEntryName, isRootDirectoryName } from '../../src/archive/entry-name.ts';

describe('checkEntryName', () => {
  it.each([
    ['moodle_backup.xml', 'moodle_backup.xml'],
    ['activities/page_12/page.xml', 'activities/page_12/page.xml'],
    ['./course/course.xml', 'course/course.xml'],
    ['././users.xml', 'users.xml'],
    ['activities/', 'activities'],
    ['./activities/quiz_2/', 'activities/quiz_2'],
    ['files/ab/ab12cd', 'files/ab/ab12cd'],
    ['.ARCHIVE_INDEX', '.ARCHIVE_INDEX'],
    ['a..b/c...', 'a..b/c...'],
    ['cours é/ünïcode ✓.xml', 'cours é/ünïcode ✓.xml'],
    ['C/x', 'C/x'],
    ['ab:c', 'ab:c'],
  ])('accepts %j as %j', (raw, name) => {
    expect(checkEntryName(raw)).toEqual({ name });
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['/', 'absolute'],
    ['C:\\Windows\\x', 'backslash'],
    ['C:/Windows/x', 'drive'],
    ['c:x', 'drive'],
    ['\\\\server\\share\\x', 'backslash'],
    ['a\\b', 'backslash'],
    ['../evil', 'dotdot'],
    ['a/../../evil', 'dotdot'],
    ['a/..', 'dotdot'],
    ['..', 'dotdot'],
    ['./../x', 'dotdot'],
    ['a//b', 'empty segment'],
    ['a//', 'empty segment'],
    ['a/./b', 'dot segment'],
    ['a/.', 'dot segment'],
    ['.', 'root'],
    ['./', 'root'],
    ['a\u0000b', 'NUL'],
    ['a\nb', 'newline'],
    ['a\tb', 'tab'],
    ['a\u007fb', 'DEL'],
    ['a\u0085b', 'C1 control'],
  ])('refuses %j (%s)', (raw) => {
    const result = checkEntryName(raw);
    expect(result).toMatchObject({ code: 'archive.unsafe-entry-name' });
    expect('reason' in result && result.reason.length > 0).toBe(true);
  });

  it('is pure: same input, same output, no normalisation beyond ./ and one trailing slash', () => {
    expect(checkEntryName('x/y/')).toEqual(checkEntryName('x/y/'));
    expect(checkEntryName('x/Y')).toEqual({ name: 'x/Y' });
    expect(checkEntryName(' x ')).toEqual({ name: ' x ' });
  });
});

describe('isRootDirectoryName', () => {
  it.each(['.', './', '././', './.'])('treats %j as the archive root', (raw) => {
    expect(isRootDirectoryName(raw)).toBe(true);
  });
  it.each(['', '/', '..', '../', 'a/', '.a'])('does not treat %j as the root', (raw) => {
    expect(isRootDirectoryName(raw)).toBe(false);
  });
});
