/**
 * The restore of every core activity module's own XML (`activities/<mod>_<cmid>/<mod>.xml`), as data:
 * one {@link ModuleSpec} per module, keyed by module name (`modules.name`).
 *
 * Conventions every spec relies on (Moodle's behaviour, stated once here):
 * - Each path yields one record made of the element's attributes and leaf children (§5.9 of the format
 *   reference in `../shared/docs`); the `/activity` root itself (instance id, moduleid, modulename,
 *   contextid) is handled by the generic activity step (`process_activity()`: module context mapping)
 *   and is not a record here.
 * - Fields that are not columns of `table` are ignored, as Moodle's `insert_record()` ignores unknown
 *   properties; this covers empty container elements (`<submissions/>`) and `id`. `drop` names the fields
 *   known to be renamed or obsolete, whose `notes` usually say where the value goes.
 * - `refs`: a value that is NULL, '' or 0 is stored unchanged and never looked up (Moodle guards these or
 *   the lookup is harmless). Any other value, negative ones included, is looked up; `notes` name the
 *   exceptions (e.g. negative scale ids, lesson jump constants). When Moodle calls `get_mappingid()`
 *   without a check, a missing mapping gives `false`, stored as 0: policy `zero`, the default.
 * - `parent`: the new id of the nearest enclosing element that registered that item name.
 * - `table: NO_TABLE` (''): the path is read but writes no row of its own; `notes` say why.
 * - A record whose `notes` say "Not a plain insert" needs code: the declared table is where its data ends
 *   up, but Moodle matches, updates or calls an API instead of inserting the element as is.
 */
import { assignModule } from './assign.ts';
import { bigbluebuttonbnModule } from './bigbluebuttonbn.ts';
import { bookModule } from './book.ts';
import { chatModule } from './chat.ts';
import { choiceModule } from './choice.ts';
import { dataModule } from './data.ts';
import { feedbackModule } from './feedback.ts';
import { folderModule } from './folder.ts';
import { forumModule } from './forum.ts';
import { glossaryModule } from './glossary.ts';
import { h5pactivityModule } from './h5pactivity.ts';
import { imscpModule } from './imscp.ts';
import { labelModule } from './label.ts';
import { lessonModule } from './lesson.ts';
import { ltiModule } from './lti.ts';
import { pageModule } from './page.ts';
import { qbankModule } from './qbank.ts';
import { quizModule } from './quiz.ts';
import { resourceModule } from './resource.ts';
import { scormModule } from './scorm.ts';
import { surveyModule } from './survey.ts';
import type { ModuleSpec } from './types.ts';
import { urlModule } from './url.ts';
import { wikiModule } from './wiki.ts';
import { workshopModule } from './workshop.ts';

export type { FileAreaSpec, ModuleSpec, RecordSpec, RefSpec, UnmappedPolicy } from './types.ts';
export { NO_TABLE } from './common.ts';

/** Every core activity module's spec, keyed by module name. */
export const MODULE_SPECS: Readonly<Record<string, ModuleSpec>> = Object.freeze(
  Object.fromEntries(
    [
      assignModule,
      forumModule,
      quizModule,
      pageModule,
      resourceModule,
      urlModule,
      folderModule,
      labelModule,
      bookModule,
      glossaryModule,
      wikiModule,
      dataModule,
      choiceModule,
      feedbackModule,
      lessonModule,
      workshopModule,
      scormModule,
      h5pactivityModule,
      ltiModule,
      chatModule,
      surveyModule,
      imscpModule,
      bigbluebuttonbnModule,
      qbankModule,
    ].map((spec) => [spec.name, spec]),
  ),
);
