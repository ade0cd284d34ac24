/**
 * What every backup-file writer receives: the course model, the log plan and the counters it must
 * bump for each record it writes. A writer is a function of these alone (no hidden state), so it
 * can run twice — once to measure the entry, once to write it — with identical output.
 */
import type { CountsRecorder } from './counts.ts';
import type { LogPlan } from './log-plan.ts';
import type { CourseModel } from './model-types.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Inputs and counters of one rendering pass. */
export interface RenderContext {
  readonly model: CourseModel;
  readonly logs: LogPlan;
  /** Counters for `GenerateResult.counts`; bump once per record written. */
  readonly counts: CountsRecorder;
}

/** Renders one XML entry of the backup into `w` (which already holds the XML declaration). */
export type XmlRender = (w: XmlWriter, ctx: RenderContext) => void | Promise<void>;
