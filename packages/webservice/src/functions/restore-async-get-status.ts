/**
 * `core_course_restore_async_get_status` (MDL-64915): `{status, progress}` of one of the token's restores, with
 * Moodle's status codes (700 waiting, 800 running, 900 failed, 1000 done). A restore id the token did not
 * start answers `invalidrecord`, exactly as an id that does not exist.
 */
import { invalidRecord } from '../errors/exceptions.ts';
import { single, value } from '../params/external-description.ts';
import { ownsRestore } from '../tokens/restore-owners.ts';
import type { ExternalFunction } from './external-function.ts';

/** The function. */
export const restoreAsyncGetStatus: ExternalFunction = {
  name: 'core_course_restore_async_get_status',
  component: 'core',
  parameters: single({ restoreid: value('alphanum', 'Restore id answered by core_course_restore_async') }),
  returns: single({
    status: value('int', 'Restore status: 700 waiting, 800 running, 900 finished with error, 1000 finished'),
    progress: value('float', 'Progress from 0 to 1'),
  }),

  async execute(params, { token, app }) {
    const restoreid = params.restoreid as string;
    if (!(await ownsRestore(app.storage, token.id, restoreid))) {
      throw invalidRecord('backup_controllers', `No restore ${restoreid} of this token.`);
    }
    const { status, progress } = await app.service.getStatus(restoreid, { userid: token.user.id });
    return { status, progress };
  },
};
