/**
 * `core_course_restore_async` (MDL-64915): restores a backup from the caller's draft area into a new course
 * of `categoryid`, queued, and answers `{restoreid}` at once. A token limited to categories may restore only
 * into them (`accessexception`); each token has a bound on its restores waiting or running (`toomanyrequests`).
 * The restore is recorded as the token's (`mdl_mbz_token_restores`) before its job is recorded, in the service's
 * `onAccepted` step, so only that token ever sees its status and no job exists without its owner.
 */
import type { OptionItem } from '@mbz-restore/engine';
import { accessException, shuttingDown } from '../errors/exceptions.ts';
import { multiple, single, value } from '../params/external-description.ts';
import { recordOwner } from '../tokens/restore-owners.ts';
import type { ExternalFunction } from './external-function.ts';

/** The function. */
export const restoreAsync: ExternalFunction = {
  name: 'core_course_restore_async',
  component: 'core',
  parameters: single({
    categoryid: value('int', 'Category to restore the course into'),
    localfile: single(
      {
        contextid: value('int', "Context id of the draft area (the uploading user's context, as upload.php answers)"),
        filecontextid: value('int', 'Context id the file is recorded under; default is contextid', {
          presence: 'optional',
        }),
        itemid: value('int', 'Draft item id answered by upload.php'),
      },
      'Moodle internal backup file details returned from webservice/upload.php',
    ),
    options: multiple(
      single({
        name: value(
          'alphanumext',
          'Option name: activities, blocks, filters, users, enrolments, role_assignments, comments, userscompletion, logs, grade_histories …',
        ),
        value: value('raw', 'Option value: 1 (yes) or 0 (no); enrolments also 2 (always)'),
      }),
      'Restore options',
      { presence: 'default', default: [] },
    ),
  }),
  returns: single({ restoreid: value('alphanum', 'Restore id, for core_course_restore_async_get_status') }),

  async execute(params, { token, app, scope }) {
    if (app.closing()) throw shuttingDown();
    const categoryid = params.categoryid as number;
    if (token.categories !== null && !token.categories.includes(categoryid)) {
      throw accessException(
        `This token may restore only into categor${token.categories.length === 1 ? 'y' : 'ies'} ${token.categories.join(', ')}; category ${categoryid} is not one of them.`,
      );
    }
    const localfile = params.localfile as { contextid: number; filecontextid?: number; itemid: number };
    const options = (params.options as Array<{ name: string; value: string }>).map(
      (o): OptionItem => ({ name: o.name, value: o.value }),
    );
    await app.tokenLimits.ready(token.id);
    const slot = app.tokenLimits.reserveRestore(token.id);
    let restoreid: string;
    try {
      ({ restoreid } = await app.service.restoreAsync(
        { categoryid, localfile, options },
        { userid: token.user.id },
        { onAccepted: (id) => recordOwner(app.storage, token.id, id) },
      ));
    } catch (error) {
      slot.release();
      throw error;
    }
    slot.confirm(restoreid);
    scope.log.restoreid = restoreid;
    return { restoreid };
  },
};
