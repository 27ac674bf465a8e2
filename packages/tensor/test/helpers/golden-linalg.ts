/**
 * The torch.linalg golden fixture (test/fixtures/golden-linalg.json, written by test/golden/linalg.py), read once
 * for the tests that replay it.
 */
import { readFileSync } from 'node:fs';

/** One fixture case: an input matrix and what torch 1.13 returned for it. */
export interface LinalgCase {
  name: string;
  op: 'eigh' | 'svd';
  uplo?: 'L' | 'U';
  shape: [number, number];
  input: number[];
  eigenvalues?: number[];
  eigenvectors?: number[] | null;
  S?: number[];
  U?: number[] | null;
  Vh?: number[] | null;
}

/**
 * The fixture, its inputs as float32 values: they are written as their shortest decimals, and Math.fround gives
 * back what torch saw (a float64 replay must not read 0.3 as the double 0.3).
 */
export function readLinalgFixture(): { version: number; torch: string; cases: LinalgCase[] } {
  const fixture = JSON.parse(
    readFileSync(new URL('../fixtures/golden-linalg.json', import.meta.url), 'utf8'),
  ) as { version: number; torch: string; cases: LinalgCase[] };
  for (const c of fixture.cases) c.input = c.input.map(Math.fround);
  return fixture;
}
