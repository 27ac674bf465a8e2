/**
 * Seeded random fills: Philox4x32-10 in WGSL, bit for bit the generator of src/random/philox.ts, with the same
 * element layout (uniform element i = lane i % 4 of block counter + i / 4; normal element i = Box-Muller on
 * lanes 2(i % 2), 2(i % 2) + 1 of block counter + i / 2). Uniforms are exact ((u >> 8) * 2^-24 needs no
 * rounding), so they equal the CPU's; normals differ from the CPU's doubles only by f32 log/cos rounding.
 */
import type { RandomKind, View } from '../../../backend.js';
import { counterWords } from '../../../random/philox.js';
import { sizeOf } from '../../../shape.js';
import { WORKGROUP } from '../constants.js';
import { Params } from '../layout.js';
import { ENTRY_ARGS, LINEAR_INDEX, paramsDecl } from '../wgsl.js';
import type { KernelContext } from './context.js';

const PHILOX = /* wgsl */ `
// High and low 32 bits of a 32x32-bit product, through 16-bit halves (WGSL has no 64-bit integers).
fn mulhi(a: u32, b: u32) -> u32 {
  let aLo = a & 0xffffu;
  let aHi = a >> 16u;
  let bLo = b & 0xffffu;
  let bHi = b >> 16u;
  let lo = aLo * bLo;
  let mid1 = aHi * bLo;
  let mid2 = aLo * bHi;
  let carry = ((lo >> 16u) + (mid1 & 0xffffu) + (mid2 & 0xffffu)) >> 16u;
  return aHi * bHi + (mid1 >> 16u) + (mid2 >> 16u) + carry;
}

fn philox(k: vec2<u32>, c0: u32, c1: u32) -> vec4<u32> {
  var x = vec4<u32>(c0, c1, 0u, 0u);
  var key = k;
  for (var round = 0u; round < 10u; round = round + 1u) {
    let hi0 = mulhi(0xd2511f53u, x.x);
    let lo0 = 0xd2511f53u * x.x;
    let hi1 = mulhi(0xcd9e8d57u, x.z);
    let lo1 = 0xcd9e8d57u * x.z;
    x = vec4<u32>(hi1 ^ x.y ^ key.x, lo1, hi0 ^ x.w ^ key.y, lo0);
    key = key + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return x;
}

fn uniform01(u: u32) -> f32 { return f32(u >> 8u) * 5.9604644775390625e-8; }

fn boxMuller(u1: f32, u2: f32) -> f32 {
  return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}`;

export function random(
  ctx: KernelContext,
  kind: RandomKind,
  key: readonly [number, number],
  counter: number,
  out: View,
): void {
  const n = sizeOf(out.shape);
  if (n === 0) return;
  const perBlock = kind === 'uniform' ? 4 : 2;
  const [c0, c1] = counterWords(counter);
  const p = new Params();
  p.push(n, key[0], key[1], c0, c1, out.offset);
  const body =
    kind === 'uniform'
      ? `for (var l = 0u; l < 4u; l = l + 1u) {
    if (j * 4u + l < n) { bout[off + j * 4u + l] = uniform01(bits[l]); }
  }`
      : `bout[off + j * 2u] = boxMuller(uniform01(bits.x), uniform01(bits.y));
  if (j * 2u + 1u < n) { bout[off + j * 2u + 1u] = boxMuller(uniform01(bits.z), uniform01(bits.w)); }`;
  const wgsl = ctx.shader(
    `random|${kind}`,
    () => `${paramsDecl(p.words.length)}
@group(0) @binding(1) var<storage, read_write> bout: array<f32>;
${PHILOX}
const WG = ${WORKGROUP}u;
@compute @workgroup_size(${WORKGROUP})
fn main(${ENTRY_ARGS}) {
  let j = ${LINEAR_INDEX};
  let n = pu(0u);
  if (j * ${perBlock}u >= n) { return; }
  let off = pu(5u);
  // Block counter + j, with the carry into the high word.
  let lo = pu(3u) + j;
  let hi = pu(4u) + select(0u, 1u, lo < pu(3u));
  let bits = philox(vec2<u32>(pu(1u), pu(2u)), lo, hi);
  ${body}
}
`,
  );
  ctx.dispatch1d(`random.${kind}`, wgsl, p, [ctx.buffer(out)], Math.ceil(n / perBlock));
}
