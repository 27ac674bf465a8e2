/**
 * The `wide` matmul, for real GPUs with large outputs: a 128x128 output tile per workgroup of 16x16
 * invocations, each holding an 8x8 register block (16 vec4 accumulators), K in steps of 8 through shared
 * memory. Per step of K an invocation reads 4 vec4 from shared memory for 64 FMAs (the 4x4 `blocked` kernel:
 * 2 for 16), so arithmetic, not shared-memory bandwidth, bounds it; the price is 4x fewer workgroups than
 * `blocked`, which only pays once the output fills the GPU (chooseMatmul).
 *
 * Shared tiles hold A transposed (As[k][m]) and B as is (Bs[k][n]), both as vec4 along m / n, so the inner
 * loop's reads are vec4. Operand tiles are loaded cooperatively: vec4 from storage where the operand's layout
 * allows (LoadMode), scalars otherwise; out-of-range elements load as zero, so the K loop needs no bounds.
 */
import { batchOffsets, COMMON_LETS, header, type LoadMode, loadTiles } from './matmul-wgsl.js';

/** Output tile per workgroup (rows = cols) and the K step. */
export const WIDE_TILE = 128;
const WIDE_BK = 8;
/** The register block per invocation (8x8); 16x16 invocations per workgroup. */
const REG = 8;
const GEOMETRY = { tile: WIDE_TILE, bk: WIDE_BK, threads: 256 };
/** vec4 slots per depth of a shared tile. */
const VECS = WIDE_TILE / 4;

export function wideWgsl(
  t: string,
  words: number,
  batchRank: number,
  aMode: LoadMode,
  bMode: LoadMode,
): string {
  const zero = `${t}(0)`;
  const { loadA, loadB } = loadTiles(aMode, bMode, t, GEOMETRY);
  const R = [...Array(REG).keys()];
  const comp = ['x', 'y', 'z', 'w'];
  // accumulators: acc{r}_0 holds columns 0..3 of row r of the block, acc{r}_1 columns 4..7
  const decl = R.map((r) => `var acc${r}_0 = vec4<${t}>(${zero}); var acc${r}_1 = vec4<${t}>(${zero});`).join(
    '\n  ',
  );
  const fma = R.map((r) => {
    const a = `a${r >> 2}.${comp[r & 3]}`;
    return `acc${r}_0 = acc${r}_0 + ${a} * b0; acc${r}_1 = acc${r}_1 + ${a} * b1;`;
  }).join('\n      ');
  const store = R.map(
    (r) => `if (row0 + ${r}u < M) {
    let o = oBase + (row0 + ${r}u) * pu(9u);
    for (var j: u32 = 0u; j < 4u; j = j + 1u) {
      if (col0 + j < N) { bout[o + (col0 + j) * pu(10u)] = acc${r}_0[j]; }
      if (col0 + 4u + j < N) { bout[o + (col0 + 4u + j) * pu(10u)] = acc${r}_1[j]; }
    }
  }`,
  ).join('\n  ');
  return `${header(t, words, aMode, bMode)}
var<workgroup> As: array<vec4<${t}>, ${WIDE_BK * VECS}>;
var<workgroup> Bs: array<vec4<${t}>, ${WIDE_BK * VECS}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  ${COMMON_LETS}
  let z = wid.z + pu(4u);
  ${batchOffsets(batchRank)}
  let row0 = wid.y * ${WIDE_TILE}u + lid3.y * ${REG}u;
  let col0 = wid.x * ${WIDE_TILE}u + lid3.x * ${REG}u;
  ${decl}
  for (var k0: u32 = 0u; k0 < K; k0 = k0 + ${WIDE_BK}u) {
    ${loadA}
    ${loadB}
    workgroupBarrier();
    for (var k: u32 = 0u; k < ${WIDE_BK}u; k = k + 1u) {
      let a0 = As[k * ${VECS}u + lid3.y * 2u];
      let a1 = As[k * ${VECS}u + lid3.y * 2u + 1u];
      let b0 = Bs[k * ${VECS}u + lid3.x * 2u];
      let b1 = Bs[k * ${VECS}u + lid3.x * 2u + 1u];
      ${fma}
    }
    workgroupBarrier();
  }
  ${store}
}
`;
}
