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
import { batchOffsets, COMMON_LETS, header, type LoadMode } from './matmul-wgsl.js';

/** Output tile per workgroup (rows = cols) and the K step. */
export const WIDE_TILE = 128;
const WIDE_BK = 8;
/** Invocations per workgroup (16x16) and the register block per invocation (8x8). */
const THREADS = 256;
const REG = 8;
/** vec4 slots per depth of a shared tile. */
const VECS = WIDE_TILE / 4;

/**
 * Loads one operand tile (WIDE_TILE along m or n, WIDE_BK along k) into shared `S` (array<vec4<T>>, slot
 * k * VECS + i / 4 holding 4 consecutive rows/cols i at depth k).
 */
function loadTile(
  S: string,
  buf: string,
  base: string,
  mode: LoadMode,
  t: string,
  o: { start: string; limit: string; strideDim: string; strideK: string; vecAlongK: boolean },
): string {
  const zero = `${t}(0)`;
  if (mode === 'scalar') {
    const perThread = (WIDE_TILE * WIDE_BK) / THREADS;
    return `for (var j: u32 = 0u; j < ${perThread}u; j = j + 1u) {
      let e = j * ${THREADS}u + lid;
      let i = e % ${WIDE_TILE}u;
      let k = e / ${WIDE_TILE}u;
      let gi = ${o.start} + i;
      let gk = k0 + k;
      ${S}[k * ${VECS}u + i / 4u][i % 4u] = select(${zero}, ${buf}[${base} + min(gi, ${o.limit} - 1u) * ${o.strideDim} + min(gk, K - 1u) * ${o.strideK}], gi < ${o.limit} && gk < K);
    }`;
  }
  // vec4 loads: WIDE_TILE * WIDE_BK / 4 = 256 of them, one per invocation.
  if (o.vecAlongK) {
    // four consecutive k of one row/col, scattered into four depth slots
    return `{
      let i = lid / ${WIDE_BK / 4}u;
      let k = (lid % ${WIDE_BK / 4}u) * 4u;
      let gi = ${o.start} + i;
      let gk = k0 + k;
      var v = vec4<${t}>(${zero});
      if (gi < ${o.limit} && gk < K) { v = ${buf}[(${base} + gi * ${o.strideDim} + gk) / 4u]; }
      ${S}[k * ${VECS}u + i / 4u][i % 4u] = v.x;
      ${S}[(k + 1u) * ${VECS}u + i / 4u][i % 4u] = v.y;
      ${S}[(k + 2u) * ${VECS}u + i / 4u][i % 4u] = v.z;
      ${S}[(k + 3u) * ${VECS}u + i / 4u][i % 4u] = v.w;
    }`;
  }
  // four consecutive rows/cols at one depth: one vec4 store
  return `{
      let k = lid / ${VECS}u;
      let i4 = lid % ${VECS}u;
      let gi = ${o.start} + i4 * 4u;
      let gk = k0 + k;
      var v = vec4<${t}>(${zero});
      if (gi < ${o.limit} && gk < K) { v = ${buf}[(${base} + gk * ${o.strideK} + gi) / 4u]; }
      ${S}[k * ${VECS}u + i4] = v;
    }`;
}

export function wideWgsl(
  t: string,
  words: number,
  batchRank: number,
  aMode: LoadMode,
  bMode: LoadMode,
): string {
  const aType = aMode === 'scalar' ? t : `vec4<${t}>`;
  const bType = bMode === 'scalar' ? t : `vec4<${t}>`;
  const zero = `${t}(0)`;
  const loadA = loadTile('As', 'ba', 'aBase', aMode, t, {
    start: `wid.y * ${WIDE_TILE}u`,
    limit: 'M',
    strideDim: 'aRow',
    strideK: 'aCol',
    vecAlongK: aMode === 'col',
  });
  const loadB = loadTile('Bs', 'bb', 'bBase', bMode, t, {
    start: `wid.x * ${WIDE_TILE}u`,
    limit: 'N',
    strideDim: 'bCol',
    strideK: 'bRow',
    vecAlongK: bMode === 'row',
  });
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
  return `${header(t, words, aType, bType)}
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
