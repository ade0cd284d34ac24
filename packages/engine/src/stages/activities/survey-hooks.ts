/**
 * mod_survey behaviour beyond the spec (`mod/survey/backup/moodle2/restore_survey_stepslib.php`,
 * `process_survey()`): Moodle inserts `template` as it is, an id of one of the five built-in surveys that
 * `xmldb_survey_install()` (`mod/survey/db/install.php`) creates on every site in the same order (ids 1–5:
 * COLLES actual, preferred, actual and preferred, ATTLS, critical incidents). The store holds them from its
 * site seed (`schema/site-seed.ts`, `SURVEY_TEMPLATES`), at those ids in a store seeded fresh; a store migrated
 * from an older schema may have them at other ids, so the template is found by its install position's name
 * (`attlsname` …). A value that names no built-in survey is kept, as Moodle keeps it. `survey_answers.question`
 * names the built-in questions, whose ids are the install ids in every store, and is kept too.
 */
import { SURVEY_TEMPLATES } from '../../schema/site-seed.ts';
import type { RestoreContext } from '../../pipeline/context.ts';
import { num } from '../support.ts';
import type { ModuleHooks } from './module-run.ts';

const TEMPLATES = new WeakMap<object, Map<string, number>>();

/** The built-in surveys of the store (course 0), id by name, read once per restore. */
async function builtinSurveys(ctx: RestoreContext): Promise<Map<string, number>> {
  let byName = TEMPLATES.get(ctx.state);
  if (!byName) {
    byName = new Map();
    for (const row of await ctx.rows.select('survey', { course: 0 })) {
      if (!byName.has(String(row.name))) byName.set(String(row.name), Number(row.id));
    }
    TEMPLATES.set(ctx.state, byName);
  }
  return byName;
}

export const surveyHooks: ModuleHooks = {
  paths: {
    '/activity/survey': {
      async prepare({ run, row }) {
        const template = num(row.template);
        const name = Number.isInteger(template) && template >= 1 ? SURVEY_TEMPLATES[template - 1]?.[0] : undefined;
        if (name === undefined) return;
        const id = (await builtinSurveys(run.ctx)).get(name);
        if (id !== undefined) row.template = id;
      },
    },
  },
};
