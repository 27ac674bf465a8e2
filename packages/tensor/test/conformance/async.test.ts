/**
 * Asynchronous reads on every backend: many reads in flight at once, reads that outlive the tensor they read
 * (disposed, its buffer possibly reused by new tensors before the read resolves), and long op chains enqueued
 * before a single read.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index.js';
import { BACKENDS } from '../helpers/backends.js';
import { checkLeaks, expectClose, on, pseudo } from './helpers.js';

describe.each(BACKENDS)('async reads on $name', ({ name }) => {
  checkLeaks();
  const B = on(name);

  it('many reads in flight at once each get their own tensor', async () => {
    const ts = Array.from({ length: 24 }, (_, k) => T.tidy(() => T.add(B.seq([5 + k]), k * 100)));
    try {
      const all = await Promise.all(ts.map((t) => t.data()));
      all.forEach((d, k) => {
        expect(Array.from(d), `tensor ${k}`).toEqual(Array.from({ length: 5 + k }, (_, i) => i + k * 100));
      });
      const sums = ts.map((t) => T.sum(t));
      try {
        const items = await Promise.all(sums.map((t) => t.item()));
        expect(items).toEqual(ts.map((_, k) => ((4 + k) * (5 + k)) / 2 + (5 + k) * k * 100));
      } finally {
        for (const t of sums) t.dispose();
      }
    } finally {
      for (const t of ts) t.dispose();
    }
  });

  it('a read started before dispose still sees the values, even if new tensors reuse the memory', async () => {
    const x = B.t(pseudo(4096, 3));
    const y = T.mul(x, 2);
    const pending = y.data();
    const pendingArray = y.toArray();
    y.dispose();
    x.dispose();
    // Allocate and fill same-sized tensors right away: a pooled buffer must not be handed out under the read.
    const others = Array.from({ length: 4 }, () => T.full([4096], -1, { backend: name }));
    const again = T.tidy(() => T.mul(others[0]!, 3));
    try {
      const got = Array.from(await pending);
      expectClose(
        got,
        pseudo(4096, 3).map((v) => v * 2),
        0,
        0,
      );
      expect((await pendingArray) as number[]).toEqual(got);
      expect(Array.from(await again.data()).every((v) => v === -3)).toBe(true);
    } finally {
      for (const t of [...others, again]) t.dispose();
    }
  });

  it('disposing an input right after enqueuing an op on it, then reusing its memory, does not change the result', async () => {
    for (const n of [17, 4096]) {
      const vals = pseudo(n, 12, -2, 2);
      const x = B.t(vals);
      const y = T.exp(x);
      x.dispose();
      // New same-sized tensors, written from the host and on the device, before anything is read.
      const fresh = [
        B.t(new Float32Array(n).fill(7)),
        T.full([n], 5, { backend: name }),
        B.t(new Float32Array(n).fill(9)),
      ];
      try {
        expectClose(Array.from(await y.data()), vals.map(Math.exp));
        expect(Array.from(await fresh[0]!.data()).every((v) => v === 7)).toBe(true);
        expect(Array.from(await fresh[2]!.data()).every((v) => v === 9)).toBe(true);
      } finally {
        y.dispose();
        for (const t of fresh) t.dispose();
      }
    }
  });

  it('a long chain of ops enqueued before one read gives the right answer', async () => {
    const n = 1023;
    const start = pseudo(n, 9, -1, 1);
    let want = start.slice();
    const r = T.tidy(() => {
      let t = B.t(start);
      for (let step = 0; step < 200; step++) {
        t = step % 2 === 0 ? T.add(T.mul(t, 0.5), 0.25) : T.tanh(t);
      }
      return t;
    });
    for (let step = 0; step < 200; step++)
      want = want.map((v) =>
        step % 2 === 0 ? Math.fround(Math.fround(v * 0.5) + 0.25) : Math.fround(Math.tanh(v)),
      );
    try {
      expectClose(Array.from(await r.data()), want, 1e-5, 1e-4);
    } finally {
      r.dispose();
    }
  });

  it('reads interleaved with new work: each read reflects the ops enqueued before it', async () => {
    const acc = [B.t([0, 0, 0])];
    const reads: Promise<Float32Array | Float64Array | Int32Array | Uint8Array>[] = [];
    for (let k = 1; k <= 10; k++) {
      acc.push(T.add(acc[acc.length - 1]!, k));
      reads.push(acc[acc.length - 1]!.data());
    }
    try {
      const got = await Promise.all(reads);
      got.forEach((d, i) => {
        const s = ((i + 1) * (i + 2)) / 2;
        expect(Array.from(d)).toEqual([s, s, s]);
      });
    } finally {
      for (const t of acc) t.dispose();
    }
  });
});
