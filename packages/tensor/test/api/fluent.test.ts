/** The fluent expression builder writes the same trees as the node constructors, with typed constants. */
import { describe, expect, it } from 'vitest';
import { arg, expr as E, fused, lit, tensor } from '../../src/index.js';

describe('fluent expressions', () => {
  it("gelu's formula builds the tree the constructors build, and runs as one kernel", () => {
    const c = (v: number) => E.constant(v, 'float32');
    const byNodes = E.bin(
      'mul',
      E.bin('mul', c(0.5), E.input(0)),
      E.bin('add', c(1), E.un('erf', E.bin('mul', E.input(0), c(Math.SQRT1_2)))),
    );
    const x = arg(0, 'float32');
    const fluent = lit(0.5, 'float32')
      .mul(x)
      .mul(lit(1, 'float32').add(x.mul(Math.SQRT1_2).erf()));
    expect(fluent.expr).toEqual(byNodes);
    const t = tensor([-1, 0, 2]);
    const y = fused(fluent.expr, [t]);
    const got = Array.from(y.dataSyncCpu());
    for (const u of [t, y]) u.dispose();
    // torch.nn.functional.gelu(torch.tensor([-1., 0., 2.])); float32 erf is within a few ulp of torch's
    const torch = [-0.15865525603294373, 0, 1.9544997215270996];
    for (const [i, v] of torch.entries()) expect(got[i]).toBeCloseTo(v, 6);
  });

  it('a number takes the dtype of the expression it meets: bool after a comparison, none without inputs typed', () => {
    const x = arg(0, 'int32');
    expect(x.cmpeq(arg(1)).cmpeq(0).expr).toEqual(
      E.bin('cmpeq', E.bin('cmpeq', E.input(0), E.input(1)), E.constant(0, 'bool')),
    );
    expect(x.cmplt(0).where(0, x).dtype).toBe('int32');
    expect(() => arg(0).add(1)).toThrow(TypeError);
  });
});
