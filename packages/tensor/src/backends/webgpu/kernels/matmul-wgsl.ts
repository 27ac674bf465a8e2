/**
 * The naive, tiled and blocked matmul shaders, from simplest to fastest (llm.c style: each validated
 * against the CPU backend and benchmarked, bench/webgpu.mjs); `strip`, for CPU-emulated adapters, is in
 * matmul-strip.ts and shares the header and batch offsets defined here. All read operands through (row, col) strides plus a per-batch offset, so a
 * transposed or broadcast operand costs no copy, and write a strided output.
 *
 * Parameter words (shared by every version): see `P` below and matmul.ts.
 */

/** How the register-blocked kernel loads an operand tile: vec4 along one dim, or scalars. */
export type LoadMode = 'row' | 'col' | 'scalar';

export const P = {
  M: 0,
  N: 1,
  K: 2,
  batch: 3,
  batchBase: 4,
  aRow: 5,
  aCol: 6,
  bRow: 7,
  bCol: 8,
  outRow: 9,
  outCol: 10,
  aOff: 11,
  bOff: 12,
  outOff: 13,
  /** Batch shape, then batch strides of a, b, out (rank words each). */
  batchShape: 14,
} as const;

export const NAIVE_WG = 16;
export const TILE = 16;
/** Register-blocked: a 64x64 output tile per workgroup of 16x16, 4x4 outputs per invocation, K in steps of 16. */
export const BM = 64;
export const BN = 64;
export const BK = 16;

/**
 * The bindings every matmul kernel declares: parameter words, the output, and A and B as arrays of `t`, or of
 * vec4<t> for an operand whose LoadMode reads it four elements at a time.
 */
export function header(
  t: string,
  words: number,
  aMode: LoadMode = 'scalar',
  bMode: LoadMode = 'scalar',
): string {
  const vecs = Math.max(1, Math.ceil(words / 4));
  const aType = aMode === 'scalar' ? t : `vec4<${t}>`;
  const bType = bMode === 'scalar' ? t : `vec4<${t}>`;
  return `@group(0) @binding(0) var<uniform> Pm: array<vec4<u32>, ${vecs}>;
fn pu(i: u32) -> u32 { return Pm[i / 4u][i % 4u]; }
@group(0) @binding(1) var<storage, read_write> bout: array<${t}>;
@group(0) @binding(2) var<storage, read> ba: array<${aType}>;
@group(0) @binding(3) var<storage, read> bb: array<${bType}>;`;
}

/** WGSL that sets aBase, bBase, oBase for batch index `z` (unrolled over the batch rank). */
export function batchOffsets(rank: number): string {
  const lines = [
    `var aBase: u32 = pu(${P.aOff}u);`,
    `var bBase: u32 = pu(${P.bOff}u);`,
    `var oBase: u32 = pu(${P.outOff}u);`,
  ];
  if (rank > 0) lines.push('var rem: u32 = z;');
  for (let d = rank - 1; d >= 0; d--) {
    const shape = P.batchShape + d;
    lines.push(d > 0 ? `let c${d} = rem % pu(${shape}u); rem = rem / pu(${shape}u);` : `let c${d} = rem;`);
    lines.push(`aBase += c${d} * pu(${P.batchShape + rank + d}u);`);
    lines.push(`bBase += c${d} * pu(${P.batchShape + 2 * rank + d}u);`);
    lines.push(`oBase += c${d} * pu(${P.batchShape + 3 * rank + d}u);`);
  }
  return lines.join('\n  ');
}

export const COMMON_LETS = `let M = pu(0u); let N = pu(1u); let K = pu(2u);
  let aRow = pu(5u); let aCol = pu(6u); let bRow = pu(7u); let bCol = pu(8u);`;

export function naiveWgsl(t: string, words: number, batchRank: number): string {
  return `${header(t, words)}
@compute @workgroup_size(${NAIVE_WG}, ${NAIVE_WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  ${COMMON_LETS}
  let col = gid.x;
  let row = gid.y;
  let z = gid.z + pu(4u);
  if (row >= M || col >= N) { return; }
  ${batchOffsets(batchRank)}
  var acc: ${t} = ${t}(0);
  for (var k: u32 = 0u; k < K; k = k + 1u) {
    acc = acc + ba[aBase + row * aRow + k * aCol] * bb[bBase + k * bRow + col * bCol];
  }
  bout[oBase + row * pu(9u) + col * pu(10u)] = acc;
}
`;
}

export function tiledWgsl(t: string, words: number, batchRank: number): string {
  return `${header(t, words)}
var<workgroup> As: array<array<${t}, ${TILE}>, ${TILE}>;
var<workgroup> Bs: array<array<${t}, ${TILE}>, ${TILE}>;
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  ${COMMON_LETS}
  let col = wid.x * ${TILE}u + lid.x;
  let row = wid.y * ${TILE}u + lid.y;
  let z = wid.z + pu(4u);
  ${batchOffsets(batchRank)}
  var acc: ${t} = ${t}(0);
  // Every invocation takes part in every barrier; out-of-range ones load zeros and store nothing.
  for (var k0: u32 = 0u; k0 < K; k0 = k0 + ${TILE}u) {
    let ka = k0 + lid.x;
    let kb = k0 + lid.y;
    As[lid.y][lid.x] = select(${t}(0), ba[aBase + min(row, M - 1u) * aRow + min(ka, K - 1u) * aCol], row < M && ka < K);
    Bs[lid.y][lid.x] = select(${t}(0), bb[bBase + min(kb, K - 1u) * bRow + min(col, N - 1u) * bCol], kb < K && col < N);
    workgroupBarrier();
    for (var k: u32 = 0u; k < ${TILE}u; k = k + 1u) {
      acc = acc + As[lid.y][k] * Bs[k][lid.x];
    }
    workgroupBarrier();
  }
  if (row < M && col < N) {
    bout[oBase + row * pu(9u) + col * pu(10u)] = acc;
  }
}
`;
}

/** A shared-memory tile's geometry: `tile` rows (or columns) by `bk` depths, loaded by `threads` invocations. */
export interface TileGeometry {
  readonly tile: number;
  readonly bk: number;
  readonly threads: number;
}

/**
 * How A's and B's tiles differ: the workgroup coordinate that walks the tiles, the bound of the tiled dim,
 * the strides along it and along k, and the LoadMode that reads four consecutive k.
 */
const SIDES = {
  a: { at: 'wid.y', limit: 'M', strideDim: 'aRow', strideK: 'aCol', modeAlongK: 'col' },
  b: { at: 'wid.x', limit: 'N', strideDim: 'bCol', strideK: 'bRow', modeAlongK: 'row' },
} as const;

/**
 * Loads this invocation's share of an operand tile into shared memory `S` (array<vec4<T>, bk * tile / 4>, entry
 * [k * tile / 4 + i / 4] holding 4 consecutive rows (A) or cols (B) at depth k). Used by `blocked` and `wide`;
 * the vec4 forms assume tile * bk / 4 == threads (one vec4 load per invocation).
 *   A is M x K: 'col' = K contiguous (vec4 along k), 'row' = M contiguous (vec4 along m).
 *   B is K x N: 'col' = N contiguous (vec4 along n), 'row' = K contiguous (vec4 along k).
 * Out-of-range elements load as zero, so the K loop needs no bounds.
 */
function loadTile(side: 'a' | 'b', mode: LoadMode, t: string, g: TileGeometry): string {
  const { at, limit, strideDim, strideK, modeAlongK } = SIDES[side];
  // A's tile goes to As from binding ba at aBase; B's to Bs from bb at bBase
  const [S, buf, base] = [`${side.toUpperCase()}s`, `b${side}`, `${side}Base`];
  const o = { tileStart: `${at} * ${g.tile}u`, limit, strideDim, strideK, vecAlongK: mode === modeAlongK };
  const zero = `${t}(0)`;
  const vecs = g.tile / 4;
  if (mode === 'scalar') {
    return `for (var j: u32 = 0u; j < ${(g.tile * g.bk) / g.threads}u; j = j + 1u) {
      let e = j * ${g.threads}u + lid;
      let i = e % ${g.tile}u;
      let k = e / ${g.tile}u;
      let gi = ${o.tileStart} + i;
      let gk = k0 + k;
      ${S}[k * ${vecs}u + i / 4u][i % 4u] = select(${zero}, ${buf}[${base} + min(gi, ${o.limit} - 1u) * ${o.strideDim} + min(gk, K - 1u) * ${o.strideK}], gi < ${o.limit} && gk < K);
    }`;
  }
  if (o.vecAlongK) {
    // Four consecutive k of one row/col: scatter the components into four depth slots.
    return `{
      let i = lid / ${g.bk / 4}u;
      let k = (lid % ${g.bk / 4}u) * 4u;
      let gi = ${o.tileStart} + i;
      let gk = k0 + k;
      var v = vec4<${t}>(${zero});
      if (gi < ${o.limit} && gk < K) { v = ${buf}[(${base} + gi * ${o.strideDim} + gk) / 4u]; }
      ${S}[k * ${vecs}u + i / 4u][i % 4u] = v.x;
      ${S}[(k + 1u) * ${vecs}u + i / 4u][i % 4u] = v.y;
      ${S}[(k + 2u) * ${vecs}u + i / 4u][i % 4u] = v.z;
      ${S}[(k + 3u) * ${vecs}u + i / 4u][i % 4u] = v.w;
    }`;
  }
  // Four consecutive rows/cols at one depth: one vec4 store.
  return `{
      let k = lid / ${vecs}u;
      let i4 = lid % ${vecs}u;
      let gi = ${o.tileStart} + i4 * 4u;
      let gk = k0 + k;
      var v = vec4<${t}>(${zero});
      if (gi < ${o.limit} && gk < K) { v = ${buf}[(${base} + gk * ${o.strideK} + gi) / 4u]; }
      ${S}[k * ${vecs}u + i4] = v;
    }`;
}

/** The A tile (rows from wid.y) and the B tile (columns from wid.x) of a square-tiled kernel, into As and Bs. */
export function loadTiles(
  aMode: LoadMode,
  bMode: LoadMode,
  t: string,
  g: TileGeometry,
): { loadA: string; loadB: string } {
  return { loadA: loadTile('a', aMode, t, g), loadB: loadTile('b', bMode, t, g) };
}

export function blockedWgsl(
  t: string,
  words: number,
  batchRank: number,
  aMode: LoadMode,
  bMode: LoadMode,
): string {
  const { loadA, loadB } = loadTiles(aMode, bMode, t, { tile: BM, bk: BK, threads: 256 });
  const store = [0, 1, 2, 3]
    .map(
      (i) => `if (row0 + ${i}u < M) {
    for (var j: u32 = 0u; j < 4u; j = j + 1u) {
      if (col0 + j < N) { bout[oBase + (row0 + ${i}u) * pu(9u) + (col0 + j) * pu(10u)] = acc${i}[j]; }
    }
  }`,
    )
    .join('\n  ');
  return `${header(t, words, aMode, bMode)}
var<workgroup> As: array<vec4<${t}>, ${BK * 16}>;
var<workgroup> Bs: array<vec4<${t}>, ${BK * 16}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  ${COMMON_LETS}
  let z = wid.z + pu(4u);
  ${batchOffsets(batchRank)}
  let row0 = wid.y * ${BM}u + lid3.y * 4u;
  let col0 = wid.x * ${BN}u + lid3.x * 4u;
  var acc0 = vec4<${t}>(${t}(0));
  var acc1 = vec4<${t}>(${t}(0));
  var acc2 = vec4<${t}>(${t}(0));
  var acc3 = vec4<${t}>(${t}(0));
  for (var k0: u32 = 0u; k0 < K; k0 = k0 + ${BK}u) {
    ${loadA}
    ${loadB}
    workgroupBarrier();
    for (var k: u32 = 0u; k < ${BK}u; k = k + 1u) {
      let a = As[k * 16u + lid3.y];
      let b = Bs[k * 16u + lid3.x];
      acc0 = acc0 + a.x * b;
      acc1 = acc1 + a.y * b;
      acc2 = acc2 + a.z * b;
      acc3 = acc3 + a.w * b;
    }
    workgroupBarrier();
  }
  ${store}
}
`;
}
