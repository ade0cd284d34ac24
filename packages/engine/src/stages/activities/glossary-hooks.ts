/**
 * mod_glossary behaviour beyond the spec (`mod/glossary/backup/moodle2/restore_glossary_stepslib.php`,
 * `process_glossary()`): a `displayformat` that is not one of the site's formats (`mod/glossary/formats`)
 * becomes `dictionary`, and only one main glossary is allowed per course (`mainglossary` 1 → 0 when the course
 * already has one).
 */
import type { ModuleHooks } from './module-run.ts';

/** The glossary display formats of Moodle 4.3 (`get_list_of_plugins('mod/glossary/formats')`). */
const FORMATS = new Set([
  'continuous',
  'dictionary',
  'encyclopedia',
  'entrylist',
  'faq',
  'fullwithauthor',
  'fullwithoutauthor',
]);

export const glossaryHooks: ModuleHooks = {
  paths: {
    '/activity/glossary': {
      async prepare({ run, row }) {
        if (!FORMATS.has(String(row.displayformat))) row.displayformat = 'dictionary';
        if (Number(row.mainglossary) === 1) {
          const main = await run.ctx.rows.select('glossary', { mainglossary: 1, course: run.ctx.state.courseId });
          if (main.length > 0) row.mainglossary = 0;
        }
      },
    },
  },
};
