/** Loading the PyTorch fixtures (made by scripts/make_fixtures.py) and comparing arrays with a useful message. */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type NamedArray, type SafetensorsFile, toFloat32 } from '../../src/index.js';
import { readSafetensorsFile } from '../../src/node.js';

export const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export async function loadFixture(name: string): Promise<Map<string, NamedArray>> {
  const file: SafetensorsFile = await readSafetensorsFile(fixturePath(name));
  const out = new Map<string, NamedArray>();
  for (const [k, t] of file.tensors) out.set(k, { shape: t.shape, data: toFloat32(t) });
  return out;
}

export function get(m: ReadonlyMap<string, NamedArray>, name: string): NamedArray {
  const a = m.get(name);
  if (a === undefined) throw new Error(`fixture has no '${name}'`);
  return a;
}

/** |a - e| <= atol + rtol * |e| elementwise, reporting the worst element. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
  what = 'values',
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`,
    );
  }
}
