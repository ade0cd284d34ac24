import { configDefaults, defineConfig } from 'vitest/config';
import full from './vitest.config.ts';

/**
 * `pnpm test:quick`, for development: under 2 minutes on a 2-core machine, no build first. The unit tests and a
 * representative subset of the rest; `pnpm test` (the full suite, what CI runs) still runs everything.
 *
 * Left out here, and why:
 */
const SLOW = [
  // The CLI's tests run the built bin (packages/cli/dist/bin.js), which would need `pnpm build` first; one of
  // them runs `mbz inspect` over every fixture.
  'packages/cli/test/**',
  // Cross-package suites: every real fixture restored (restore-fixtures), row counts against Moodle's on the
  // 100-user backup (restore-expected), fidelity against Moodle, the hostile
  // corpus (~80 cases through four entry points, 2 GiB bombs), fuzz, SIGKILL at random points, packing and
  // installing the packages, the bench shapes.
  'test/restore-fixtures.test.ts',
  'test/restore-expected.test.ts',
  'test/fidelity.test.ts',
  'test/hostile/**',
  'test/fuzz.test.ts',
  'test/kill-at-random.test.ts',
  'test/packaging.test.ts',
  'test/bench-shape.test.ts',
  'test/bench-cli-shape.test.ts',
  'test/bench-postgres-shape.test.ts',
  // Every real fixture read or restored once more.
  'packages/engine/test/archive/real-fixtures.test.ts',
  'packages/engine/test/archive/inspect-forms.test.ts',
  'packages/engine/test/xml/moodle-files.test.ts',
  'packages/service/test/concurrent-fixtures.test.ts',
  // The service's worker threads and child processes (crashes, pool limits, budgets): the slowest service tests.
  'packages/service/test/restore-service.test.ts',
  'packages/service/test/worker-pool.test.ts',
  'packages/service/test/worker-exit.test.ts',
  'packages/service/test/interrupted.test.ts',
  'packages/service/test/precheck-budget.test.ts',
  // The service's site URL and acting user reaching restores in worker threads (all modules' backup; was in the
  // slow stage tests decode-links and enrolments-acting-user).
  'packages/service/test/restore-input.test.ts',
  // The slowest stage tests (the gradebook's history, logs, events and question attempts on the 100-user backup,
  // the Moodle oracle, every module at once); the gradebook, users, enrolments, activities, files, questions and
  // the smaller stages stay.
  'packages/engine/test/stages/restore-events.test.ts',
  'packages/engine/test/stages/regrade.test.ts',
  'packages/engine/test/stages/question-responses.test.ts',
  'packages/engine/test/stages/decode-links.test.ts',
  'packages/engine/test/stages/grade-history.test.ts',
  'packages/engine/test/stages/logs.test.ts',
  'packages/engine/test/stages/allmods.test.ts',
  'packages/engine/test/stages/role-assignments.test.ts',
  'packages/engine/test/stages/groups.test.ts',
  'packages/engine/test/stages/completion.test.ts',
  'packages/engine/test/stages/course-fidelity.test.ts',
  'packages/engine/test/stages/enrolments-acting-user.test.ts',
  // The webservice under load (50 clients at once), and its error cases (the end-to-end and atomic tests stay).
  'packages/webservice/test/webservice-load.test.ts',
  'packages/webservice/test/webservice-errors.test.ts',
];

export default defineConfig({
  ...full,
  test: {
    ...full.test,
    exclude: [...configDefaults.exclude, ...SLOW],
    // The quick run starts no built bin, so it does not check for one (the temp-folder rule stays).
    globalSetup: ['./packages/test-support/src/global-setup-quick.ts'],
  },
});
