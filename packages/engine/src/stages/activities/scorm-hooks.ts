/**
 * mod_scorm behaviour beyond the spec (`mod/scorm/backup/moodle2/restore_scorm_stepslib.php`, 4.3+
 * `process_scorm_sco_track()`): a track row becomes a `scorm_scoes_value` row whose `attemptid` is found or
 * created by `scorm_get_attempt(userid, scormid, attempt)` (`scorm_attempt`) and whose `elementid` is found or
 * created by `scorm_get_elementid(element)` (`scorm_element`). Tracks of users who are not restored are
 * skipped (Moodle would create an attempt for user 0).
 *
 * Not reproduced: the `launch` fallback of `after_execute()` (first sco with a launch URL).
 */
import { num, text } from '../support.ts';
import type { ActivityRun, ModuleHooks } from './module-run.ts';

const TRACK = '/activity/scorm/scoes/sco/sco_tracks/sco_track';
const ELEMENTS = new WeakMap<object, Map<string, number>>();

export const scormHooks: ModuleHooks = {
  handles: [TRACK],
  paths: {
    [TRACK]: {
      async insert({ run, record, row }) {
        const scormId = run.instanceId;
        const userid = run.ctx.ids.get('user', text(record.data.userid));
        const element = text(record.data.element);
        if (scormId === undefined || userid === undefined || element === '') return undefined;
        const attemptid = await attemptId(run, scormId, userid, num(record.data.attempt, 1));
        const elementid = await elementId(run, element);
        return run.ctx.rows.insert('scorm_scoes_value', {
          scoid: row.scoid,
          attemptid,
          elementid,
          value: row.value ?? '',
          timemodified: row.timemodified ?? 0,
        });
      },
    },
  },
};

// Internal helpers

async function attemptId(run: ActivityRun, scormid: number, userid: number, attempt: number): Promise<number> {
  let attempts = run.scratch.get('attempts') as Map<string, number> | undefined;
  if (!attempts) run.scratch.set('attempts', (attempts = new Map()));
  const key = `${userid}/${attempt}`;
  let id = attempts.get(key);
  if (id === undefined) {
    id = await run.ctx.rows.insert('scorm_attempt', { userid, scormid, attempt });
    attempts.set(key, id);
  }
  return id;
}

async function elementId(run: ActivityRun, element: string): Promise<number> {
  let elements = ELEMENTS.get(run.ctx.state);
  if (!elements) ELEMENTS.set(run.ctx.state, (elements = new Map()));
  let id = elements.get(element);
  if (id === undefined) {
    const [existing] = await run.ctx.rows.select('scorm_element', { element }, { limit: 1 });
    id = existing ? Number(existing.id) : await run.ctx.rows.insert('scorm_element', { element });
    elements.set(element, id);
  }
  return id;
}
