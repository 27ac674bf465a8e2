import { describe, expect, it } from 'vitest';
import { expectClose } from './helpers/fixtures.js';

describe('expectClose (the parity tests rely on it failing)', () => {
  it('passes within tolerance and fails outside it, on NaN and on length', () => {
    expectClose([1, 2.0001], [1, 2], 1e-3, 0);
    expect(() => expectClose([1, 2.01], [1, 2], 1e-3, 1e-3)).toThrow(/element 1 is 2.01, expected 2/);
    expect(() => expectClose([Number.NaN], [1], 1, 1)).toThrow(/element 0/);
    expect(() => expectClose([1], [1, 2], 1, 1)).toThrow(/length/);
  });
});
