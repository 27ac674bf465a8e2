/**
 * How the `norga` command reports an error: one line naming the file, flag or value, and an exit status (the
 * table EXIT of @norga/datasets, documented in the README). The classes of this package come first, then those
 * of every package below it and the system's (describeCommonError); anything else is a bug (exit 70).
 */
import { type CliError, describeCommonError, EXIT } from '@norga/datasets';
import { SafetensorsError } from '@norga/vit';
import { UsageError } from './args.js';
import { CorruptFileError } from './atomic.js';
import { BackboneError } from './backbone-file.js';
import { PlotError } from './plots.js';
import { UnitFailedError } from './run-units.js';
import { RunDirError } from './rundir.js';

export function describeNorgaError(err: unknown): CliError | undefined {
  if (err instanceof UsageError)
    return {
      message: `${err.message} (norga --help lists the commands; norga <command> --help its flags)`,
      code: EXIT.usage,
    };
  if (
    err instanceof RunDirError ||
    err instanceof BackboneError ||
    err instanceof CorruptFileError ||
    err instanceof PlotError ||
    err instanceof SafetensorsError
  )
    return { message: err.message, code: EXIT.failed };
  // A child process of a parallel run described its error already: its line and its status.
  if (err instanceof UnitFailedError) return { message: err.message, code: err.code };
  if (err instanceof RangeError && err.message.startsWith('cholesky: matrix is not positive definite'))
    return {
      message:
        'the class feature statistics (the per-class covariances of the Gaussian realignment) are not positive ' +
        `definite (${err.message.slice('cholesky: '.length)}): the backbone's features hold NaN or infinities, or a ` +
        'learning rate diverged; check the backbone file, or lower --lr / --ca-lr / --tii-ca-lr',
      code: EXIT.failed,
    };
  return describeCommonError(err);
}
