import { formatReport } from '../report.js';
import { EXIT } from './cli-errors.js';
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

/** The help text of `norga-data` (printed by `--help`). */
export const DATA_USAGE = `usage: norga-data [list] [NAME...] [--data-dir DIR] [--size N] [--json] [--verbose]

Reports which data sets are available, their train/test sizes, class counts and samples per class.
  NAME          only these (known: ${DATASET_NAMES.join(', ')}); exit status 1 if any is not ok
  --data-dir    the data directory (default: $${DATA_ENV}); Fashion-MNIST also looks in Debian's location
  --size N      stored image size reported for image folders (default 224)
  --json        print JSON instead of a table
  --verbose     a stack trace with any error
  -h, --help    this help
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
  const names: string[] = [];
  let dataDir: string | undefined;
  let size: number | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      io.out(DATA_USAGE);
      return 0;
    } else if (a === '--json') json = true;
    else if (a === '--data-dir' || a.startsWith('--data-dir=')) {
      dataDir = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!dataDir) return usageError(io, '--data-dir needs a directory');
    } else if (a === '--size' || a.startsWith('--size=')) {
      const v = Number(a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i]);
      if (!Number.isInteger(v) || v < 1) return usageError(io, '--size needs a positive integer');
      size = v;
    } else if (a === 'list' && names.length === 0 && i === 0) {
      // `norga-data list` and `norga-data` mean the same.
    } else if (a.startsWith('-')) return usageError(io, `unknown option '${a}'`);
    else if (!DATASET_NAMES.includes(a)) return usageError(io, `unknown data set '${a}'`);
    else names.push(a);
  }
  const reports = listDatasets({
    ...(dataDir ? { dataDir } : {}),
    ...(size ? { size } : {}),
    ...(io.env ? { env: io.env } : {}),
    ...(names.length ? { only: names } : {}),
  });
  io.out(json ? JSON.stringify(reports, null, 2) : formatReport(reports));
  return names.length > 0 && reports.some((r) => r.status !== 'ok') ? EXIT.failed : EXIT.ok;
}

function usageError(io: CommandIo, message: string): number {
  io.err(`norga-data: ${message} (norga-data --help lists the flags)`);
  return EXIT.usage;
}
