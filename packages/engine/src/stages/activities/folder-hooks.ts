/**
 * mod_folder behaviour beyond the spec (`mod/folder/backup/moodle2/restore_folder_stepslib.php`,
 * `process_folder()`): a backup without `showexpanded` takes the site setting `get_config('folder',
 * 'showexpanded')`; the store keeps no plugin settings, so Moodle's default for it, 1, is used.
 */
import type { ModuleHooks } from './module-run.ts';

/** `folder | showexpanded` default (`mod/folder/settings.php`). */
const SHOWEXPANDED_DEFAULT = 1;

export const folderHooks: ModuleHooks = {
  paths: {
    '/activity/folder': {
      prepare({ record, row }) {
        if (record.data.showexpanded === undefined || record.data.showexpanded === null)
          row.showexpanded = SHOWEXPANDED_DEFAULT;
      },
    },
  },
};
