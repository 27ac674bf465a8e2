/**
 * Batched matmul: out[..., M, N] = a[..., M, K] @ b[..., K, N], every operand strided (a transposed weight is
 * just strides), batch dims broadcast by stride 0. Picks one of five kernels (matmul-wgsl.ts, matmul-strip.ts,
 * matmul-wide.ts) by shape and adapter: see chooseMatmul.
 */
import type { View } from '../../../backend.js';
import { BackendError, fmtShape } from '../../../errors.js';
import { coalesce, sizeOf } from '../../../shape.js';
import { Params } from '../layout.js';
import { wgslType } from '../wgsl.js';
import type { KernelContext } from './context.js';
import { STRIP_LANES, stripShape, stripWgsl } from './matmul-strip.js';
import { BM, BN, blockedWgsl, type LoadMode, NAIVE_WG, naiveWgsl, TILE, tiledWgsl } from './matmul-wgsl.js';
import { WIDE_TILE, wideWgsl } from './matmul-wide.js';

/**
 * naive: one output per invocation; tiled: 16x16 shared-memory tiles; blocked: shared-memory tiles with 4x4
 * register blocks and vec4 loads; strip: up to 16x16 scalar register tiles per invocation, 8-invocation workgroups (matmul-strip.ts); wide: 128x128
 * shared-memory tiles with 8x8 register blocks, for large outputs on real GPUs (matmul-wide.ts).
 */
export type MatmulVersion = 'naive' | 'tiled' | 'blocked' | 'strip' | 'wide';
export const MATMUL_VERSIONS: readonly MatmulVersion[] = ['naive', 'tiled', 'blocked', 'strip', 'wide'];

/**
 * The version `auto` picks, by shape and by adapter. On CPU-emulated adapters (lavapipe, SwiftShader) shared
 * memory and barriers cost more than they save and every load is dear, so `strip` (big scalar register
 * tiles read straight from storage) runs every shape but the tiniest; on
 * real GPUs the shared-memory tiles win once the output fills a few workgroups. Figures in
 * bench/results/webgpu.md.
 */
export function chooseMatmul(M: number, N: number, K: number, cpuAdapter = false): MatmulVersion {
  if (M * N < 16 * 16 && K < 64) return 'naive';
  if (cpuAdapter) return 'strip';
  // 128x128 tiles pay once there are 256 of them to spread over the GPU (an H200: 1.1x `blocked` at 2048²,
  // 0.6x at 1024², where 64 tiles leave half its 132 multiprocessors idle).
  if (M * N >= 2048 * 2048 && K >= 64) return 'wide';
  if (M * N >= 32 * 32 && K >= 8) return 'blocked';
  return 'tiled';
}

/** Strides of an operand's batch dims aligned to out's batch rank (missing leading dims broadcast). */
function batchStrides(v: View, outBatchRank: number): number[] {
  const own = v.strides.slice(0, -2);
  return [...new Array<number>(outBatchRank - own.length).fill(0), ...own];
}

function loadMode(
  v: View,
  rowStride: number,
  colStride: number,
  rows: number,
  cols: number,
  batch: readonly number[],
): LoadMode {
  const aligned = v.offset % 4 === 0 && batch.every((s) => s % 4 === 0);
  if (!aligned) return 'scalar';
  if (colStride === 1 && cols % 4 === 0 && rowStride % 4 === 0) return 'col';
  if (rowStride === 1 && rows % 4 === 0 && colStride % 4 === 0) return 'row';
  return 'scalar';
}

/**
 * The version every matmul runs instead of chooseMatmul's pick; undefined (the default) picks by shape. Tests
 * set it with pinMatmulVersion; a Node process started with NORGA_WEBGPU_MATMUL=<version> starts with it (what
 * bench/webgpu.mjs does to time each version in a process of its own).
 */
let pinned: MatmulVersion | undefined = versionFromEnv();

/**
 * Makes every matmul run `version` (undefined: pick by shape again). For the tests that run every case
 * through every version on one adapter; not exported from the package, so no user code depends on a
 * kernel's name.
 */
export function pinMatmulVersion(version: MatmulVersion | undefined): void {
  pinned = version;
}

function versionFromEnv(): MatmulVersion | undefined {
  const value = typeof process === 'undefined' ? undefined : process.env?.NORGA_WEBGPU_MATMUL;
  if (value === undefined || value === '' || value === 'auto') return undefined;
  if (!(MATMUL_VERSIONS as readonly string[]).includes(value)) {
    throw new BackendError(
      'matmul',
      `NORGA_WEBGPU_MATMUL=${value} names no matmul version (use auto, ${MATMUL_VERSIONS.join(', ')})`,
    );
  }
  return value as MatmulVersion;
}

export function matmul(ctx: KernelContext, a: View, b: View, out: View): void {
  const r = out.shape.length;
  const M = out.shape[r - 2]!;
  const N = out.shape[r - 1]!;
  const K = a.shape[a.shape.length - 1]!;
  if (a.dtype !== b.dtype || a.dtype !== out.dtype) {
    throw new BackendError(
      'matmul',
      `dtype mismatch: ${a.dtype} ${fmtShape(a.shape)} @ ${b.dtype} ${fmtShape(b.shape)} -> ${out.dtype}`,
    );
  }
  if (sizeOf(out.shape) === 0) return;
  const batchRank = r - 2;
  const batch = coalesce(out.shape.slice(0, -2), [
    batchStrides(a, batchRank),
    batchStrides(b, batchRank),
    out.strides.slice(0, -2),
  ]);
  const B = sizeOf(batch.shape);
  const rank = batch.shape.length;
  const aRow = a.strides[a.strides.length - 2]!;
  const aCol = a.strides[a.strides.length - 1]!;
  const bRow = b.strides[b.strides.length - 2]!;
  const bCol = b.strides[b.strides.length - 1]!;
  const version = pinned ?? chooseMatmul(M, N, K, ctx.cpuAdapter);
  const t = wgslType(out.dtype);

  let wgsl: string;
  let groups: [number, number];
  const words = 14 + 4 * rank;
  if (version === 'naive') {
    wgsl = ctx.shader(`mm|naive|${t}|${rank}`, () => naiveWgsl(t, words, rank));
    groups = [Math.ceil(N / NAIVE_WG), Math.ceil(M / NAIVE_WG)];
  } else if (version === 'tiled') {
    wgsl = ctx.shader(`mm|tiled|${t}|${rank}`, () => tiledWgsl(t, words, rank));
    groups = [Math.ceil(N / TILE), Math.ceil(M / TILE)];
  } else if (version === 'strip') {
    const shape = stripShape(M, N);
    wgsl = ctx.shader(`mm|strip|${t}|${rank}|${shape.rows}x${shape.cols}`, () =>
      stripWgsl(t, words, rank, shape),
    );
    groups = [Math.ceil(N / (STRIP_LANES * shape.cols)), Math.ceil(M / shape.rows)];
  } else {
    const aMode = loadMode(a, aRow, aCol, M, K, batch.strides[0]!);
    const bMode = loadMode(b, bRow, bCol, K, N, batch.strides[1]!);
    const build = version === 'wide' ? wideWgsl : blockedWgsl;
    wgsl = ctx.shader(`mm|${version}|${t}|${rank}|${aMode}|${bMode}`, () =>
      build(t, words, rank, aMode, bMode),
    );
    // blocked: a 64x64 tile per workgroup; wide: 128x128.
    const [tm, tn] = version === 'wide' ? [WIDE_TILE, WIDE_TILE] : [BM, BN];
    groups = [Math.ceil(N / tn), Math.ceil(M / tm)];
  }
  const max = ctx.maxGroupsPerDim;
  if (groups[0] > max || groups[1] > max) {
    throw new BackendError(
      'matmul',
      `output ${fmtShape(out.shape)} needs more than ${max} workgroups per dimension`,
    );
  }
  const buffers = [ctx.buffer(out), ctx.buffer(a), ctx.buffer(b)];
  // Batches beyond the per-dimension workgroup limit go out as several dispatches (batchBase differs).
  for (let base = 0; base < B; base += max) {
    const p = new Params();
    p.push(
      M,
      N,
      K,
      B,
      base,
      aRow,
      aCol,
      bRow,
      bCol,
      out.strides[r - 2]!,
      out.strides[r - 1]!,
      a.offset,
      b.offset,
      out.offset,
    );
    p.push(...batch.shape, ...batch.strides[0]!, ...batch.strides[1]!, ...batch.strides[2]!);
    ctx.dispatch(`matmul.${version}`, wgsl, p, buffers, [groups[0], groups[1], Math.min(max, B - base)]);
  }
}
