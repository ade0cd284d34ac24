/**
 * What `open()` does after a crash, in this order:
 * 1. units recorded in `mbz_commits` as `merged` (their rows are committed, their blobs not yet moved) and
 *    no longer running: move the blobs listed in `mbz_pending_blobs` from the unit's staging folder into
 *    place, mark the unit `done`, delete its staging database and folder;
 * 2. staging databases of units that never committed and whose process is gone (the file is not locked):
 *    delete them and the unit's blob staging folder;
 * 3. blob staging folders left without a staging database: delete them.
 * A unit still running in another thread or process keeps its staging file locked and is left alone.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { writeTransaction } from './sql.ts';
import { ownerGone, probeStaging } from './staging.ts';
import { stagingFile, stagingOwnerFile } from './store-context.ts';
import type { StoreContext } from './store-context.ts';

/** What recovery did. */
export interface RecoveryReport {
  /** Committed units whose blobs were moved into place. */
  readonly finished: string[];
  /** Uncommitted units whose staging files were deleted. */
  readonly discarded: string[];
}

/** Finishes committed units and deletes the leftovers of dead ones. */
export async function recover(ctx: StoreContext): Promise<RecoveryReport> {
  const report: RecoveryReport = { finished: [], discarded: [] };
  const merged = new Set(
    (
      ctx.db.prepare("SELECT unitid FROM main.mbz_commits WHERE state = 'merged'").all() as Array<{ unitid: string }>
    ).map((r) => r.unitid),
  );
  for (const unitid of merged) {
    if (isLive(ctx, unitid)) continue;
    const hashes = ctx.db
      .prepare('SELECT contenthash FROM main.mbz_pending_blobs WHERE unitid = ?')
      .all(unitid) as Array<{ contenthash: string }>;
    await ctx.blobs.moveIn(
      unitid,
      hashes.map((h) => h.contenthash),
    );
    await writeTransaction(ctx.db, ctx.busyTimeoutMs, () => {
      ctx.db.prepare('DELETE FROM main.mbz_pending_blobs WHERE unitid = ?').run(unitid);
      ctx.db.prepare("UPDATE main.mbz_commits SET state = 'done' WHERE unitid = ?").run(unitid);
    });
    await removeUnitFiles(ctx, unitid);
    report.finished.push(unitid);
  }
  for (const name of safeReaddir(ctx.stagingDir)) {
    const unitid = /^([0-9a-f]{32})\.db$/.exec(name)?.[1];
    if (unitid === undefined || merged.has(unitid) || isLive(ctx, unitid)) continue;
    await removeUnitFiles(ctx, unitid);
    report.discarded.push(unitid);
  }
  // An owner note whose unit died before its staging database was created.
  for (const name of safeReaddir(ctx.stagingDir)) {
    const unitid = /^([0-9a-f]{32})\.owner$/.exec(name)?.[1];
    if (
      unitid === undefined ||
      safeStat(stagingFile(ctx, unitid)) !== undefined ||
      !ownerGone(stagingFile(ctx, unitid), true)
    )
      continue;
    rmSync(stagingOwnerFile(stagingFile(ctx, unitid)), { force: true });
  }
  for (const unitid of await ctx.blobs.stagingUnits()) {
    if (merged.has(unitid) && !report.finished.includes(unitid)) continue;
    if (safeStat(stagingFile(ctx, unitid)) !== undefined) continue;
    await ctx.blobs.removeStaging(unitid);
  }
  return report;
}

// Internal helpers

/** True when the unit's staging database exists and is held by a running unit. */
function isLive(ctx: StoreContext, unitid: string): boolean {
  const file = stagingFile(ctx, unitid);
  const stats = safeStat(file);
  if (stats === undefined) return false;
  return probeStaging(ctx, file, Date.now() - stats.mtimeMs) === 'live';
}

async function removeUnitFiles(ctx: StoreContext, unitid: string): Promise<void> {
  await ctx.blobs.removeStaging(unitid);
  rmSync(stagingFile(ctx, unitid), { force: true });
  rmSync(stagingOwnerFile(stagingFile(ctx, unitid)), { force: true });
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeStat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
