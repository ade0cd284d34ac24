/**
 * Resolves the ordered stage list and the settings into a frozen plan before anything runs: which
 * stages run, which are skipped and why. Running never changes the plan.
 */
import type { StageConditionInput, StageDefinition } from './define-stage.ts';

/** One stage in a plan. */
export interface PlannedStage {
  readonly stage: StageDefinition;
  /** Why it is skipped, or `undefined` when it runs. */
  readonly skipReason: string | undefined;
}

/** The frozen plan of one restore. */
export interface RestorePlan {
  readonly stages: readonly PlannedStage[];
  /** Sum of the weights of the stages that run. */
  readonly totalWeight: number;
}

/** Builds the plan. */
export function planRestore(stages: readonly StageDefinition[], input: StageConditionInput): RestorePlan {
  const planned = stages.map((stage) => Object.freeze({ stage, skipReason: skipReason(stage, input) }));
  const totalWeight = planned.filter((p) => p.skipReason === undefined).reduce((sum, p) => sum + p.stage.weight, 0);
  return Object.freeze({ stages: Object.freeze(planned), totalWeight });
}

// Internal helpers

function skipReason(stage: StageDefinition, input: StageConditionInput): string | undefined {
  const off = stage.enabledBy.filter((name) => input.settings.root(name) === 0);
  if (off.length > 0) return `setting ${off.join(', ')} is off`;
  return stage.skipWhen?.(input);
}
