/**
 * An opt-in warning for the leak a PyTorch-style loop makes here: tensors created per step and never disposed
 * (no garbage collector frees GPU buffers or WebAssembly memory). Every Optimizer.step() reports the live
 * tensor count; when it has grown at every one of `steps` consecutive steps, `warn` is called once with the
 * counts and what to do. Off by default (a count per step costs nothing, but a warning nobody asked for is
 * noise); on with `warnOnLeaks()` or the environment variable NORGA_WARN_LEAKS=1.
 */
import { memory } from '@norga/tensor';

/** Options of warnOnLeaks. */
export interface LeakWarningOptions {
  /** Consecutive optimizer steps of growth before the warning (default 10). */
  steps?: number;
  /** Where the message goes (default console.warn). */
  warn?: (message: string) => void;
}

interface Watch {
  readonly steps: number;
  readonly warn: (message: string) => void;
  /** Live tensor counts after the recent steps, oldest first. */
  readonly counts: number[];
  warned: boolean;
}

let watch: Watch | undefined = envEnabled() ? make({}) : undefined;

function envEnabled(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NORGA_WARN_LEAKS === '1';
}

function make(o: LeakWarningOptions): Watch {
  const steps = o.steps ?? 10;
  if (!Number.isInteger(steps) || steps < 2)
    throw new RangeError(`warnOnLeaks: steps must be an integer >= 2, got ${steps}`);
  return { steps, warn: o.warn ?? ((m) => console.warn(m)), counts: [], warned: false };
}

/** Turns the leak warning on (with options) or off (`false`). */
export function warnOnLeaks(options: LeakWarningOptions | false = {}): void {
  watch = options === false ? undefined : make(options);
}

/** Called by Optimizer.step() after each step. */
export function afterOptimizerStep(): void {
  if (!watch || watch.warned) return;
  const { counts, steps } = watch;
  const now = memory().tensors;
  if (counts.length > 0 && now <= counts[counts.length - 1]!) counts.length = 0;
  counts.push(now);
  if (counts.length <= steps) return;
  counts.shift();
  watch.warned = true;
  const first = counts[0]!;
  watch.warn(
    `norga: live tensors grew at each of the last ${steps} optimizer steps (${first} -> ${now}, ` +
      `+${((now - first) / (steps - 1)).toFixed(1)} per step). Tensors made in the training loop are not freed ` +
      'by a garbage collector: wrap each step in tidy(() => ...) or dispose() them (see "Coming from PyTorch" ' +
      'in the @norga/autograd README). warnOnLeaks(false) silences this.',
  );
}
