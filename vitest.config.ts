import { defineConfig } from 'vitest/config';

/**
 * The workspace's packages resolve to their TypeScript sources (the `source` export condition), not to `dist`: Vite's
 * own server conditions plus `source`. (Listing `import` or `default` here would also hand them to Node for the
 * externalised CommonJS packages, whose `require()` calls would then pick ESM builds.)
 */
const conditions = ['source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source', 'node'] } },
  test: {
    // Child processes the tests start from TypeScript sources (node --import tsx …) resolve the workspace the same way.
    env: { NODE_OPTIONS: [process.env.NODE_OPTIONS, '--conditions=source'].filter(Boolean).join(' ') },
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['./packages/test-support/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './packages/test-support/src/summary-reporter.ts'],
  },
});
