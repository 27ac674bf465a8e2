/** The wasm heap: exact-size reuse, zeroed reuse, ownership, and kernels reading and writing heap arrays in place. */
import { describe, expect, it } from 'vitest';
import { detectFeatures } from '../../src/backends/wasm/features.js';
import { WasmTier } from '../../src/backends/wasm/tier.js';
import { bin, constant, exprKey, input } from '../../src/ops/expr.js';

const tier = new WasmTier(detectFeatures(), { threads: 1 });
const heap = tier.runtime.heap;

describe('wasm heap', () => {
  it('exists on a shared memory (Node)', () => {
    expect(heap).toBeDefined();
  });

  it('reuses a freed block of the same size (cleared on request) and keeps blocks apart', () => {
    if (!heap) return;
    const a = heap.allocF32(3000) as Float32Array;
    const b = heap.allocF32(3000) as Float32Array;
    expect(heap.owns(a)).toBe(true);
    expect(heap.owns(new Float32Array(4))).toBe(false);
    expect(a.byteOffset % 64).toBe(0);
    // padding after each block: b starts at least 16 bytes after a ends
    expect(Math.abs(b.byteOffset - a.byteOffset)).toBeGreaterThanOrEqual(3000 * 4 + 16);
    a.fill(7);
    const at = a.byteOffset;
    const live = heap.stats.liveBytes;
    heap.free(a);
    expect(heap.stats.liveBytes).toBeLessThan(live);
    const c = heap.allocF32(3000, true) as Float32Array;
    expect(c.byteOffset).toBe(at);
    expect(c.every((v) => v === 0)).toBe(true);
    heap.free(b);
    heap.free(c);
    // freeing twice or freeing foreign arrays is ignored
    heap.free(c);
    heap.free(new Float32Array(8));
  });

  it('elementwise reads heap inputs in place and writes a heap output directly; overlapping output goes through scratch', () => {
    if (!heap) return;
    const n = 5003;
    const x = heap.allocF32(n) as Float32Array;
    for (let i = 0; i < n; i++) x[i] = i * 0.5 - 100;
    const out = heap.allocF32(n) as Float32Array;
    const e = bin('add', bin('mul', input(0), constant(2, 'float32')), constant(1, 'float32'));
    const before = { ...tier.elementwiseStats };
    expect(
      tier.elementwiseF32(
        exprKey(e),
        e,
        [{ data: x, offset: 0, strides: [1] }],
        { data: out, offset: 0, strides: [1] },
        [n],
      ),
    ).toBe(true);
    for (let i = 0; i < n; i += 97) expect(out[i]).toBe(Math.fround(Math.fround((x[i] as number) * 2) + 1));
    // nothing staged, nothing copied out
    expect(tier.elementwiseStats.bytesIn).toBe(before.bytesIn);
    expect(tier.elementwiseStats.bytesOut).toBe(before.bytesOut);
    // in place over its own input (x = x*2 + 1) must read every x before writing it
    const want = Float32Array.from(x, (v) => Math.fround(Math.fround(v * 2) + 1));
    expect(
      tier.elementwiseF32(
        exprKey(e),
        e,
        [{ data: x, offset: 0, strides: [1] }],
        { data: x, offset: 0, strides: [1] },
        [n],
      ),
    ).toBe(true);
    expect(Array.from(x)).toEqual(Array.from(want));
    // shifted overlap: out = x[1:] * 2 + 1 written over x[0:]
    const y = heap.allocF32(n) as Float32Array;
    for (let i = 0; i < n; i++) y[i] = i;
    expect(
      tier.elementwiseF32(
        exprKey(e),
        e,
        [{ data: y, offset: 1, strides: [1] }],
        { data: y, offset: 0, strides: [1] },
        [n - 1],
      ),
    ).toBe(true);
    for (let i = 0; i < n - 1; i += 101) expect(y[i]).toBe(2 * (i + 1) + 1);
    // rows of 7 written back to back into a heap output (writes past a row land on the next row or padding)
    const rows = 700;
    const m = heap.allocF32(rows * 7) as Float32Array;
    const o2 = heap.allocF32(rows * 7) as Float32Array;
    for (let i = 0; i < rows * 7; i++) m[i] = i;
    const guard = heap.allocF32(64) as Float32Array;
    guard.fill(5);
    expect(
      tier.elementwiseF32(
        exprKey(e),
        e,
        [{ data: m, offset: 0, strides: [7, 1] }],
        { data: o2, offset: 0, strides: [7, 1] },
        [rows, 7],
      ),
    ).toBe(true);
    for (let i = 0; i < rows * 7; i++) if (o2[i] !== 2 * i + 1) throw new Error(`o2[${i}] = ${o2[i]}`);
    expect(guard.every((v) => v === 5)).toBe(true);
    for (const a of [x, out, y, m, o2, guard]) heap.free(a);
  });
});
