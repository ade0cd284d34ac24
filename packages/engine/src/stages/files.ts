/**
 * Stage `files` — NOT YET IMPLEMENTED (placeholder so the pipeline runs end to end while it is written).
 */
import { defineStage } from '../pipeline/define-stage.ts';

export const filesStage = defineStage({
  name: 'files',
  enabledBy: [],
  reads: ['files.xml', 'files/*/*'],
  weight: 6,
  async run() {
    // Placeholder.
  },
});
