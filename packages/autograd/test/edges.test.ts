/**
 * The ops built on exp and log at the edges of float32 (scripts/edges.py → fixtures/edges.json, PyTorch 1.13 in
 * float32): values and gradients at ±inf, ±1e4, ±100, ±89 (where exp overflows), ±20 and denormals, on every
 * backend. Elementwise cases run twice on each backend, as the 20 values alone and tiled to 4,096 elements,
 * because the CPU backend's WebAssembly tier takes over only for large tensors. NaN must match NaN (PyTorch's
 * gelu(-inf) is NaN, and so is ours), infinities exactly; finite values within atol 2e-38 (a float32
 * denormal may be flushed to 0: PyTorch's CPU sigmoid does below -88, GPUs may) and a relative 1e-4.
 */
import { readFileSync } from 'node:fs';
import * as T from '@norga/tensor';
import { type Tensor, tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { bceWithLogits, crossEntropy, valueAndGrad } from '../src/index.js';
import { BACKENDS } from './helpers/backends.js';

type Num = number | 'nan' | 'inf' | '-inf';
interface Case {
  name: string;
  shape: number[];
  x: Num[];
  out: Num[];
  grad: Num[];
  target?: Num[];
  targetDtype?: 'int32' | 'float32';
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/edges.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};
const dec = (v: Num): number =>
  v === 'nan' ? Number.NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v;

/** Values: a flushed denormal is 0 within 2e-38. */
const OUT_TOL = [2e-38, 1e-4] as const;
/**
 * Gradients: 1e-7 absolute, because PyTorch computes sigmoid's and BCE's gradients from a rounded value (y(1 - y)
 * with y = 1.0f at x = 20 gives 0; the derivative is 2.06e-9, which is what we give) and a GPU's exp and log are a
 * few ulp off (BCE's gradient at y = 0.5, x ≈ 0 cancels to 6e-8 there, not 0), and 2e-3 relative, because
 * PyTorch's logsumexp gradient exp(x - lse) inherits the rounding of lse near 1e4 (float32's step there is 1e-3:
 * it gives 0.49989 for an exact 0.5; we give 0.5).
 */
const GRAD_TOL = [1e-7, 2e-3] as const;

type Fn = (x: Tensor, target?: Tensor) => Tensor;
const FNS: Record<string, Fn> = {
  exp: (x) => T.exp(x),
  sigmoid: (x) => T.sigmoid(x),
  tanh: (x) => T.tanh(x),
  gelu: (x) => T.gelu(x),
  'gelu-tanh': (x) => T.gelu(x, { approximate: 'tanh' }),
  softplus: (x) => T.softplus(x),
  'softplus-beta2-threshold5': (x) => T.softplus(x, { beta: 2, threshold: 5 }),
  logSigmoid: (x) => T.logSigmoid(x),
  log1p: (x) => T.log1p(x),
  softmax: (x) => T.softmax(x, -1),
  logSoftmax: (x) => T.logSoftmax(x, -1),
  logsumexp: (x) => T.logsumexp(x, -1),
  crossEntropy: (x, t) => crossEntropy(x, t!, { reduction: 'none' }),
  'crossEntropy-mean': (x, t) => crossEntropy(x, t!),
  'bceWithLogits-y0': (x, t) => bceWithLogits(x, t!, { reduction: 'none' }),
  'bceWithLogits-y0.5': (x, t) => bceWithLogits(x, t!, { reduction: 'none' }),
  'bceWithLogits-y1': (x, t) => bceWithLogits(x, t!, { reduction: 'none' }),
};
const fnOf = (name: string): Fn => FNS[name.replace('.0', '')]!;
const ELEMENTWISE = new Set([
  'exp',
  'sigmoid',
  'tanh',
  'gelu',
  'gelu-tanh',
  'softplus',
  'softplus-beta2-threshold5',
  'logSigmoid',
  'log1p',
]);

function mismatches(got: ArrayLike<number>, want: readonly number[], atol: number, rtol: number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    const ok = Number.isNaN(w)
      ? Number.isNaN(g)
      : !Number.isFinite(w)
        ? g === w
        : Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) bad.push(`[${i}] got ${g}, want ${w}`);
  }
  return bad;
}

/** Value and gradient of sum(f(x) · w), w = 1 + (i mod 3) / 4, as the fixture's script; `tile` repeats x. */
async function run(c: Case, backend: string, tile: number) {
  const x0 = c.x.map(dec);
  const xs = Array.from({ length: x0.length * tile }, (_, i) => x0[i % x0.length]!);
  const shape = tile === 1 ? c.shape : [xs.length];
  const x = tensor(xs, { shape, backend });
  const target = c.target && tensor(c.target.map(dec), { dtype: c.targetDtype, backend });
  const f = fnOf(c.name);
  const scalar = c.out.length === 1 && c.name.endsWith('-mean');
  const [out, [g]] = valueAndGrad((t: Tensor) =>
    T.tidy(() => {
      const y = f(t, target);
      if (scalar) return y;
      const w = tensor(
        Array.from({ length: y.size }, (_, i) => 1 + (i % 3) / 4),
        { shape: y.shape, backend },
      );
      return T.sum(T.mul(y, w));
    }),
  )(x);
  // the per-element values: run f again without the weights (cheap, and the fixture stores them)
  const y = T.tidy(() => f(x, target));
  const result = { out: Array.from(await y.data()), grad: Array.from(await g!.data()) };
  for (const t of [x, target, out, g, y]) t?.dispose();
  return result;
}

describe.each(BACKENDS)('exp/log-based ops at the float32 edges on $name, against PyTorch', ({ name }) => {
  it('every fixture case has a TS twin', () => {
    expect(fixture.cases.map((c) => c.name).filter((n) => !fnOf(n))).toEqual([]);
  });
  for (const c of fixture.cases) {
    const tiles = ELEMENTWISE.has(c.name) ? [1, Math.ceil(4096 / c.x.length)] : [1];
    for (const tile of tiles) {
      it(`${c.name}${tile > 1 ? ` (tiled to ${tile * c.x.length} elements)` : ''}`, async () => {
        const { out, grad } = await run(c, name, tile);
        const want = c.out.map(dec);
        const wantGrad = c.grad.map(dec);
        // weights repeat every 3 elements; tiles repeat every x.length: compare each tile against its fixture
        for (let t = 0; t < tile; t++) {
          const at = t * c.x.length;
          const w = (i: number) => (1 + ((at + i) % 3) / 4) / (1 + (i % 3) / 4);
          expect(mismatches(out.slice(at, at + want.length), want, ...OUT_TOL), `out, tile ${t}`).toEqual([]);
          const g = grad.slice(at, at + wantGrad.length).map((v, i) => (c.out.length === 1 ? v : v / w(i)));
          expect(mismatches(g, wantGrad, ...GRAD_TOL), `grad, tile ${t}`).toEqual([]);
        }
      });
    }
  }
});

describe.each(BACKENDS)('crossEntropy target errors on $name', ({ name }) => {
  // The CPU checks at once; WebGPU at once for targets written from the host, else at the next read. Either
  // way the error is crossEntropy's and names the target, not the gather that meets the bad index.
  it.each([
    ['written from the host', (t: Tensor) => t],
    ['computed on the device', (t: Tensor) => T.add(t, 0)],
  ] as const)('a target out of range (%s) names crossEntropy and the target', async (_w, make) => {
    const scope = new T.Scope();
    let err: unknown;
    try {
      const logits = scope.track(T.zeros([3, 5], { backend: name }));
      const raw = scope.track(tensor([1, 5, -100], { dtype: 'int32', backend: name }));
      const loss = scope.run(() => crossEntropy(logits, make(raw)));
      await loss.data();
    } catch (e) {
      err = e;
    } finally {
      scope.dispose();
    }
    expect(err).toBeInstanceOf(T.IndexError);
    expect((err as Error).message).toMatch(
      /^crossEntropy: target 5 \(at flat position 1\) is out of range \[0, 5\)/,
    );
    // the device is usable afterwards, and ignoreIndex (-100) alone is no error
    const ok = T.tidy(() =>
      crossEntropy(T.zeros([2, 5], { backend: name }), tensor([4, -100], { dtype: 'int32', backend: name })),
    );
    expect(await ok.item()).toBeCloseTo(Math.log(5), 5);
    ok.dispose();
  });
});
