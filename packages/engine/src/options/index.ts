/**
 * `@mbz-restore/engine/options`: restore options without the rest of the engine (a CLI builds its help and checks
 * its arguments with these before it loads anything else).
 */
export {
  EnrolMode,
  MDL64915_OPTION_NAMES,
  ROOT_OPTION_NAMES,
  ROOT_OPTIONS,
  BACKUP_VALUE_WHEN_ABSENT,
  isRootOptionName,
} from './restore-options.ts';
export type { Mdl64915OptionName, RootOptionName, RootOptionSpec } from './restore-options.ts';
export { parseOptionArgs, optionArgsHelp } from './parse-option-args.ts';
