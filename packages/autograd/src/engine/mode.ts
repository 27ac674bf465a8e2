/** Grad mode: whether ops are recorded. `noGrad` is for evaluation and for optimiser updates. */
import { assertFunction } from '../errors.js';

let disabled = 0;

/** Whether ops are being recorded (false inside noGrad). */
export const isGradEnabled = (): boolean => disabled === 0;

/** Runs fn without recording: its outputs do not require gradients and nothing is saved for backward. */
export function noGrad<T>(fn: () => T): T {
  assertFunction('noGrad', fn);
  disabled++;
  try {
    return fn();
  } finally {
    disabled--;
  }
}

/** Re-enables recording inside a noGrad region (rarely needed; as torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  const saved = disabled;
  disabled = 0;
  try {
    return fn();
  } finally {
    disabled = saved;
  }
}
