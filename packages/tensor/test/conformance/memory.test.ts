/**
 * Memory you can see, on every backend: memory() counts, dispose (idempotent), views and storage refcounts,
 * share(), tidy (return values, nesting, keep, errors), Scope across await, `using`, and backends that must
 * not be mixed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, expectClose, expectError, on } from './helpers.js';

// A second, independent CPU backend: two backends exist even on a machine without WebGPU, so the
// cross-backend errors are always exercised.
T.registerBackend('cpu-twin', () => Object.defineProperty(new T.CpuBackend(), 'name', { value: 'cpu-twin' }));
afterAll(() => T.disposeBackend('cpu-twin'));

describe.each(BACKENDS)('memory on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);

  it('memory() counts tensors and bytes; views add a tensor but no bytes; dispose is idempotent', () => {
    const m0 = T.memory();
    const a = B.seq([3, 5]);
    expect(T.memory().tensors - m0.tensors).toBe(1);
    expect(T.memory().bytesInUse - m0.bytesInUse).toBe(60);
    const b = B.seq([7], 'int32');
    const c = B.seq([9], 'bool');
    expect(T.memory().bytesInUse - m0.bytesInUse).toBe(60 + 28 + 9);
    const v = T.transpose(a);
    expect(T.memory().tensors - m0.tensors).toBe(4);
    expect(T.memory().bytesInUse - m0.bytesInUse).toBe(97);
    a.dispose();
    expect(a.isDisposed).toBe(true);
    expect(T.memory().tensors - m0.tensors).toBe(3);
    expect(T.memory().bytesInUse - m0.bytesInUse).toBe(97); // v still holds the storage
    v.dispose();
    expect(T.memory().bytesInUse - m0.bytesInUse).toBe(37);
    v.dispose();
    a.dispose();
    b.dispose();
    c.dispose();
    expect(T.memory().tensors).toBe(m0.tensors);
    expect(T.memory().bytesInUse).toBe(m0.bytesInUse);
    if (B.has('float64')) {
      const d = B.seq([3], 'float64');
      expect(T.memory().bytesInUse - m0.bytesInUse).toBe(24);
      d.dispose();
    }
  });

  it('share() is a second handle: storage lives until both are disposed', async () => {
    const a = B.seq([4]);
    const s = a.share();
    expect(s.storage).toBe(a.storage);
    expect(s).not.toBe(a);
    a.dispose();
    expect(Array.from(await s.data())).toEqual([0, 1, 2, 3]);
    s.dispose();
    expectError(() => a.share(), T.DisposedError, 'share');
  });

  it('tidy disposes everything but the returned tensors (also inside arrays and objects)', async () => {
    const m0 = T.memory();
    const out = T.tidy(() => {
      const x = B.seq([2, 3]);
      const y = T.exp(T.mul(x, 2));
      return { y, parts: T.split(y, 1), n: 3 };
    });
    try {
      expect(T.memory().tensors - m0.tensors).toBe(3);
      expect(out.n).toBe(3);
      expectClose(Array.from(await out.parts[1]!.data()), [6, 8, 10].map(Math.exp));
    } finally {
      out.y.dispose();
      for (const p of out.parts) p.dispose();
    }
    expect(T.memory()).toMatchObject({ tensors: m0.tensors, bytesInUse: m0.bytesInUse });
  });

  it('nested tidy hands a returned tensor to the outer scope; keep() exempts a tensor', () => {
    const m0 = T.memory();
    let kept!: T.Tensor;
    const outer = T.tidy(() => {
      const inner = T.tidy(() => {
        kept = T.keep(B.seq([2]));
        B.seq([5]);
        return B.seq([3]);
      });
      expect(inner.isDisposed).toBe(false);
      return T.add(inner, 1);
    });
    // inner was handed to the outer tidy and freed there; outer's result and the kept tensor survive.
    expect(outer.isDisposed).toBe(false);
    expect(kept.isDisposed).toBe(false);
    expect(T.memory().tensors - m0.tensors).toBe(2);
    outer.dispose();
    kept.dispose();
  });

  it('tidy frees what fn created when fn throws', () => {
    const m0 = T.memory();
    expect(() =>
      T.tidy(() => {
        B.seq([100]);
        T.matmul(B.seq([2, 3]), B.seq([4, 5]));
        return B.seq([1]);
      }),
    ).toThrow(T.ShapeError);
    expect(T.memory()).toMatchObject({ tensors: m0.tensors, bytesInUse: m0.bytesInUse });
  });

  it('tidy refuses an async function with a clear error', async () => {
    const p = Promise.resolve();
    expect(() => T.tidy((() => p) as unknown as () => T.Tensor)).toThrow(/Scope/);
  });

  it('Scope survives await: track, run, keep, dispose, and `using`', async () => {
    const m0 = T.memory();
    const scope = new T.Scope();
    const a = scope.track(B.seq([4]));
    await new Promise((r) => setTimeout(r, 1));
    const b = scope.run(() => T.mul(a, 3));
    const data = await b.data();
    const c = scope.run(() => T.add(b, T.tensor(Array.from(data), { backend: name })));
    scope.keep(c);
    expect(T.memory().tensors - m0.tensors).toBe(4);
    scope.dispose();
    expect(a.isDisposed && b.isDisposed).toBe(true);
    expect(c.isDisposed).toBe(false);
    expect(Array.from(await c.data())).toEqual([0, 6, 12, 18]);
    c.dispose();
    expect(T.memory()).toMatchObject({ tensors: m0.tensors, bytesInUse: m0.bytesInUse });

    {
      using s = new T.Scope();
      s.track([B.seq([3]), { x: B.seq([2]) }]);
      using t = B.seq([5]);
      expect(T.memory().tensors - m0.tensors).toBe(3);
      expect(t.size).toBe(5);
    }
    expect(T.memory()).toMatchObject({ tensors: m0.tensors, bytesInUse: m0.bytesInUse });
  });

  it('tidy and Scope nest either way; keep() inside Scope.run survives the scope', async () => {
    const m0 = T.memory();
    const scope = new T.Scope();
    let kept!: T.Tensor;
    const fromTidy = scope.run(() =>
      T.tidy(() => {
        kept = T.keep(B.seq([2]));
        return T.add(B.seq([3]), 1); // the inner seq is freed by tidy; the sum goes to the scope
      }),
    );
    expect(T.memory().tensors - m0.tensors).toBe(2);
    const inTidy = T.tidy(() => {
      const inner = new T.Scope();
      const t = inner.run(() => T.mul(fromTidy, 2));
      const out = inner.keep(t);
      inner.dispose();
      return out;
    });
    expect(Array.from(await inTidy.data())).toEqual([2, 4, 6]);
    scope.dispose();
    expect(fromTidy.isDisposed).toBe(true);
    expect(kept.isDisposed).toBe(false);
    kept.dispose();
    inTidy.dispose();
    expect(T.memory()).toMatchObject({ tensors: m0.tensors, bytesInUse: m0.bytesInUse });
  });

  it('Scope.run frees what it created even when fn throws (after dispose)', () => {
    const m0 = T.memory();
    const scope = new T.Scope();
    expect(() => scope.run(() => T.add(B.seq([3]), B.seq([4])))).toThrow(T.ShapeError);
    scope.dispose();
    expect(T.memory()).toMatchObject({ tensors: m0.tensors, bytesInUse: m0.bytesInUse });
  });

  it('a batch of every op inside tidy returns memory to its start', async () => {
    const m0 = T.memory();
    const result = T.tidy(() => {
      const x = B.t([
        [0.5, -1, 2],
        [3, -0.25, 1],
      ]);
      const i = B.t(
        [
          [2, 0],
          [1, 1],
        ],
        { dtype: 'int32' },
      );
      const parts: T.Tensor[] = [
        T.exp(x),
        T.log(T.abs(x)),
        T.sqrt(T.square(x)),
        T.reciprocal(x),
        T.sin(x),
        T.cos(x),
        T.tanh(x),
        T.erf(x),
        T.relu(x),
        T.sigmoid(x),
        T.gelu(x),
        T.gelu(x, { approximate: 'tanh' }),
        T.clamp(x, -0.5, 0.5),
        T.neg(x),
        T.pow(T.abs(x), 1.5),
        T.maximum(x, 0),
        T.minimum(x, 0),
        T.div(x, 2),
        T.sub(1, x),
        T.cast(T.lt(x, 0), 'float32'),
        T.cast(T.le(x, 0), 'float32'),
        T.cast(T.ge(x, 1), 'float32'),
        T.cast(T.gt(x, 1), 'float32'),
        T.cast(T.eq(x, 1), 'float32'),
        T.cast(T.ne(x, 1), 'float32'),
        T.cast(T.logicalOr(T.logicalAnd(T.lt(x, 0), T.gt(x, -1)), T.logicalNot(T.lt(x, 2))), 'float32'),
        T.where(T.gt(x, 0), x, T.neg(x)),
        T.softmax(x),
        T.logSoftmax(x, 0),
        T.layerNorm(x, [3]),
        T.pad(x, [
          [0, 0],
          [0, 0],
        ]),
        T.scatterAdd(x, 1, i, x),
        T.gather(x, 1, i).pad([
          [0, 0],
          [0, 1],
        ]),
        T.contiguous(T.transpose(T.transpose(x))),
        T.reshape(T.flatten(x), [2, 3]),
      ];
      const reduced = [
        T.sum(x),
        T.max(x, 0),
        T.min(x, 1),
        T.mean(x),
        T.variance(x),
        T.logsumexp(x, 1),
        T.cast(T.argmax(x, 1), 'float32'),
        T.cast(T.argmin(x), 'float32'),
        T.sum(T.matmul(x, T.transpose(x))),
        T.sum(T.indexSelect(x, 0, B.t([1, 0], { dtype: 'int32' }))),
        T.sum(T.take(x, B.t([5], { dtype: 'int32' }))),
        T.sum(T.cast(T.oneHot(B.t([1, 2], { dtype: 'int32' }), 3), 'float32')),
        T.sum(T.eye(2, undefined, { backend: name })),
        T.sum(T.linspace(0, 1, 3, { backend: name })),
        T.sum(T.stack([x, x])),
        T.sum(T.concat(T.split(x, 1))),
      ];
      for (const p of parts) expect(p.shape, 'elementwise batch keeps the shape').toEqual([2, 3]);
      return T.concat([
        T.stack(parts),
        T.expand(
          T.reshape(T.stack(reduced.map((r) => T.reshape(r, [-1]).slice(0, 0, 1))), [-1, 1, 1]),
          [-1, 2, 3],
        ),
      ]);
    });
    expect(result.shape).toEqual([35 + 16, 2, 3]);
    const vals = Array.from(await result.data());
    expect(vals.filter(Number.isNaN).length).toBe(0);
    result.dispose();
    expect(T.memory()).toMatchObject({ tensors: m0.tensors, bytesInUse: m0.bytesInUse });
  });

  it('a 100-step update loop stays flat', async () => {
    const w = B.t([
      [0.1, -0.2],
      [0.3, 0.4],
    ]);
    let state = w.share();
    w.dispose();
    const m0 = T.memory();
    for (let step = 0; step < 100; step++) {
      const next = T.tidy(() => {
        const x = B.t([
          [1, 2],
          [3, 4],
        ]);
        const y = T.tanh(T.matmul(x, state));
        const g = T.mul(T.sub(T.mean(y, 0, true), 0.5), 0.01);
        return T.sub(state, g);
      });
      state.dispose();
      state = next;
      if (step % 25 === 0) await state.data();
      expect(T.memory().tensors, `step ${step}`).toBe(m0.tensors);
    }
    expect(T.memory().bytesInUse).toBe(m0.bytesInUse);
    state.dispose();
  });

  it('tensors on different backends cannot be mixed; to() copies across', async () => {
    await T.initBackend('cpu-twin');
    const a = B.t([1, 2, 3]);
    const b = T.tensor([4, 5, 6], { backend: 'cpu-twin' });
    const i = T.tensor([0], { backend: 'cpu-twin', dtype: 'int32' });
    try {
      expectError(() => T.add(a, b), T.BackendError, 'add', name, 'cpu-twin');
      expectError(() => T.matmul(T.reshape(a, [1, 3]), T.reshape(b, [3, 1])), T.BackendError, 'matmul');
      expectError(() => T.where(T.gt(a, 1), a, b), T.BackendError, 'where');
      expectError(() => T.concat([a, b]), T.BackendError, 'concat');
      expectError(() => T.gather(a, 0, i), T.BackendError, 'gather');
      expectError(() => T.scatterAdd(a, 0, i, b), T.BackendError, 'scatterAdd');
      expectError(() => T.indexSelect(a, 0, i), T.BackendError, 'indexSelect');
      expectError(() => T.take(a, i), T.BackendError, 'take');
      expectError(() => T.stack([a, b]), T.BackendError);
      const moved = await b.to(name);
      try {
        expect(moved.backend.name).toBe(name);
        expect(Array.from(await moved.data())).toEqual([4, 5, 6]);
        const sum = T.add(a, moved);
        expect(Array.from(await sum.data())).toEqual([5, 7, 9]);
        sum.dispose();
      } finally {
        moved.dispose();
      }
    } finally {
      a.dispose();
      b.dispose();
      i.dispose();
    }
  });
});
