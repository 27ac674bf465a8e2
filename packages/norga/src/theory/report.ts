/**
 * What a theory run leaves behind: per (variant, gate) the fitted log–log slope of the Voronoi loss and of the
 * function error with 95 % intervals, beside the exponent the theory predicts; a Markdown table; a log–log plot
 * (every fit as a point, the median per n joined, the fitted power law dashed).
 */
import type { PlotSpec } from '../plots.js';
import type { FitRecord, Variant } from './experiment.js';
import type { TheoryGate } from './model.js';
import { logLogSlope, type SlopeFit } from './slope.js';

/** The fitted slopes of one (variant, gate) series over n. */
export interface SeriesSummary {
  variant: Variant;
  gate: TheoryGate;
  fits: number;
  voronoi: SlopeFit;
  functionError: SlopeFit;
  /** The theory's exponent for D (see predictedExponent). */
  predicted: string;
  /** Fits the optimiser left at its iteration limit (not at a stationary point). */
  hitIterationLimit: number;
  medianByN: { n: number; voronoi: number; functionError: number }[];
}

/**
 * The rates the theory gives, as exponents of n, up to log factors. Exact-specified (every cell one atom): D is
 * first order in the parameters, so it falls like the function error, n^(-1/2), under every gate (first-order
 * identifiability holds for both). Over-specified: with NoRGa the crowded cell's atoms move at n^(-1/4), so
 * D ≍ n^(-1/2) still. With the linear gate the PDE x·∂h/∂b = ∂h/∂a couples a first-order term with a second-order
 * one, and D falls more slowly than n^(-1/2); for linear experts the paper's lower bound makes the parameters
 * slower than any power of n (D's slope tends to 0). The tanh experts of the default keep the PDE; the theorem we
 * reconstruct gives no exponent for them, so the table says "> -0.5" (shallower), not a number.
 */
function predictedExponent(variant: Variant, gate: TheoryGate): string {
  if (variant === 'exact') return '-0.5';
  return gate === 'linear' ? '> -0.5 (PDE)' : '-0.5';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** One SeriesSummary per (variant, gate) in `records`, in first-seen order. */
export function summarise(records: FitRecord[]): SeriesSummary[] {
  const keys = [...new Set(records.map((r) => `${r.variant}\u0000${r.gate}`))];
  return keys.map((key) => {
    const [variant, gate] = key.split('\u0000') as [Variant, TheoryGate];
    const rs = records.filter((r) => r.variant === variant && r.gate === gate);
    const ns = [...new Set(rs.map((r) => r.n))].sort((a, b) => a - b);
    return {
      variant,
      gate,
      fits: rs.length,
      voronoi: logLogSlope(
        rs.map((r) => r.n),
        rs.map((r) => r.voronoi),
      ),
      functionError: logLogSlope(
        rs.map((r) => r.n),
        rs.map((r) => r.functionError),
      ),
      predicted: predictedExponent(variant, gate),
      hitIterationLimit: rs.filter((r) => r.stop === 'max-iter').length,
      medianByN: ns.map((n) => {
        const at = rs.filter((r) => r.n === n);
        return {
          n,
          voronoi: median(at.map((r) => r.voronoi)),
          functionError: median(at.map((r) => r.functionError)),
        };
      }),
    };
  });
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const ci = (s: SlopeFit) => `${fmt(s.slope)} [${fmt(s.ci95[0])}, ${fmt(s.ci95[1])}]`;

/** A Markdown table of the slopes with their 95 % intervals beside the theory's exponents. */
export function summaryMarkdown(rows: SeriesSummary[]): string {
  const lines = [
    '| variant | gate | fits | slope of D [95 % CI] | theory | slope of ‖f̂ − f*‖ [95 % CI] | theory | at iteration limit |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.gate} | ${r.fits} | ${ci(r.voronoi)} | ${r.predicted} | ${ci(r.functionError)} | -0.5 | ${r.hitIterationLimit} |`,
    ),
  ];
  return lines.join('\n');
}

/** One panel per variant: log–log D against n, a colour per gate. */
export function voronoiPlotSpec(
  records: FitRecord[],
  rows: SeriesSummary[],
  measure: 'voronoi' | 'functionError',
): PlotSpec {
  const points = records.map((r) => ({ variant: r.variant, gate: r.gate, n: r.n, value: r[measure] }));
  const medians = rows.flatMap((s) =>
    s.medianByN.map((m) => ({ variant: s.variant, gate: s.gate, n: m.n, value: m[measure] })),
  );
  const lines = rows.flatMap((s) => {
    const fit = s[measure];
    if (!Number.isFinite(fit.slope)) return [];
    const ns = s.medianByN.map((m) => m.n);
    return [Math.min(...ns), Math.max(...ns)].map((n) => ({
      variant: s.variant,
      gate: `${s.gate}`,
      n,
      value: 10 ** (fit.intercept + fit.slope * Math.log10(n)),
    }));
  });
  const title =
    measure === 'voronoi'
      ? 'Voronoi loss D(Ĝ_n, G*) against n (points: fits; solid: median per n; dashed: fitted power law)'
      : 'Function error ‖f_Ĝ − f_G*‖ (L2) against n';
  const x = { field: 'n', type: 'quantitative', scale: { type: 'log' }, title: 'sample size n' } as const;
  const y = {
    field: 'value',
    type: 'quantitative',
    scale: { type: 'log' },
    title: measure === 'voronoi' ? 'D' : '‖f̂ − f*‖',
  } as const;
  // Gates in the order they ran (linear first), not alphabetically, so colours match the table's rows.
  const color = {
    field: 'gate',
    type: 'nominal',
    title: 'gate',
    sort: [...new Set(rows.map((r) => r.gate))],
  };
  // One data set (a facet needs its data at the top), the layers tell their rows apart by `kind`.
  const values = [
    ...points.map((p) => ({ ...p, kind: 'fit' })),
    ...medians.map((p) => ({ ...p, kind: 'median' })),
    ...lines.map((p) => ({ ...p, kind: 'power law' })),
  ];
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    facet: { column: { field: 'variant', type: 'nominal', title: null, sort: ['exact', 'over'] } },
    spec: {
      width: 260,
      height: 220,
      layer: [
        {
          transform: only('fit'),
          mark: { type: 'point', opacity: 0.35, size: 20 },
          encoding: { x, y, color },
        },
        { transform: only('median'), mark: { type: 'line', point: true }, encoding: { x, y, color } },
        {
          transform: only('power law'),
          mark: { type: 'line', strokeDash: [5, 4] },
          encoding: { x, y, color },
        },
      ],
    },
  };
}

/** Median D per n, one row per (variant, gate): the curve behind each slope, to read where it bends. */
export function mediansMarkdown(rows: SeriesSummary[]): string {
  const ns = [...new Set(rows.flatMap((r) => r.medianByN.map((m) => m.n)))].sort((a, b) => a - b);
  const cell = (r: SeriesSummary, n: number) => {
    const m = r.medianByN.find((x) => x.n === n);
    return m ? m.voronoi.toPrecision(2) : '—';
  };
  return [
    `| variant | gate | ${ns.map((n) => `n = ${n}`).join(' | ')} |`,
    `| --- | --- |${ns.map(() => ' ---: |').join('')}`,
    ...rows.map((r) => `| ${r.variant} | ${r.gate} | ${ns.map((n) => cell(r, n)).join(' | ')} |`),
  ].join('\n');
}
