/**
 * `core_backup_get_async_backup_progress` (`backup/externallib.php`): the status of several restores in one
 * call, `[{status, progress, backupid, operation}]`, in the order asked. As there, `contextid` must name an
 * existing context; every id must be one of the token's restores, else the call answers `invalidrecord`.
 */
import { invalidRecord } from '../errors/exceptions.ts';
import { multiple, single, value } from '../params/external-description.ts';
import { ownsRestore } from '../tokens/restore-owners.ts';
import type { ExternalFunction } from './external-function.ts';

/** The function. */
export const getAsyncBackupProgress: ExternalFunction = {
  name: 'core_backup_get_async_backup_progress',
  component: 'core',
  parameters: single({
    backupids: multiple(value('alphanum', 'Backup id to get progress for'), 'Backup ids'),
    contextid: value('int', 'Context id'),
  }),
  returns: multiple(
    single({
      status: value('int', 'Backup Status'),
      progress: value('float', 'Backup progress'),
      backupid: value('alphanum', 'Backup id'),
      operation: value('alpha', 'operation type'),
    }),
    'Backup status',
  ),

  async execute(params, { token, app }) {
    const contextid = params.contextid as number;
    if ((await app.storage.count('context', { id: contextid })) === 0)
      throw invalidRecord('context', `No context ${contextid}.`);
    const out: Array<{ status: number; progress: number; backupid: string; operation: string }> = [];
    for (const backupid of params.backupids as string[]) {
      if (!(await ownsRestore(app.storage, token.id, backupid)))
        throw invalidRecord('backup_controllers', `No restore ${backupid} of this token.`);
      const { status, progress } = await app.service.getStatus(backupid, { userid: token.user.id });
      out.push({ status, progress, backupid, operation: 'restore' });
    }
    return out;
  },
};
