/**
 * The global setup of `pnpm test:quick`: the run's own temp folder and its rule (tests remove what they create),
 * without the check for the built bin, since the quick run leaves out the tests that run it.
 */
export { tempFolderRule as default } from './global-setup.ts';
