/**
 * `norga theory` end to end on a tiny grid: the files it writes and what they hold, and one-line refusals of bad
 * input (flags, an n range that is not one, a directory that already holds a run).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.js';
import { RunDirError } from '../src/rundir.js';
import { runTheoryCommand } from '../src/theory/command.js';

const quietIo = () => {
  const lines: string[] = [];
  return { lines, io: { out: (s: string) => lines.push(s) } };
};

describe('norga theory', () => {
  it('writes results.json, results.md and both plots for a tiny grid', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'norga-theory-')), 'run');
    const { lines, io } = quietIo();
    const argv = ['--gates', 'linear,tanh', '--variants', 'exact', '--n-min', '50', '--n-max', '200'];
    argv.push(
      '--n-per-decade',
      '3',
      '--reps',
      '1',
      '--max-iter',
      '20',
      '--eval-size',
      '200',
      '--out',
      out,
      '--quiet',
    );
    expect(await runTheoryCommand(argv, io)).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(json.config.ns).toEqual([50, 100, 200]);
    expect(json.truth.tanh.prefix[0].beta1).toEqual([1.2, -0.8]);
    expect(json.truth.linear.gate.kind).toBe('linear');
    expect(json.fits).toHaveLength(2 * 3);
    expect(json.summary.map((s: { gate: string }) => s.gate)).toEqual(['linear', 'tanh']);
    for (const fit of json.fits) {
      expect(fit.voronoi).toBeGreaterThan(0);
      expect(fit.functionError).toBeGreaterThan(0);
      expect(fit.atoms).toHaveLength(2);
    }
    // The same (n, rep) gives the same sample to every gate, and a fresh run reproduces every number.
    const again = join(out, '..', 'again');
    await runTheoryCommand([...argv.slice(0, -3), '--out', again, '--quiet'], quietIo().io);
    const json2 = JSON.parse(readFileSync(join(again, 'results.json'), 'utf8'));
    expect(json2.fits.map((f: { voronoi: number }) => f.voronoi)).toEqual(
      json.fits.map((f: { voronoi: number }) => f.voronoi),
    );
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/\| exact \| linear \| 3 \| -?\d+\.\d\d \[/);
    expect(md).toMatch(/Median D[\s\S]*\| n = 50 \| n = 100 \| n = 200 \|/);
    for (const svg of ['theory-voronoi.svg', 'theory-function-error.svg']) {
      const text = readFileSync(join(out, 'plots', svg), 'utf8');
      expect(text.startsWith('<svg')).toBe(true);
      expect(text).toContain('sample size n');
    }
    expect(lines.join('\n')).toContain('slope of D');
    await expect(runTheoryCommand(['--out', out, '--quiet'], quietIo().io)).rejects.toThrow(RunDirError);
  });

  it('refuses bad input with a UsageError naming it', async () => {
    const run = (argv: string[]) => runTheoryCommand(argv, quietIo().io);
    await expect(run(['--gates', 'relu'])).rejects.toThrow(/--gates: unknown value 'relu'/);
    await expect(run(['--n-min', '1000', '--n-max', '100'])).rejects.toThrow(UsageError);
    await expect(run(['--reps', '0'])).rejects.toThrow(/--reps must be ≥ 1/);
    await expect(run(['--n-mx', '10'])).rejects.toThrow(/did you mean --n-max/);
    await expect(run(['extra'])).rejects.toThrow(/no positional arguments/);
    expect(existsSync('runs/theory-should-not-exist')).toBe(false);
  });

  it('prints its help', async () => {
    const { lines, io } = quietIo();
    expect(await runTheoryCommand(['--help'], io)).toBe(0);
    expect(lines.join('\n')).toMatch(/usage: norga theory[\s\S]*--n-max/);
  });
});
