/**
 * How many standard-log rows go into which logstores.xml, and their ids.
 *
 * The size table fixes the total (`logRecords`). Setup and activity events (see `log-events.ts`)
 * are counted by running their generators once; whatever the total leaves over is split into view
 * events: 40 % `course_viewed` in `course/logstores.xml`, the rest `course_module_viewed` over the
 * viewable activities with seeded weights (largest-remainder rounding, so the sum is exact). When
 * setup and activity events alone exceed the total, there are no fillers and the total is larger.
 * Each file gets a consecutive id range, course first, then activities in contents order.
 */
import { activitySetupEvents, activityUserEvents, courseActivityEvents, courseSetupEvents } from './log-events.ts';
import type { ActivityInfo, CourseModel } from './model-types.ts';
import { createRng } from './prng.ts';

/** Share of filler events that are course views. */
const COURSE_VIEW_SHARE = 0.4;

/** The rows of one logstores.xml. */
export interface LogFilePlan {
  /** Archive path of the logstores.xml. */
  readonly path: string;
  /** The activity, or `undefined` for `course/logstores.xml`. */
  readonly activity: ActivityInfo | undefined;
  readonly firstId: number;
  readonly setup: number;
  readonly events: number;
  readonly filler: number;
}

/** All log files. */
export interface LogPlan {
  readonly files: readonly LogFilePlan[];
  /** Plan by archive path. */
  readonly byPath: ReadonlyMap<string, LogFilePlan>;
  /** Total rows across all files. */
  readonly total: number;
}

/** Archive path of the logstores.xml of an activity (or of the course). */
export function logstoresPath(activity: ActivityInfo | undefined): string {
  return activity === undefined
    ? 'course/logstores.xml'
    : `activities/${activity.modname}_${activity.cmid}/logstores.xml`;
}

/** Plans every logstores.xml of the backup. */
export function buildLogPlan(model: CourseModel): LogPlan {
  const scopes: (ActivityInfo | undefined)[] = [undefined, ...model.activities];
  const base = scopes.map((a) =>
    a === undefined
      ? { setup: count(courseSetupEvents(model)), events: count(courseActivityEvents(model)) }
      : { setup: count(activitySetupEvents(model, a)), events: count(activityUserEvents(model, a)) },
  );
  const fixed = base.reduce((sum, b) => sum + b.setup + b.events, 0);
  const fillers = Math.max(0, model.profile.logRecords - fixed);

  const rng = createRng(model.seed, 'log-weights');
  const viewable = model.activities.map((a) => (a.modname === 'label' ? 0 : 0.5 + rng.next()));
  const viewableSum = viewable.reduce((s, w) => s + w, 0);
  const weights = [
    viewableSum > 0 ? COURSE_VIEW_SHARE : 1,
    ...viewable.map((w) => (viewableSum > 0 ? ((1 - COURSE_VIEW_SHARE) * w) / viewableSum : 0)),
  ];
  const split = largestRemainder(fillers, weights);

  let nextId = model.idBase.log;
  const files: LogFilePlan[] = scopes.map((activity, i) => {
    const b = base[i] ?? { setup: 0, events: 0 };
    const filler = split[i] ?? 0;
    const plan = { path: logstoresPath(activity), activity, firstId: nextId, setup: b.setup, events: b.events, filler };
    nextId += b.setup + b.events + filler;
    return plan;
  });
  return { files, byPath: new Map(files.map((f) => [f.path, f])), total: nextId - model.idBase.log };
}

// Internal helpers

function count(events: Iterable<unknown>): number {
  let n = 0;
  for (const _ of events) n++;
  return n;
}

/** Splits `total` into integers proportional to `weights` (sum exactly `total`). */
function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0 || total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((s, n) => s + n, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i] = (out[i] ?? 0) + 1;
    left--;
  }
  return out;
}
