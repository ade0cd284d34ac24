/**
 * Stage `finalize` — NOT YET IMPLEMENTED (placeholder so the pipeline runs end to end while it is written).
 */
import { defineStage } from '../pipeline/define-stage.ts';

export const finalizeStage = defineStage({
  name: 'finalize',
  enabledBy: [],
  reads: [],
  weight: 1,
  async run() {
    // Placeholder.
  },
});
