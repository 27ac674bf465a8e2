/**
 * The parts of the API other packages build on: fused elementwise expressions, the op recorder (autograd's
 * hook) and untracked(), method forms of the ops, and the backend registry (setBackend, getBackend,
 * initBackend, disposeBackend, currentBackendName).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, ev, expectClose, expectError, on, pseudo } from './helpers.js';

const { input, constant, un, bin, select, castTo } = T.expr;

afterEach(() => {
  T.setOpRecorder(null);
});

describe.each(BACKENDS)('dispatch on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);

  it('fused(expr) equals the same ops run one by one, with broadcasting and strided inputs', async () => {
    const a = pseudo(3 * 17, 1, -2, 2);
    const b = pseudo(17, 2, 0.5, 2);
    // (exp(a) - b) * 0.5 where a < b, else tanh(a) / b
    const e = select(
      bin('cmplt', input(0), input(1)),
      bin('mul', bin('sub', un('exp', input(0)), input(1)), constant(0.5, 'float32')),
      bin('div', un('tanh', input(0)), input(1)),
    );
    const mkA = () => T.transpose(B.t(a.slice(), { shape: [17, 3] }));
    const mkB = () => T.slice(B.t(b.flatMap((v) => [v, 99])), 0, 0, 34, 2);
    const fusedR = await ev(() => T.fused(e, [mkA(), mkB()]));
    const stepR = await ev(() => {
      const x = mkA();
      const y = mkB();
      return T.where(T.lt(x, y), T.mul(T.sub(T.exp(x), y), 0.5), T.div(T.tanh(x), y));
    });
    expect(fusedR.shape).toEqual([3, 17]);
    expectClose(fusedR.data, stepR.data);
    // dtype flows through the tree: a comparison gives bool, a cast changes the type.
    const cmp = await ev(() => T.fused(bin('cmplt', input(0), constant(0, 'float32')), [B.t([-1, 1])]));
    expect(cmp).toEqual({ shape: [2], dtype: 'bool', data: [1, 0] });
    const ci = await ev(() =>
      T.fused(castTo('int32', bin('mul', input(0), constant(3, 'float32'))), [B.t([1.5, -1.5])]),
    );
    expect(ci).toEqual({ shape: [2], dtype: 'int32', data: [4, -4] });
    expectError(
      () => T.fused(bin('add', input(0), input(1)), [B.t([1, 2, 3]), B.t([1, 2])]),
      T.ShapeError,
      'fused',
    );
  });

  it('the recorder sees every primitive with its inputs, attrs and output; untracked() hides ops', () => {
    const seen: T.OpRecord[] = [];
    T.setOpRecorder((r) => seen.push(r));
    const x = B.t([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const s = T.sum(x, 1, true);
    const y = T.add(x, s);
    const r = T.reshape(y, [3, 2]);
    const p = T.permute(r, [1, 0]);
    const sl = T.slice(p, 1, 0, 3, 2);
    const sm = T.softmax(sl);
    const hidden = T.untracked(() => T.mul(x, 2));
    T.setOpRecorder(null);
    try {
      const ops = seen.map((rec) => rec.op);
      expect(ops.slice(0, 5)).toEqual(['reduce.sum', 'add', 'reshape', 'permute', 'slice']);
      // softmax runs as several kernels but is reported once, with its axis, for its closed-form gradient.
      expect(ops.slice(5)).toEqual(['softmax']);
      expect(seen[5]!.attrs).toEqual({ axis: 1 });
      expect(seen[5]!.inputs).toEqual([sl]);
      expect(seen[0]!.attrs).toEqual({ axes: [1], keepdim: true });
      expect(seen[0]!.inputs[0]).toBe(x);
      expect(seen[0]!.output).toBe(s);
      expect(seen[1]!.inputs).toEqual([x, s]);
      expect(seen[1]!.output).toBe(y);
      expect(seen[2]!.attrs).toEqual({ shape: [3, 2] });
      expect(seen[3]!.attrs).toEqual({ dims: [1, 0] });
      expect(seen[4]!.attrs).toEqual({ axis: 1, start: 0, end: 4, step: 2 });
      expect(seen[seen.length - 1]!.output).toBe(sm);
      expect(seen.some((rec) => rec.output === hidden)).toBe(false);
    } finally {
      for (const t of [x, s, y, r, p, sl, sm, hidden]) t.dispose();
    }
  });

  it('creation ops are not reported; a number operand arrives as a 0-d tensor', () => {
    const seen: T.OpRecord[] = [];
    T.setOpRecorder((r) => seen.push(r));
    const z = T.zeros([2], { backend: name });
    const a = T.arange(0, 3, 1, { backend: name });
    expect(seen).toEqual([]);
    const m = T.mul(z, 3);
    T.setOpRecorder(null);
    expect(seen.map((r) => r.op)).toEqual(['mul']);
    expect(seen[0]!.inputs[1]!.shape).toEqual([]);
    for (const t of [z, a, m]) t.dispose();
  });

  it('methods give the same results as the functions', async () => {
    const x = B.t(pseudo(12, 5, 0.1, 2), { shape: [3, 4] });
    const i = B.t([2, 0, 1], { shape: [3, 1], dtype: 'int32' });
    try {
      const pairs: [() => T.Tensor, () => T.Tensor][] = [
        [() => x.add(1).mul(x).sub(0.5).div(2), () => T.div(T.sub(T.mul(T.add(x, 1), x), 0.5), 2)],
        [() => x.pow(2).maximum(x).minimum(3), () => T.minimum(T.maximum(T.pow(x, 2), x), 3)],
        [() => x.sum(0).max().reshape([1]), () => T.reshape(T.max(T.sum(x, 0)), [1])],
        [() => x.mean(1, true).expand([3, 4]), () => T.expand(T.mean(x, 1, true), [3, 4])],
        [() => x.var(1, { correction: 0 }), () => T.variance(x, 1, { correction: 0 })],
        [() => x.logsumexp(0), () => T.logsumexp(x, 0)],
        [() => x.T.contiguous().flatten(), () => T.flatten(T.contiguous(T.transpose(x)))],
        [() => x.gather(1, i), () => T.gather(x, 1, i)],
        [() => x.indexSelect(1, i.reshape([3])), () => T.indexSelect(x, 1, T.reshape(i, [3]))],
        [() => x.scatterAdd(1, i, x), () => T.scatterAdd(x, 1, i, x)],
        [
          () =>
            x.pad(
              [
                [1, 0],
                [0, 1],
              ],
              2,
            ),
          () =>
            T.pad(
              x,
              [
                [1, 0],
                [0, 1],
              ],
              2,
            ),
        ],
        [
          () => x.clamp(0.5, 1).gelu({ approximate: 'tanh' }),
          () => T.gelu(T.clamp(x, 0.5, 1), { approximate: 'tanh' }),
        ],
        [() => x.argmax(1).cast('float32'), () => T.cast(T.argmax(x, 1), 'float32')],
        [() => x.slice(0, 1).squeeze().unsqueeze(0), () => T.unsqueeze(T.squeeze(T.slice(x, 0, 1)), 0)],
        [() => x.matmul(x.transpose()), () => T.matmul(x, T.transpose(x))],
      ];
      for (const [m, f] of pairs) {
        const a = await ev(m);
        const b = await ev(f);
        expect(a).toEqual(b);
      }
      const parts = x.split(2, 1);
      expect(parts.map((p) => p.shape)).toEqual([
        [3, 2],
        [3, 2],
      ]);
      for (const p of parts) p.dispose();
    } finally {
      x.dispose();
      i.dispose();
    }
  });
});

describe('backend registry', () => {
  it('setBackend switches where new tensors go; disposeBackend falls back to cpu', async () => {
    T.registerBackend('cpu-registry-twin', () =>
      Object.defineProperty(new T.CpuBackend(), 'name', { value: 'cpu-registry-twin' }),
    );
    // Other test files share this module state (the GPU project does not isolate): restore what was current.
    const before = T.currentBackendName();
    await T.setBackend('cpu-registry-twin');
    try {
      expect(T.currentBackendName()).toBe('cpu-registry-twin');
      const z = T.zeros([2]);
      expect(z.backend.name).toBe('cpu-registry-twin');
      expect(T.getBackend().name).toBe('cpu-registry-twin');
      z.dispose();
    } finally {
      T.disposeBackend('cpu-registry-twin');
    }
    expect(T.currentBackendName()).toBe('cpu');
    const c = T.zeros([1]);
    expect(c.backend.name).toBe('cpu');
    c.dispose();
    await T.setBackend(before);
  });

  it('unknown backends are BackendErrors naming them', async () => {
    const before = T.currentBackendName();
    await expect(T.initBackend('no-such-backend')).rejects.toThrow(T.BackendError);
    await expect(T.setBackend('no-such-backend')).rejects.toThrow(/no-such-backend/);
    expect(() => T.getBackend('no-such-backend')).toThrow(T.BackendError);
    expect(T.currentBackendName()).toBe(before);
    expect(T.getBackend('cpu').dtypes).toEqual(
      expect.arrayContaining(['float32', 'float64', 'int32', 'bool']),
    );
  });

  it('a backend whose factory fails can be retried', async () => {
    let calls = 0;
    T.registerBackend('flaky', () => {
      calls++;
      if (calls === 1) throw new Error('no adapter');
      return Object.defineProperty(new T.CpuBackend(), 'name', { value: 'flaky' });
    });
    await expect(T.initBackend('flaky')).rejects.toThrow('no adapter');
    const b = await T.initBackend('flaky');
    expect(b.name).toBe('flaky');
    T.disposeBackend('flaky');
  });
});
