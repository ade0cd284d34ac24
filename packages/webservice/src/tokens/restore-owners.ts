/**
 * Which token started which restore (`mdl_mbz_token_restores`), so that a token sees its own restores and no
 * one else's: a restore id of another token answers `invalidrecord`, as an id that does not exist does.
 *
 * The row is written just before the restore service records the job (its `onAccepted` step), so a job never
 * exists without its owner. If recording the job then fails, the row names a restore that does not exist,
 * which reads exactly as an unknown id (`invalidrecord`) and never counts against the token's limits.
 */
import type { StorageAdapter } from '@mbz-restore/engine';

/** Records that token `tokenid` started restore `restoreid`. */
export async function recordOwner(storage: StorageAdapter, tokenid: number, restoreid: string): Promise<void> {
  const tx = await storage.begin();
  try {
    const id = await tx.allocateIds('mbz_token_restores', 1);
    await tx.insert('mbz_token_restores', [{ id, tokenid, restoreid, timecreated: Math.floor(Date.now() / 1000) }]);
    await tx.commit();
  } catch (error) {
    await tx.rollback();
    throw error;
  }
}

/** True when token `tokenid` started restore `restoreid`. */
export async function ownsRestore(storage: StorageAdapter, tokenid: number, restoreid: string): Promise<boolean> {
  return (await storage.count('mbz_token_restores', { tokenid, restoreid })) > 0;
}

/** Every restore id token `tokenid` started, oldest first. */
export async function restoresOf(storage: StorageAdapter, tokenid: number): Promise<string[]> {
  return (await storage.select('mbz_token_restores', { tokenid })).map((r) => String(r.restoreid));
}
