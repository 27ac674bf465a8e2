/**
 * Seed-paired comparison of each method against a baseline (prefix tuning). Methods of one seed share the class
 * order, the task-identity model, the data order and the initial prefixes, so the per-seed difference removes
 * most of the seed-to-seed variation; its mean, sample standard deviation and paired t (df = seeds − 1, two-sided
 * p from Student's t) say whether a gain is larger than the noise.
 */
import type { MethodRun, RunMetrics } from './results.js';

/** The metrics compared, in the order they are printed. FFM: lower is better, so a negative difference is a gain. */
export const PAIRED_METRICS = ['faa', 'caa', 'ffm', 'oracleFaa', 'taskIlFaa'] as const;
/** One of PAIRED_METRICS. */
export type PairedMetric = (typeof PAIRED_METRICS)[number];

/** How each metric is named in tables. */
const PAIRED_LABELS: Record<PairedMetric, string> = {
  faa: 'FAA',
  caa: 'CAA',
  ffm: 'FFM',
  oracleFaa: 'oracle-TII FAA',
  taskIlFaa: 'task-IL FAA',
};

/** A paired t-test of per-seed differences. */
export interface PairedStat {
  /** method − baseline per seed, in percentage points, in seed order. */
  diffs: number[];
  /** Mean difference, in percentage points. */
  mean: number;
  /** Sample standard deviation (n − 1); NaN for one seed. */
  sd: number;
  /** mean / (sd / √n); NaN for fewer than two seeds or sd = 0. */
  t: number;
  /** Degrees of freedom, n − 1. */
  df: number;
  /** Two-sided p-value of t under Student's t with df degrees of freedom (NaN where t is). */
  p: number;
}

/** One method against the baseline, over the seeds both ran. */
export interface PairedComparison {
  method: string;
  baseline: string;
  /** The seeds both ran, in order. */
  seeds: number[];
  /** Per metric, the paired statistics; null where the metric is undefined for the method. */
  metrics: Record<PairedMetric, PairedStat | null>;
}

/** The paired t statistics of `diffs` (method − baseline per seed, in percentage points). */
export function pairedStat(diffs: number[]): PairedStat {
  const n = diffs.length;
  const mean = n > 0 ? diffs.reduce((s, d) => s + d, 0) / n : Number.NaN;
  const sd = n > 1 ? Math.sqrt(diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  const t = n > 1 && sd > 0 ? mean / (sd / Math.sqrt(n)) : Number.NaN;
  const df = n - 1;
  return { diffs, mean, sd, t, df, p: Number.isFinite(t) ? studentTwoSidedP(t, df) : Number.NaN };
}

/**
 * Every method but the baseline against the baseline, over the seeds both ran. A metric that is undefined for a
 * method (NaN, e.g. the upper bound's CAA) is null.
 */
export function pairedComparisons(
  runs: readonly MethodRun[],
  baseline = 'prefix-tuning',
): PairedComparison[] {
  const base = new Map(runs.filter((r) => r.method === baseline).map((r) => [r.seed, r.metrics]));
  if (base.size === 0) return [];
  const methods = [...new Set(runs.map((r) => r.method))].filter((m) => m !== baseline);
  return methods.flatMap((method) => {
    const pairs = runs
      .filter((r) => r.method === method && base.has(r.seed))
      .sort((a, b) => a.seed - b.seed)
      .map((r) => [r.seed, r.metrics, base.get(r.seed) as RunMetrics] as const);
    if (pairs.length === 0) return [];
    const metrics = Object.fromEntries(
      PAIRED_METRICS.map((k) => {
        const diffs = pairs.map(([, m, b]) => 100 * (m[k] - b[k]));
        return [k, diffs.every(Number.isFinite) ? pairedStat(diffs) : null];
      }),
    ) as Record<PairedMetric, PairedStat | null>;
    return [{ method, baseline, seeds: pairs.map(([s]) => s), metrics }];
  });
}

function cell(s: PairedStat | null): string {
  if (!s) return '—';
  const sign = (x: number) => (x >= 0 ? `+${x.toFixed(2)}` : x.toFixed(2));
  if (s.diffs.length < 2) return sign(s.mean);
  const t = Number.isFinite(s.t)
    ? `t=${s.t.toFixed(2)}, ${s.p < 0.001 ? 'p<0.001' : `p=${s.p.toFixed(3)}`}`
    : 't —';
  const wins = s.diffs.filter((d) => d > 0).length;
  return `${sign(s.mean)} ± ${s.sd.toFixed(2)} (${t}; ${wins}/${s.diffs.length} > 0)`;
}

/** A Markdown table: one row per method, one column per metric, "mean ± sd (t, p; seeds with a positive difference)". */
export function pairedTableMarkdown(comparisons: readonly PairedComparison[]): string {
  if (comparisons.length === 0) return '';
  const base = comparisons[0]?.baseline;
  const head = `| method − ${base} (points) | seeds | ${PAIRED_METRICS.map((k) => PAIRED_LABELS[k]).join(' | ')} |`;
  const rule = `| --- | ---: | ${PAIRED_METRICS.map(() => '---:').join(' | ')} |`;
  const rows = comparisons.map(
    (c) =>
      `| ${c.method} | ${c.seeds.length} | ${PAIRED_METRICS.map((k) => cell(c.metrics[k])).join(' | ')} |`,
  );
  return [head, rule, ...rows].join('\n');
}

/** P(|T| ≥ |t|) for Student's t with df degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) return Number.NaN;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** I_x(a, b) by the continued fraction of Numerical Recipes (betacf), using the symmetry for fast convergence. */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const num of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): relative error ~1e-15. */
function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let s = g[0] as number;
  for (let k = 1; k < 9; k++) s += (g[k] as number) / (z + k);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
