/**
 * The one rule for indices along an axis (gather, indexSelect, scatterAdd, and so embedding lookups): they lie
 * in [0, size), as in PyTorch, which raises for negative ones (NumPy's take_along_axis would wrap them). Every
 * backend checks it and reports a bad index with this message; `take` alone counts from the end, as torch.take,
 * and wraps its indices before they reach a kernel.
 */
/** A plain range check [low, high) (oneHot's indices, crossEntropy's targets): `what` names the values. */
export const rangeMessage =
  (low: number, high: number, what = 'index') =>
  (bad: number, position: number): string =>
    `${what} ${bad} (at flat position ${position}) is out of range [${low}, ${high})`;

export const indexMessage = (i: number, axis: number, size: number): string =>
  `index ${i} is out of range for axis ${axis} of size ${size} (valid: 0 to ${size - 1}; negative indices are not allowed)`;
