/**
 * mod_workshop behaviour beyond the spec (`mod/workshop/backup/moodle2/restore_workshop_stepslib.php`):
 * `process_workshop()` turns the old way of disabling file submissions (`nattachments` 0) into the new one
 * (file submissions disabled, text required, `nattachments` 1); `process_workshop_examplesubmission()` sets
 * `example` 1 and `authorid` to the restoring user, `process_workshop_referenceassessment()` sets `reviewerid` to
 * the restoring user, `process_workshop_submission()` sets `example` 0.
 */
import { num } from '../support.ts';
import type { ModuleHooks } from './module-run.ts';

const W = '/activity/workshop';
const EXAMPLE = `${W}/examplesubmissions/examplesubmission`;
/** WORKSHOP_SUBMISSION_TYPE_DISABLED / _REQUIRED (`mod/workshop/locallib.php`). */
const SUBMISSION_TYPE_DISABLED = 0;
const SUBMISSION_TYPE_REQUIRED = 2;

export const workshopHooks: ModuleHooks = {
  paths: {
    [W]: {
      prepare({ row }) {
        if (row.nattachments !== undefined && row.nattachments !== null && num(row.nattachments) === 0) {
          row.submissiontypefile = SUBMISSION_TYPE_DISABLED;
          row.submissiontypetext = SUBMISSION_TYPE_REQUIRED;
          row.nattachments = 1;
        }
      },
    },
    [EXAMPLE]: {
      prepare({ run, row }) {
        row.example = 1;
        row.authorid = run.ctx.state.restorerUserId;
      },
    },
    [`${EXAMPLE}/referenceassessment`]: {
      prepare({ run, row }) {
        row.reviewerid = run.ctx.state.restorerUserId;
      },
    },
    [`${W}/submissions/submission`]: {
      prepare({ row }) {
        row.example = 0;
      },
    },
  },
};
