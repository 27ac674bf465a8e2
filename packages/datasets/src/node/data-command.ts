import { formatReport } from '../report.js';
import { EXIT } from './cli-errors.js';
import { type FlagTable, flagHelp, type ParseResult, parseFlags, UsageError, usageLine } from './flags.js';
import { DATA_ENV, DATASET_NAMES, listDatasets } from './registry.js';

export {
  type CliError,
  describeCommonError,
  EXIT,
  reportCliError,
  signalExitStatus,
  takeVerbose,
} from './cli-errors.js';
export { type DirLock, LockError, lockDir } from './lock.js';

/** The flags of `norga-data` (--verbose is taken out of argv by the bin; it is listed for the help). */
export const DATA_FLAGS = {
  'data-dir': {
    kind: 'string',
    default: '',
    help: `the data directory (else $${DATA_ENV}); Fashion-MNIST also looks in Debian's location`,
  },
  size: { kind: 'int', default: 224, min: 1, help: 'stored image size reported for image folders' },
  json: { kind: 'bool', default: false, help: 'print JSON instead of a table' },
  verbose: { kind: 'bool', default: false, help: 'a stack trace with any error' },
  help: { kind: 'bool', default: false, help: 'this help (also -h)' },
} as const satisfies FlagTable;

/** The help text of `norga-data` (printed by `--help`). */
export const DATA_USAGE = `usage: norga-data [list] [NAME...] [flags]

Reports which data sets are available, their train/test sizes, class counts and samples per class.
  ${'NAME'.padEnd(44)} only these (known: ${DATASET_NAMES.join(', ')}); exit status 1 if any is not ok
${flagHelp(DATA_FLAGS)}
Exit status: 0 ok, 1 a named data set is not ok or a file is bad, 2 a bad flag, 4 the machine (disk, memory).`;

/** Where a command writes and what environment it reads (process.stdout/stderr/env for the real command). */
export interface CommandIo {
  /** Writes the command's output (one call per line or block, without a trailing newline). */
  readonly out: (text: string) => void;
  /** Writes error messages. */
  readonly err: (text: string) => void;
  /** The environment variables read (NORGA_DATA); process.env when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The `norga-data` command (also meant to back `norga data`). Returns the exit status. */
export function runDataCommand(argv: readonly string[], io: CommandIo): number {
  let parsed: ParseResult<typeof DATA_FLAGS>;
  try {
    parsed = parseFlags(argv, DATA_FLAGS);
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, err.message);
    throw err;
  }
  const { values: f, given, positionals } = parsed;
  if (f.help) {
    io.out(DATA_USAGE);
    return EXIT.ok;
  }
  // `norga-data list` and `norga-data` mean the same.
  const names = positionals[0] === 'list' ? positionals.slice(1) : positionals;
  const bad = names.find((n) => !DATASET_NAMES.includes(n));
  if (bad !== undefined) return usageError(io, `unknown data set '${bad}'`);
  const reports = listDatasets({
    ...(f['data-dir'] ? { dataDir: f['data-dir'] } : {}),
    ...(given.has('size') ? { size: f.size } : {}),
    ...(io.env ? { env: io.env } : {}),
    ...(names.length ? { only: names } : {}),
  });
  io.out(f.json ? JSON.stringify(reports, null, 2) : formatReport(reports));
  return names.length > 0 && reports.some((r) => r.status !== 'ok') ? EXIT.failed : EXIT.ok;
}

function usageError(io: CommandIo, message: string): number {
  io.err(usageLine('norga-data', message, 'norga-data --help'));
  return EXIT.usage;
}
