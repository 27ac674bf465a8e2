/**
 * Every matmul kernel version (naive, tiled, blocked, strip, wide) against the CPU backend, over the layouts
 * that select different load paths: contiguous, transposed operands (vec4 along the other dim), offsets that
 * break vec4 alignment, batch broadcasting, odd sizes that leave partial tiles, K below and above one tile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MATMUL_VERSIONS } from '../../src/backends/webgpu/index.js';
import { chooseMatmul, pinMatmulVersion } from '../../src/backends/webgpu/kernels/matmul.js';
import * as T from '../../src/index.js';
import { expectSameAsCpu, gpu, HAS_WEBGPU, values } from './gpu.js';

interface Case {
  name: string;
  build: (backend: string) => T.Tensor;
}

function mat(backend: string, shape: number[], seed: number, dtype: T.DType = 'float32'): T.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const v = values(n, seed, dtype === 'int32' ? -8 : -1, dtype === 'int32' ? 8 : 1);
  return T.tensor(dtype === 'int32' ? v.map(Math.trunc) : v, { shape, dtype, backend });
}

const CASES: Case[] = [
  { name: '1x1x1', build: (b) => T.matmul(mat(b, [1, 1], 1), mat(b, [1, 1], 2)) },
  { name: '3x17 @ 17x5', build: (b) => T.matmul(mat(b, [3, 17], 3), mat(b, [17, 5], 4)) },
  { name: '64x64 @ 64x64 (vec4 both)', build: (b) => T.matmul(mat(b, [64, 64], 5), mat(b, [64, 64], 6)) },
  {
    name: '67x33 @ 33x70 (partial tiles, K % 4 != 0)',
    build: (b) => T.matmul(mat(b, [67, 33], 7), mat(b, [33, 70], 8)),
  },
  {
    name: 'a transposed (M contiguous)',
    build: (b) => T.matmul(T.transpose(mat(b, [36, 68], 9)), mat(b, [36, 40], 10)),
  },
  {
    name: 'b transposed (K contiguous, x @ W^T)',
    build: (b) => T.matmul(mat(b, [70, 48], 11), T.transpose(mat(b, [52, 48], 12))),
  },
  {
    name: 'both transposed',
    build: (b) => T.matmul(T.transpose(mat(b, [40, 72], 13)), T.transpose(mat(b, [36, 40], 14))),
  },
  {
    name: 'offset operand (unaligned for vec4)',
    build: (b) => T.matmul(T.slice(mat(b, [64, 66], 15), 1, 1, 65), mat(b, [64, 64], 16)),
  },
  {
    name: 'stepped columns (no unit stride)',
    build: (b) => T.matmul(T.slice(mat(b, [40, 96], 17), 1, 0, 96, 2), mat(b, [48, 36], 18)),
  },
  {
    name: 'batched with broadcast batch dims',
    build: (b) => T.matmul(mat(b, [3, 1, 20, 24], 19), mat(b, [1, 2, 24, 36], 20)),
  },
  {
    name: '12x9 @ 9x300 (short M, wide N: 8-row strips, 16 columns per invocation)',
    build: (b) => T.matmul(mat(b, [12, 9], 27), mat(b, [9, 300], 28)),
  },
  {
    name: 'batched, b transposed, wide N (x @ W^T per batch)',
    build: (b) => T.matmul(mat(b, [2, 19, 24], 29), T.transpose(mat(b, [2, 260, 24], 30), 1, 2)),
  },
  {
    name: '130x37 @ 37x140 (several 128-wide tiles, partial ones, K % 8 != 0)',
    build: (b) => T.matmul(mat(b, [130, 37], 33), mat(b, [37, 140], 34)),
  },
  {
    name: 'a and b transposed, 132x36 @ 36x136 (vec4 along m and along k)',
    build: (b) => T.matmul(T.transpose(mat(b, [36, 132], 35)), T.transpose(mat(b, [136, 36], 36))),
  },
  { name: 'zero K gives zeros', build: (b) => T.matmul(mat(b, [5, 0], 21), mat(b, [0, 7], 22)) },
  {
    name: 'int32 exact',
    build: (b) => T.matmul(mat(b, [33, 20], 23, 'int32'), mat(b, [20, 35], 24, 'int32')),
  },
  {
    name: 'int32 b transposed',
    build: (b) => T.matmul(mat(b, [64, 32], 25, 'int32'), T.transpose(mat(b, [64, 32], 26, 'int32'))),
  },
];

describe.runIf(HAS_WEBGPU)('webgpu matmul versions', () => {
  afterEach(() => {
    pinMatmulVersion(undefined);
  });

  describe.each(MATMUL_VERSIONS)('%s', (version) => {
    it.each(CASES)('$name', async ({ name, build }) => {
      pinMatmulVersion(version);
      await expectSameAsCpu(build, `${version}: ${name}`, 1e-5, 1e-4);
    });
  });

  it('a pinned version is the kernel that runs, whatever the shape would pick; undefined picks by shape again', () => {
    const [a, b] = [mat('webgpu', [2, 2], 37), mat('webgpu', [2, 2], 38)];
    for (const version of MATMUL_VERSIONS) {
      pinMatmulVersion(version);
      T.matmul(a, b).dispose();
      expect(gpu().recorder.lastOp).toBe(`matmul.${version}`);
    }
    pinMatmulVersion(undefined);
    T.matmul(a, b).dispose();
    expect(gpu().recorder.lastOp).toBe('matmul.naive');
    a.dispose();
    b.dispose();
  });

  it('auto picks by shape and adapter: naive for tiny outputs; strip on CPU adapters; tiled/blocked/wide on GPUs', () => {
    expect(chooseMatmul(4, 4, 4)).toBe('naive');
    expect(chooseMatmul(4, 4, 4, true)).toBe('naive');
    expect(chooseMatmul(16, 24, 4)).toBe('tiled');
    expect(chooseMatmul(197, 64, 197)).toBe('blocked');
    expect(chooseMatmul(512, 512, 512)).toBe('blocked');
    expect(chooseMatmul(1024, 1024, 1024)).toBe('blocked');
    expect(chooseMatmul(2048, 2048, 2048)).toBe('wide');
    expect(chooseMatmul(2048, 2048, 2048, true)).toBe('strip');
    expect(chooseMatmul(197, 64, 197, true)).toBe('strip');
    expect(chooseMatmul(512, 512, 512, true)).toBe('strip');
  });

  it('a 256-wide ViT-like projection (x @ W^T + bias, then GELU) agrees with the CPU', async () => {
    await expectSameAsCpu(
      (b) =>
        T.gelu(
          T.add(T.matmul(mat(b, [2, 50, 96], 30), T.transpose(mat(b, [256, 96], 31))), mat(b, [256], 32)),
        ),
      'projection',
      1e-5,
      1e-4,
    );
  });
});
