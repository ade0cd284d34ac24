/**
 * `mbz inspect --json` on every real Moodle backup listed in ../shared/fixtures/mbz/MANIFEST.json
 * must report what the manifest records. A new fixture in the manifest is covered without new code.
 */
import { describe, expect, it } from 'vitest';
import { hasShared, mbzFixture, readManifest, type ManifestEntry } from '@mbz-restore/test-support/shared';
import { runCli } from '@mbz-restore/test-support/cli';

describe.skipIf(!hasShared())('mbz inspect --json on every manifest fixture', () => {
  const manifest = hasShared() ? readManifest() : [];
  // One CLI run for all paths: one JSON line per path, in order (also checks the line contract).
  const run = runCli(['inspect', '--json', ...manifest.map((m) => mbzFixture(m.file))], { timeoutMs: 300_000 });

  it('prints one line per path and exits 1 because one fixture is not a backup', () => {
    expect(run.lines).toHaveLength(manifest.length);
    expect(run.status).toBe(manifest.some((m) => !m.produced_by_moodle) ? 1 : 0);
  });

  it.each(manifest.map((m, i) => [m.file, m, i] as const))('%s', (_file, m: ManifestEntry, index: number) => {
    const result = JSON.parse(run.lines[index]!);
    if (!m.produced_by_moodle) {
      expect(result.error.code).toBe('backup.unsupported-format');
      expect(result.error.message).toMatch(/no moodle_backup\.xml/);
      return;
    }
    expect(result.error).toBeUndefined();
    expect(result.archive).toBe(m.archive);
    expect(result.format).toBe(m.format);
    expect(result.type).toBe(m.type);
    expect(result.mode).toBe(Number(m.mode));
    expect(result.moodleRelease).toBe(m.moodle_release);
    expect(result.moodleVersion).toBe(m.moodle_version);
    expect(result.backupRelease).toBe(m.backup_release);
    expect(result.backupVersion).toBe(m.backup_version);
    expect(new Date(result.backupDate * 1000).toISOString().replace('.000Z', 'Z')).toBe(m.backup_date);
    expect(result.originalCourse.fullname).toBe(m.original_course_fullname);
    expect(result.originalCourse.shortname).toBe(m.original_course_shortname);
    expect(result.originalCourse.format).toBe(m.original_course_format ?? null);
    expect(result.settings).toEqual(m.settings);
    const c = m.counts!;
    expect({
      sections: result.counts.sections,
      activities: result.counts.activities,
      modules: result.counts.modules,
      users: result.counts.users,
      logEntries: result.counts.logEntries,
      logEntriesLegacy: result.counts.logEntriesLegacy,
      logEntriesLogstore: result.counts.logEntriesLogstore,
      files: result.counts.files,
      filesNonDir: result.counts.filesNonDir,
      blobs: result.counts.blobs,
      questionCategories: result.counts.questionCategories,
      questions: result.counts.questions,
      gradeHistoryEntries: result.counts.gradeHistoryEntries,
    }).toEqual({
      sections: c.sections,
      activities: c.activities,
      modules: c.modules,
      users: c.users,
      logEntries: c.log_entries,
      logEntriesLegacy: c.log_entries_legacy,
      logEntriesLogstore: c.log_entries_logstore,
      files: c.files,
      filesNonDir: c.files_nondir,
      blobs: c.file_blobs,
      questionCategories: c.question_categories,
      questions: c.questions,
      gradeHistoryEntries: c.grade_history_entries,
    });
    for (const warning of result.warnings)
      expect(warning).toEqual({ code: expect.any(String), message: expect.any(String), entry: expect.any(String) });
  });
});
