import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { continualMetrics } from '../src/metrics.js';
import {
  formatMeanStd,
  type MethodRun,
  machineInfo,
  meanMatrix,
  summariseByMethod,
  writeResults,
} from '../src/results.js';

const N = Number.NaN;

function run(method: string, seed: number, acc: number[][]): MethodRun {
  return {
    method,
    seed,
    acc,
    metrics: { ...continualMetrics(acc), oracleFaa: 0.9, taskIlFaa: 0.95 },
    tii: [1, 0.9],
    prefixMass: [
      [0.2, 0.3],
      [0.1, 0.4],
    ],
    gate: {},
    wallSeconds: 10,
  };
}

describe('results', () => {
  const runs = [
    run('prefix-tuning', 1, [
      [0.9, 0.7],
      [N, 0.8],
    ]),
    run('prefix-tuning', 2, [
      [0.8, 0.6],
      [N, 0.9],
    ]),
    run('norga-tanh', 1, [
      [1, 0.9],
      [N, 0.9],
    ]),
  ];

  it('summarises per method with mean ± std over seeds', () => {
    const rows = summariseByMethod(runs);
    expect(rows.map((r) => r.method)).toEqual(['prefix-tuning', 'norga-tanh']);
    const pt = rows[0];
    // FAA per seed: 75 and 75 -> 75 ± 0; FFM: 20 and 20; CAA: (90 + 75)/2 = 82.5 and (80 + 75)/2 = 77.5
    expect(pt?.faa.mean).toBeCloseTo(75, 10);
    expect(pt?.caa.mean).toBeCloseTo(80, 10);
    expect(pt?.caa.std).toBeCloseTo(Math.sqrt(12.5), 10);
    expect(pt?.ffm.mean).toBeCloseTo(20, 10);
    expect(formatMeanStd({ mean: 80, std: 3.5355, n: 2 })).toBe('80.00 ± 3.54');
    expect(formatMeanStd({ mean: N, std: N, n: 0 })).toBe('—');
  });

  it('meanMatrix averages element-wise and keeps NaN', () => {
    const m = meanMatrix([runs[0]?.acc ?? [], runs[1]?.acc ?? []]);
    expect(m[0]?.[0]).toBeCloseTo(0.85, 12);
    expect(Number.isNaN(m[1]?.[0])).toBe(true);
  });

  it('writes JSON, Markdown and three SVG plots', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'norga-results-'));
    const written = await writeResults(dir, {
      command: 'norga run --seeds 2',
      config: { benchmark: 'split-mnist' },
      backend: 'cpu',
      machine: machineInfo(),
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:01:00Z',
      wallSeconds: 60,
      runs,
    });
    expect(written.length).toBe(5);
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(json.runs[0].acc[1][0]).toBeNull(); // not measured: null in results.json
    expect(json.summary[1].method).toBe('norga-tanh');
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    expect(md).toContain('| prefix-tuning | 2 | 75.00 ± 0.00 | 80.00 ± 3.54 | 20.00 ± 0.00 |');
    expect(md).toContain('| 1 | 85.0 | 65.0 |');
    const heat = readFileSync(join(dir, 'plots', 'accuracy-matrix.svg'), 'utf8');
    expect(heat.startsWith('<svg')).toBe(true);
    // the heat map prints each cell's value and names each method's panel
    expect(heat).toContain('>85.0<');
    expect(heat).toContain('norga-tanh');
    expect(readFileSync(join(dir, 'plots', 'accuracy-over-time.svg'), 'utf8')).toContain(
      'after training task',
    );
    expect(existsSync(join(dir, 'plots', 'prefix-attention-mass.svg'))).toBe(true);
  });
});
