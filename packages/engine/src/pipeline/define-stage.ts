/**
 * A restore stage declared as data: its name, the settings that enable it, the backup files it
 * reads, its share of the progress, and the function that does the work. One file per stage under
 * `stages/`; `stages/index.ts` holds Moodle's order. A stage whose setting is off is skipped by the
 * pipeline (see `plan.ts`), never by an `if` inside the stage.
 */
import { InvalidArgumentError } from '../errors.ts';
import type { BackupManifest } from '../backup/manifest.ts';
import type { RestoreContext } from './context.ts';
import type { RestoreSettings } from './settings.ts';

/** What a stage's extra condition can look at. */
export interface StageConditionInput {
  readonly manifest: BackupManifest;
  readonly settings: RestoreSettings;
}

/** One stage of the restore pipeline. */
export interface StageDefinition {
  /** Short kebab-case name, e.g. `grade-history`; shown in progress and job records. */
  readonly name: string;
  /** Root settings that must all be on (non-zero) for the stage to run, e.g. `['users', 'logs']`. */
  readonly enabledBy: readonly string[];
  /** A further condition: returns why the stage is skipped, or `undefined` to run it. */
  readonly skipWhen?: (input: StageConditionInput) => string | undefined;
  /** Backup files or patterns the stage reads (documentation and planning), e.g. `activities/*\/grades.xml`. */
  readonly reads: readonly string[];
  /** Relative share of the restore's progress. */
  readonly weight: number;
  /** Does the work. Throws only when the course cannot be restored; problems in the backup are `ctx.warn()`. */
  run(ctx: RestoreContext): Promise<void>;
}

/** Checks and freezes a stage definition. */
export function defineStage(stage: StageDefinition): StageDefinition {
  if (!/^[a-z][a-z0-9-]*$/.test(stage.name))
    throw new InvalidArgumentError(`Stage name "${stage.name}" must be kebab-case.`);
  if (!(stage.weight >= 0))
    throw new InvalidArgumentError(`Stage ${stage.name} needs a weight ≥ 0, got ${stage.weight}.`);
  return Object.freeze({
    ...stage,
    enabledBy: Object.freeze([...stage.enabledBy]),
    reads: Object.freeze([...stage.reads]),
  });
}
