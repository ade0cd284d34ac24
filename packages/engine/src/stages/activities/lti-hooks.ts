/**
 * mod_lti behaviour beyond the spec (`mod/lti/backup/moodle2/restore_lti_stepslib.php`, `process_lti()`):
 * `servicesalt` is a new `uniqid('', true)` (the backup's is not reused) and `grade` is cast with `(int)`
 * ("grade used to be a float (whole numbers only), restore as int"). `resourcekey` and `password`, encrypted
 * in the backup, become NULL in the interpreter (`leafValue()`), as Moodle's `decrypt()` returns on another
 * site.
 */
import { num } from '../support.ts';
import type { ModuleHooks } from './module-run.ts';

export const ltiHooks: ModuleHooks = {
  paths: {
    '/activity/lti': {
      prepare({ row }) {
        row.servicesalt = uniqid();
        row.grade = Math.trunc(num(row.grade));
      },
    },
  },
};

/**
 * PHP's `uniqid('', true)`: the time as 8 hex digits of seconds and 5 of microseconds, then "more entropy",
 * `sprintf('%.8F', lcg_value() * 10)`.
 */
export function uniqid(now = Date.now(), random = Math.random()): string {
  const seconds = Math.floor(now / 1000);
  const micros = (now % 1000) * 1000 + Math.floor(random * 1000);
  return `${seconds.toString(16).padStart(8, '0')}${(micros % 0x100000).toString(16).padStart(5, '0')}${(random * 10).toFixed(8)}`;
}
