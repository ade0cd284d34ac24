/**
 * Runs a plan's stages in order and turns stage progress into one monotonic fraction of the whole
 * restore, weighted by the stages' declared weights.
 */
import type { RestoreContext } from './context.ts';
import type { RestorePlan } from './plan.ts';

/** Progress of a restore, reported while it runs. */
export interface RestoreProgress {
  /** Stage running. */
  readonly stage: string;
  /** 0-based index among the stages that run, and how many run. */
  readonly stageIndex: number;
  readonly stageCount: number;
  /** Overall fraction 0…1, never decreasing. */
  readonly fraction: number;
}

/** How one stage ended. */
export interface StageResult {
  readonly name: string;
  readonly status: 'completed' | 'skipped' | 'failed' | 'not-run';
  /** Why it was skipped. */
  readonly reason?: string;
  readonly seconds: number;
}

/** Context minus the progress function, which the runner supplies per stage. */
export type PipelineContext = Omit<RestoreContext, 'progress'>;

/**
 * Runs every stage of the plan. `span` maps the pipeline onto a part of the overall progress
 * (the restore reserves the rest for unpacking and committing).
 */
export async function runPipeline(
  plan: RestorePlan,
  base: PipelineContext,
  options: { onProgress?: (progress: RestoreProgress) => void; span?: [number, number]; results?: StageResult[] } = {},
): Promise<StageResult[]> {
  const [from, to] = options.span ?? [0, 1];
  const results = options.results ?? [];
  const running = plan.stages.filter((p) => p.skipReason === undefined);
  let doneWeight = 0;
  let last = from;
  let index = 0;
  for (const { stage, skipReason } of plan.stages) {
    if (skipReason !== undefined) {
      results.push({ name: stage.name, status: 'skipped', reason: skipReason, seconds: 0 });
      continue;
    }
    const started = performance.now();
    const stageIndex = index++;
    const report = (fraction: number) => {
      const inStage = plan.totalWeight > 0 ? (doneWeight + stage.weight * fraction) / plan.totalWeight : 1;
      const overall = Math.min(to, from + (to - from) * inStage);
      if (overall > last || fraction === 0) {
        last = Math.max(last, overall);
        options.onProgress?.({ stage: stage.name, stageIndex, stageCount: running.length, fraction: last });
      }
    };
    report(0);
    const ctx: RestoreContext = {
      ...base,
      progress: (done, total) => report(total > 0 ? Math.min(1, Math.max(0, done / total)) : 0),
    };
    try {
      base.signal.throwIfAborted();
      await stage.run(ctx);
      await base.rows.flush();
    } catch (error) {
      results.push({ name: stage.name, status: 'failed', seconds: (performance.now() - started) / 1000 });
      for (const rest of plan.stages.slice(plan.stages.findIndex((p) => p.stage === stage) + 1)) {
        results.push({ name: rest.stage.name, status: 'not-run', seconds: 0 });
      }
      throw error;
    }
    doneWeight += stage.weight;
    report(1);
    results.push({ name: stage.name, status: 'completed', seconds: (performance.now() - started) / 1000 });
  }
  return results;
}
