/**
 * The command-line flags of `norga run` and `norga theory` come from the project's one parser, in @norga/datasets
 * (declarative flag tables, help text, UsageError); re-exported here so this package's API keeps its names.
 */
export {
  type FlagBounds,
  type FlagSpec,
  type FlagTable,
  flagHelp,
  type Parsed,
  type ParseResult,
  parseFlags,
  UsageError,
  type ValueOf,
} from '@norga/datasets';
