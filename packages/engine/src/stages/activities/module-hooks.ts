/**
 * The module hooks, keyed by module name: the code each `restore_<mod>_stepslib.php` runs that the module specs
 * can only describe in `notes`. Modules without an entry are restored by the spec alone.
 */
import { assignHooks } from './assign-hooks.ts';
import { forumHooks } from './forum-hooks.ts';
import type { ModuleHooks } from './module-run.ts';
import { quizHooks } from './quiz-hooks.ts';
import { scormHooks } from './scorm-hooks.ts';

/** Hooks per module name. */
export const MODULE_HOOKS: Readonly<Record<string, ModuleHooks>> = Object.freeze({
  assign: assignHooks,
  forum: forumHooks,
  quiz: quizHooks,
  scorm: scormHooks,
});
