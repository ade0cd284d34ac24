/** `mbz inspect <path>… [--json]`: what is inside each backup, without restoring it. */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { BackupInspection } from '@mbz-restore/engine';
import { ExitCode, printJsonLine, reportError } from '../output.ts';
import { aligned, bytes, count, date, int, table } from '../format.ts';

const MODES: Record<number, string> = {
  10: 'general',
  20: 'import',
  30: 'hub',
  40: 'same site',
  50: 'automated',
  60: 'converted',
  70: 'asynchronous',
  80: 'copy',
};

/** Registers the command. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('Summarise Moodle backups (.mbz files or extracted backup folders) without restoring them')
    .argument('<path...>', '.mbz files (ZIP or tar.gz) or extracted backup folders')
    .option('--json', 'one JSON object per path, one per line')
    .option(
      '--verify',
      'also parse every XML file and check every file blob against its SHA-1; exit 1 when a backup is damaged',
    )
    .action(async (paths: string[], options: { json?: boolean; verify?: boolean }, command: Command) => {
      const debug = Boolean(command.optsWithGlobals().debug);
      const { inspectBackup } = await import('@mbz-restore/engine');
      let exit: number = ExitCode.Ok;
      for (const [index, path] of paths.entries()) {
        try {
          const result = await inspectBackup(path, { verify: Boolean(options.verify) });
          if (options.json) printJsonLine(result);
          else process.stdout.write(`${index > 0 ? '\n' : ''}${await describe(path, result)}\n`);
          if (result.problems?.length) exit = ExitCode.Failed;
        } catch (error) {
          exit = reportError(error, { json: options.json, debug, label: resolve(path), fields: { path } });
        }
      }
      process.exitCode = exit;
    });
}

/** The human-readable summary of one backup. */
export async function describe(path: string, r: BackupInspection): Promise<string> {
  const size = await stat(path).then((s) => (s.isFile() ? `, ${bytes(s.size)}` : ''));
  const c = r.counts;
  const course = r.originalCourse;
  const lines = aligned([
    [
      'Course',
      `${course.fullname} (${course.shortname})${course.format ? `, format ${course.format}` : ''}, starts ${date(course.startdate).slice(0, 10)}`,
    ],
    [
      'Backup',
      `${r.type} backup, mode ${r.mode} (${MODES[r.mode] ?? 'unknown'}), ${r.archive}${size}, made ${date(r.backupDate)}`,
    ],
    ['Moodle', `${r.moodleRelease} [${r.moodleVersion}], backup format ${r.backupRelease} [${r.backupVersion}]`],
    [
      'Contents',
      `${count(c.sections, 'section')}, ${count(c.activities, 'activity', 'activities')}, ${c.users === null ? 'no users' : count(c.users, 'user')}`,
    ],
    [
      'User data',
      `${count(c.userEnrolments, 'enrolment')}, ${count(c.gradeGrades, 'grade')}, ${count(c.gradeHistoryEntries, 'grade history entry', 'grade history entries')}, ${count(c.logEntries, 'log entry', 'log entries')}, ${count(c.comments, 'comment')}`,
    ],
    ['Files', `${count(c.filesNonDir, 'file')} (${count(c.files, 'record')}), ${count(c.blobs, 'blob')}`],
    [
      'Questions',
      c.questions === null
        ? 'no question bank'
        : `${count(c.questionCategories ?? 0, 'category', 'categories')}, ${count(c.questions, 'question')}`,
    ],
    [
      'Settings',
      Object.entries(r.settings)
        .filter(([name]) => name !== 'filename')
        .map(([n, v]) => `${n}=${v}`)
        .join(' '),
    ],
  ]);
  const modules = Object.entries(c.modules).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const parts = [basename(path), lines];
  if (modules.length)
    parts.push(
      '',
      table(
        ['Module', 'Activities'],
        modules.map(([m, n]) => [m, int(n)]),
      ),
    );
  if (r.warnings.length) parts.push('', 'Warnings', ...r.warnings.map((w) => `  ${w.code}: ${w.message}`));
  if (r.problems) {
    parts.push(
      '',
      r.problems.length === 0
        ? 'Verified: every XML file is well-formed and every blob matches its SHA-1.'
        : `Damaged: ${count(r.problems.length, 'problem')} a restore would stop on`,
    );
    parts.push(...r.problems.map((p) => `  ${p.entry}: ${p.message} [${p.code}]`));
  }
  return parts.join('\n');
}
