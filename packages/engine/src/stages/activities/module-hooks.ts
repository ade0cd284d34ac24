/**
 * The module hooks, keyed by module name: the code each `restore_<mod>_stepslib.php` runs that the module specs
 * can only describe in `notes`. Modules without an entry are restored by the spec alone.
 */
import { assignHooks } from './assign-hooks.ts';
import { dataHooks } from './data-hooks.ts';
import { folderHooks } from './folder-hooks.ts';
import { glossaryHooks } from './glossary-hooks.ts';
import { forumHooks } from './forum-hooks.ts';
import { lessonHooks } from './lesson-hooks.ts';
import { ltiHooks } from './lti-hooks.ts';
import type { ModuleHooks } from './module-run.ts';
import { quizHooks } from './quiz-hooks.ts';
import { scormHooks } from './scorm-hooks.ts';
import { surveyHooks } from './survey-hooks.ts';
import { workshopHooks } from './workshop-hooks.ts';

/** Hooks per module name. */
export const MODULE_HOOKS: Readonly<Record<string, ModuleHooks>> = Object.freeze({
  assign: assignHooks,
  data: dataHooks,
  folder: folderHooks,
  forum: forumHooks,
  glossary: glossaryHooks,
  lesson: lessonHooks,
  lti: ltiHooks,
  quiz: quizHooks,
  scorm: scormHooks,
  survey: surveyHooks,
  workshop: workshopHooks,
});
