/** `mbz inspect <path>… [--json]`: what is inside each backup, without restoring it. */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { inspectBackup, type BackupInspection } from '@mbz-restore/engine';
import { ExitCode, printJsonLine, reportError } from '../output.ts';
import { aligned, bytes, date, int, table } from '../format.ts';

const MODES: Record<number, string> = { 10: 'general', 20: 'import', 30: 'hub', 40: 'same site', 50: 'automated', 60: 'converted', 70: 'asynchronous', 80: 'copy' };

/** Registers the command. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('Summarise Moodle backups (.mbz files or extracted backup folders) without restoring them')
    .argument('<path...>', '.mbz files (ZIP or tar.gz) or extracted backup folders')
    .option('--json', 'one JSON object per path, one per line')
    .action(async (paths: string[], options: { json?: boolean }, command: Command) => {
      const debug = Boolean(command.optsWithGlobals().debug);
      let exit: number = ExitCode.Ok;
      for (const [index, path] of paths.entries()) {
        try {
          const result = await inspectBackup(path);
          if (options.json) printJsonLine(result);
          else process.stdout.write(`${index > 0 ? '\n' : ''}${await describe(path, result)}\n`);
        } catch (error) {
          exit = reportError(error, { json: options.json, debug, label: path });
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
    ['Course', `${course.fullname} (${course.shortname})${course.format ? `, format ${course.format}` : ''}, starts ${date(course.startdate).slice(0, 10)}`],
    ['Backup', `${r.type} backup, mode ${r.mode} (${MODES[r.mode] ?? 'unknown'}), ${r.archive}${size}, made ${date(r.backupDate)}`],
    ['Moodle', `${r.moodleRelease} [${r.moodleVersion}], backup format ${r.backupRelease} [${r.backupVersion}]`],
    ['Contents', `${int(c.sections)} sections, ${int(c.activities)} activities, ${c.users === null ? 'no users' : `${int(c.users)} users`}`],
    ['User data', `${int(c.userEnrolments)} enrolments, ${int(c.gradeGrades)} grades, ${int(c.gradeHistoryEntries)} grade history, ${int(c.logEntries)} log entries, ${int(c.comments)} comments`],
    ['Files', `${int(c.filesNonDir)} files (${int(c.files)} records), ${int(c.blobs)} blobs`],
    ['Questions', c.questions === null ? 'no question bank' : `${int(c.questionCategories ?? 0)} categories, ${int(c.questions)} questions`],
    ['Settings', Object.entries(r.settings).filter(([name]) => name !== 'filename').map(([n, v]) => `${n}=${v}`).join(' ')],
  ]);
  const modules = Object.entries(c.modules).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const parts = [basename(path), lines];
  if (modules.length) parts.push('', table(['Module', 'Activities'], modules.map(([m, n]) => [m, int(n)])));
  if (r.warnings.length) parts.push('', 'Warnings', ...r.warnings.map((w) => `  ${w.code}: ${w.message}`));
  return parts.join('\n');
}
