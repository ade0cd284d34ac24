/**
 * mod_assign behaviour beyond the spec (`mod/assign/backup/moodle2/restore_assign_stepslib.php`):
 * - `process_assign()`: a legacy `preventlatesubmissions` makes `cutoffdate` the (shifted) due date; without
 *   user data a blind-marking assignment gets `revealidentities` 0; with team submissions and the `groups`
 *   setting off no submission is restored.
 * - `process_assign_submission()` inserts with `latest` 0 and `after_execute()` runs
 *   `set_latest_submission_field()`: a NEW submission for each grade without a submission of its user, then
 *   `latest` 1 on the highest `attemptnumber` per user (group 0) and per group (user 0). Here submissions are held
 *   (their ids reserved, so subplugin rows can point at them) and written once with the right `latest`, instead of
 *   being updated one by one.
 * - Legacy grades with `extensionduedate`/`mailed`/`locked` add an `assign_user_flags` row.
 */
import { num, text } from '../support.ts';
import type { ActivityRun, ModuleHooks } from './module-run.ts';

const INSTANCE = '/activity/assign';
const SUB = '/activity/assign/submissions/submission';
const GRADE = '/activity/assign/grades/grade';

/** A held submission row. */
interface HeldSubmission {
  readonly id: number;
  readonly row: Record<string, unknown>;
}

/** What the hooks remember while the file is read. */
interface AssignScratch {
  skipSubmissions: boolean;
  readonly submissions: HeldSubmission[];
  /** New user id → attempt number of each grade. */
  readonly grades: Array<{ userid: number; attemptnumber: number }>;
}

export const assignHooks: ModuleHooks = {
  paths: {
    [INSTANCE]: {
      prepare({ run, record, row }) {
        if (text(record.data.preventlatesubmissions) !== '' && num(record.data.preventlatesubmissions) !== 0) {
          row.cutoffdate = row.duedate ?? 0;
        }
        if (!run.userinfo && num(row.blindmarking) !== 0) row.revealidentities = 0;
        scratchOf(run).skipSubmissions = num(row.teamsubmission) !== 0 && run.ctx.settings.root('groups') === 0;
      },
    },
    [SUB]: {
      async insert({ run, row }) {
        const scratch = scratchOf(run);
        if (scratch.skipSubmissions) return undefined;
        row.latest = 0;
        const id = await run.ctx.rows.reserveId('assign_submission');
        scratch.submissions.push({ id, row });
        return id;
      },
    },
    [GRADE]: {
      async after({ run, record, row }) {
        scratchOf(run).grades.push({ userid: num(row.userid), attemptnumber: num(row.attemptnumber) });
        const legacy = ['extensionduedate', 'mailed', 'locked'].some((f) => text(record.data[f]) !== '');
        if (legacy) {
          await run.ctx.rows.insert('assign_user_flags', {
            assignment: row.assignment,
            userid: row.userid,
            extensionduedate: run.ctx.shiftDate(record.data.extensionduedate) ?? 0,
            mailed: num(record.data.mailed),
            locked: num(record.data.locked),
          });
        }
      },
    },
  },
  async finish(run) {
    const scratch = scratchOf(run);
    const assignment = run.instanceId;
    if (assignment === undefined) return;
    const submitted = new Set(scratch.submissions.map((s) => num(s.row.userid)));
    for (const grade of scratch.grades) {
      if (submitted.has(grade.userid)) continue;
      submitted.add(grade.userid);
      const id = await run.ctx.rows.reserveId('assign_submission');
      const now = run.ctx.state.now;
      scratch.submissions.push({
        id,
        row: {
          assignment,
          userid: grade.userid,
          attemptnumber: grade.attemptnumber,
          status: 'new',
          groupid: 0,
          latest: 0,
          timecreated: now,
          timemodified: now,
        },
      });
    }
    const latest = new Map<string, HeldSubmission>();
    for (const s of scratch.submissions) {
      const userid = num(s.row.userid);
      const groupid = num(s.row.groupid);
      const key = groupid === 0 ? `u${userid}` : userid === 0 ? `g${groupid}` : undefined;
      if (key === undefined) continue;
      const best = latest.get(key);
      if (!best || num(s.row.attemptnumber) > num(best.row.attemptnumber)) latest.set(key, s);
    }
    for (const s of latest.values()) s.row.latest = 1;
    for (const s of scratch.submissions) await run.ctx.rows.insert('assign_submission', s.row, s.id);
  },
};

// Internal helpers

function scratchOf(run: ActivityRun): AssignScratch {
  let scratch = run.scratch.get('assign') as AssignScratch | undefined;
  if (!scratch) run.scratch.set('assign', (scratch = { skipSubmissions: false, submissions: [], grades: [] }));
  return scratch;
}
