import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';

describe.each(BACKENDS)('int32 creation never rounds silently ($name)', ({ name }) => {
  it('rejects non-integers and out-of-range values, naming the op and position', async () => {
    expect(() => T.tensor([1, 2.5], { dtype: 'int32', backend: name })).toThrow(
      /tensor: value 2.5 \(at flat position 1\) is not an int32/,
    );
    expect(() => T.tensor(new Float32Array([0, 1, 2 ** 40]), { dtype: 'int32', backend: name })).toThrow(
      T.DTypeError,
    );
    expect(() => T.full([2], 0.5, { dtype: 'int32', backend: name })).toThrow(/full: value 0.5/);
    const ok = T.tensor(new Float64Array([3, -4]), { dtype: 'int32', backend: name });
    expect(Array.from(await ok.data())).toEqual([3, -4]);
    ok.dispose();
  });
});
