/**
 * docs/TOUR.md cannot rot silently: its snippets (examples/tour/*.mjs) run here and their values are checked
 * against what they claim (the formula, a finite difference, a hand-written loop), and every line link of the
 * tour and of docs/ARCHITECTURE.md must still land on the symbol it names (scripts/check-tour-links.mjs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const checker = join(root, 'scripts', 'check-tour-links.mjs');

/** Every number of `actual` within `tol` of `expected`, nested arrays walked in step. */
function expectClose(actual: unknown, expected: unknown, tol: number): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length).toBe(expected.length);
    for (const [i, e] of expected.entries()) expectClose((actual as unknown[])[i], e, tol);
    return;
  }
  expect(Math.abs((actual as number) - (expected as number))).toBeLessThanOrEqual(tol);
}

describe('the tour snippets', () => {
  it('01-views: views share storage and only contiguous() copies', async () => {
    const { views } = await import('../tour/01-views.mjs');
    expect(views).toEqual({
      strides: [3, 1],
      transposedStrides: [1, 3],
      rowOffset: 3,
      expandedStrides: [0, 1],
      sharesStorage: true,
      copyHasOwnStorage: true,
      transposed: [
        [0, 3],
        [1, 4],
        [2, 5],
      ],
      denseStrides: [2, 1],
    });
  });

  it('02-follow-gelu: one fused op; value x·Φ(x); gradient = finite difference = Φ(x) + x·φ(x)', async () => {
    const { follow } = await import('../tour/02-follow-gelu.mjs');
    expect(follow.recorded).toEqual([{ op: 'fused', name: 'gelu', inputs: 1 }]);
    expect(follow.tree).toContain('erf(mul($0,');
    expectClose(follow.value, follow.formula, 1e-12);
    expectClose(follow.gradient, follow.closedForm, 1e-12);
    expectClose(follow.gradient, follow.finiteDifference, 1e-8);
    expect(follow.gradient[2]).toBe(0.5); // gelu'(0) = Φ(0)
  });

  it('03-matmul: product by hand; dA by finite difference; dW = Gᵀ·A', async () => {
    const { matmulTour: m } = await import('../tour/03-matmul.mjs');
    expect(m.product).toEqual(m.productByHand);
    expect(m.product).toEqual([
      [-2, 4, -0.5, 6],
      [-2, 13, -2, 15],
    ]);
    expectClose(m.dA, m.dAFiniteDifference, 1e-7);
    expect(m.dW).toEqual(m.dWClosedForm);
  });

  it('04-prefix-experts: attention with a NoRGa prefix = the explicit mixture of experts; dL/dα', async () => {
    const { experts } = await import('../tour/04-prefix-experts.mjs');
    expectClose(experts.library, experts.mixture, 1e-12);
    expect(experts.gates).toHaveLength(5); // 2 prefix experts, then 3 token experts
    expectClose(
      experts.gates.reduce((a: number, b: number) => a + b, 0),
      1,
      1e-12,
    );
    expect(Math.abs(experts.dAlpha)).toBeGreaterThan(1e-3); // the gate matters here
    expectClose(experts.dAlpha, experts.dAlphaFiniteDifference, 1e-8);
  });

  it('05-metrics: FAA, CAA and FFM equal the sums written out', async () => {
    const { metrics } = await import('../tour/05-metrics.mjs');
    for (const k of ['faa', 'caa', 'ffm'] as const) expectClose(metrics.library[k], metrics.byHand[k], 1e-12);
  });
});

describe('the line links of docs/TOUR.md and docs/ARCHITECTURE.md', () => {
  it('land on the symbols they name', () => {
    const r = spawnSync(process.execPath, [checker], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('every snippet in examples/tour is linked from the tour', () => {
    const tour = readFileSync(join(root, 'docs', 'TOUR.md'), 'utf8');
    for (const f of ['01-views', '02-follow-gelu', '03-matmul', '04-prefix-experts', '05-metrics'])
      expect(tour).toContain(`../examples/tour/${f}.mjs`);
  });

  const tmp = mkdtempSync(join(tmpdir(), 'tour-links-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('the checker finds a moved symbol, and --fix moves the anchor to it', () => {
    const source = join(tmp, 'code.ts');
    writeFileSync(
      source,
      `// header${'\n'.repeat(6)}export function one() {}${'\n'.repeat(5)}export function two() {}\n`,
    );
    const md = join(tmp, 'doc.md');
    writeFileSync(md, 'See [`function two`](code.ts#L7) and [`function one`](code.ts#L1).\n');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [checker, '--root', tmp, ...args, md], { cwd: root, encoding: 'utf8' });
    const before = run();
    expect(before.status).toBe(1);
    expect(before.stderr).toContain('`function two` is not at code.ts#L7 (it is at line 12: --fix moves it)');
    expect(before.stderr).toContain('`function one` is not at code.ts#L1 (it is at line 7');
    const fixed = run('--fix');
    expect(fixed.status).toBe(0);
    expect(readFileSync(md, 'utf8')).toBe(
      'See [`function two`](code.ts#L12) and [`function one`](code.ts#L7).\n',
    );
    expect(run().status).toBe(0);
  });

  it('the checker refuses a link leaving the repository, a missing file, a line link without a symbol', () => {
    const md = join(tmp, 'bad.md');
    writeFileSync(md, '[design](../DESIGN.md) [gone](gone.ts) [no symbol](code.ts#L3)\n');
    const r = spawnSync(process.execPath, [checker, '--root', tmp, '--fix', md], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('../DESIGN.md is outside the repository');
    expect(r.stderr).toContain('gone.ts does not exist');
    expect(r.stderr).toContain('a line link needs the symbol it points at in a code span');
  });
});
