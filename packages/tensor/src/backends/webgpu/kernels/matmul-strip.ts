/**
 * The `strip` matmul: written for adapters that run compute shaders on the CPU (Mesa lavapipe / llvmpipe,
 * SwiftShader), measured there (bench/webgpu.mjs). What llvmpipe does with a shader decides its shape:
 *   - a workgroup runs on one thread, its invocations vectorised along x 8 at a time (AVX2 f32 lanes), so a
 *     workgroup of 8 is exactly one SIMD row and there is no partial vector or per-workgroup loop;
 *   - every storage load costs about as much as ~7 vector FMAs (address, bounds check, gather), whatever its
 *     layout; vec4 loads save little. So the kernel maximises FMAs per load: each invocation keeps a
 *     ROWS x cols register tile of scalars, and per step of K loads ROWS values of A and `cols` of B for
 *     ROWS * cols FMAs (16x16: 32 loads for 256 FMAs; a 4x4 block of vec4 loads straight from storage, measured and since
 *     removed, does 8 vec4 loads per 64 and ran 1.5-1.8x slower here);
 *   - no shared memory and no barriers (a barrier suspends and resumes every SIMD row as a coroutine).
 * A workgroup computes a strip of ROWS rows x 8*cols columns; lane l owns columns l, l+8, l+16, ... so the 8
 * lanes of one load read 8 neighbouring elements of a row-major B. Loads are scalar through (row, col) strides,
 * so transposed, sliced and broadcast operands need no variant and no alignment. Rows and columns past the
 * edge are clamped (they load valid data that is never stored), so the K loop has no bounds checks.
 */
import { batchOffsets, COMMON_LETS, header } from './matmul-wgsl.js';

/** Invocations per workgroup: one 8-wide SIMD row on llvmpipe's 256-bit path. */
export const STRIP_LANES = 8;

export interface StripShape {
  /** Output rows per workgroup (each invocation holds all of them). */
  readonly rows: number;
  /** Output columns per invocation (a workgroup covers STRIP_LANES * cols columns). */
  readonly cols: number;
}

/**
 * The register tile by output shape: the largest measured best (16x16) for wide outputs; 8 columns per
 * invocation when N is narrow (a 128-column strip would be mostly clamped lanes); fewer rows for short M
 * (clamped rows cost full price).
 */
export function stripShape(M: number, N: number): StripShape {
  const rows = M >= 16 ? 16 : M >= 8 ? 8 : 4;
  const cols = N >= 256 ? 16 : N >= 32 ? 8 : 4;
  return { rows, cols };
}

export function stripWgsl(t: string, words: number, batchRank: number, shape: StripShape): string {
  const I = Array.from({ length: shape.rows }, (_, i) => i);
  const J = Array.from({ length: shape.cols }, (_, j) => j);
  const lines = (xs: string[]) => xs.join('\n  ');
  const acc = (i: number, j: number) => `acc${i}_${j}`;
  const stores = I.flatMap((i) =>
    J.map(
      (j) =>
        `if (row0 + ${i}u < M && col0 + ${j * STRIP_LANES}u < N) { bout[oBase + (row0 + ${i}u) * oRow + (col0 + ${j * STRIP_LANES}u) * oCol] = ${acc(i, j)}; }`,
    ),
  );
  return `${header(t, words)}
@compute @workgroup_size(${STRIP_LANES})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  ${COMMON_LETS}
  let z = wid.z + pu(4u);
  ${batchOffsets(batchRank)}
  let row0 = wid.y * ${shape.rows}u;
  let col0 = wid.x * ${STRIP_LANES * shape.cols}u + lid;
  // Row offsets depend on the workgroup only (the same for all lanes); column offsets per lane.
  ${lines(I.map((i) => `let ar${i} = aBase + min(row0 + ${i}u, M - 1u) * aRow;`))}
  ${lines(J.map((j) => `let bc${j} = bBase + min(col0 + ${j * STRIP_LANES}u, N - 1u) * bCol;`))}
  ${lines(I.map((i) => J.map((j) => `var ${acc(i, j)}: ${t} = ${t}(0);`).join(' ')))}
  for (var k: u32 = 0u; k < K; k = k + 1u) {
    let ak = k * aCol;
    let bk = k * bRow;
    ${J.map((j) => `let b${j} = bb[bc${j} + bk];`).join('\n    ')}
    ${I.map((i) => `let a${i} = ba[ar${i} + ak];`).join('\n    ')}
    ${I.map((i) => J.map((j) => `${acc(i, j)} = ${acc(i, j)} + a${i} * b${j};`).join(' ')).join('\n    ')}
  }
  let oRow = pu(9u);
  let oCol = pu(10u);
  ${lines(stores)}
}
`;
}
