/** Printing: the strings PyTorch 1.13 prints for the same values (precision 4, summarised past 1000). */
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { arange, reshape, type Tensor, tensor, tidy, transpose, zeros } from '../../src/index.js';

const str = (make: () => Tensor, options?: Parameters<Tensor['toString']>[0]): string =>
  tidy(() => {
    const t = make();
    return t.toString(options);
  }) as unknown as string;

describe('toString', () => {
  it('formats floats with four decimals and aligned columns', () => {
    expect(
      str(() =>
        tensor([
          [0.1, 0.2],
          [0.3, 0.4],
        ]),
      ),
    ).toBe('tensor([[0.1000, 0.2000],\n        [0.3000, 0.4000]])');
    expect(str(() => tensor([-1, 2.5]))).toBe('tensor([-1.0000,  2.5000])');
  });
  it('writes whole-number floats as `1.`, ints plainly, bools as true/false', () => {
    expect(str(() => tensor([1, 2, 3]))).toBe('tensor([1., 2., 3.])');
    expect(str(() => tensor([1, -20, 3], { dtype: 'int32' }))).toBe('tensor([  1, -20,   3])');
    expect(str(() => tensor([true, false]))).toBe('tensor([ true, false])');
  });
  it('switches to scientific notation for a wide range of magnitudes', () => {
    expect(str(() => tensor([1e-5, 1]))).toBe('tensor([1.0000e-05, 1.0000e+00])');
    expect(str(() => tensor([1, 5000]))).toBe('tensor([1.0000e+00, 5.0000e+03])');
  });
  it('prints nan and inf, scalars, empty tensors and float64', () => {
    expect(str(() => tensor([Number.NaN, Number.POSITIVE_INFINITY, 1.5]))).toBe(
      'tensor([   nan,    inf, 1.5000])',
    );
    expect(str(() => tensor(3.5))).toBe('tensor(3.5000)');
    expect(str(() => zeros([0, 3]))).toBe('tensor([], shape=[0, 3])');
    expect(str(() => tensor([1, 2], { dtype: 'float64' }))).toBe('tensor([1., 2.], dtype=float64)');
  });
  it('separates the blocks of a 3-D tensor with a blank line', () => {
    expect(str(() => reshape(arange(0, 8, 1, { dtype: 'float32' }), [2, 2, 2]))).toBe(
      'tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])',
    );
  });
  it('reads a strided view in its logical order', () => {
    expect(
      str(() =>
        transpose(
          tensor([
            [1, 2],
            [3, 4],
          ]),
        ),
      ),
    ).toBe('tensor([[1., 3.],\n        [2., 4.]])');
  });
  it('summarises past 1000 elements with … and the first and last three of each axis', () => {
    expect(str(() => arange(2000))).toBe('tensor([   0,    1,    2, …, 1997, 1998, 1999])');
    expect(str(() => reshape(arange(1024), [32, 32])).split('\n')).toEqual([
      'tensor([[   0,    1,    2, …,   29,   30,   31],',
      '        [  32,   33,   34, …,   61,   62,   63],',
      '        [  64,   65,   66, …,   93,   94,   95],',
      '        …,',
      '        [ 928,  929,  930, …,  957,  958,  959],',
      '        [ 960,  961,  962, …,  989,  990,  991],',
      '        [ 992,  993,  994, …, 1021, 1022, 1023]])',
    ]);
  });
  it('wraps a long row at 80 characters, as PyTorch', () => {
    const lines = str(() => arange(0, 30, 1, { dtype: 'float32' }).div(7)).split('\n');
    expect(lines[0]).toBe('tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,');
    expect(lines[1]).toBe('        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,');
    expect(lines).toHaveLength(4);
  });
  it('takes precision and threshold options', () => {
    expect(str(() => tensor([0.1, 0.2]), { precision: 2 })).toBe('tensor([0.10, 0.20])');
    expect(str(() => arange(10), { threshold: 5, edgeItems: 1 })).toBe('tensor([0, …, 9])');
  });
  it('names a disposed tensor instead of reading it', () => {
    const t = tensor([1, 2]);
    t.dispose();
    expect(String(t)).toBe('Tensor([2], float32, cpu, disposed)');
  });
});

describe('console, print, JSON', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  it("util.inspect (console.log's formatter) shows the values", () => {
    const t = tensor([1, 2]);
    expect(inspect(t)).toBe('tensor([1., 2.])');
    expect(inspect({ w: t })).toBe('{ w: tensor([1., 2.]) }');
    t.dispose();
  });
  it('print() logs the formatted values; format() returns them', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const t = tensor([0.5]);
    await t.print();
    expect(log).toHaveBeenCalledWith('tensor([0.5000])');
    expect(await t.format({ precision: 1 })).toBe('tensor([0.5])');
    t.dispose();
  });
  it('toJSON gives shape, dtype and nested data', () => {
    const t = tensor([[1, 2]], { dtype: 'int32' });
    expect(JSON.stringify({ t })).toBe('{"t":{"shape":[1,2],"dtype":"int32","data":[[1,2]]}}');
    t.dispose();
  });
});
