/**
 * mod_data behaviour beyond the spec (`mod/data/backup/moodle2/restore_data_stepslib.php`, `process_data()`):
 * a missing `notification` (older backups, MDL-24470) becomes 0.
 */
import type { ModuleHooks } from './module-run.ts';

export const dataHooks: ModuleHooks = {
  paths: {
    '/activity/data': {
      prepare({ row }) {
        if (row.notification === undefined || row.notification === null) row.notification = 0;
      },
    },
  },
};
