/**
 * The results of a benchmark run: one JSON file with everything (config, seed, every a[i][t], metrics, wall time,
 * backend, machine) and one Markdown table a person reads, both written atomically, plus the SVG plots.
 */
import { arch, cpus, platform } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';
import { type AccuracyMatrix, type MeanStd, type Metrics, meanStd } from './metrics.js';
import { pairedComparisons, pairedTableMarkdown } from './paired.js';
import {
  accuracyHeatmapSpec,
  accuracyOverTimeSpec,
  type MethodMatrix,
  prefixMassSpec,
  renderSvg,
} from './plots.js';

/** One method trained with one seed over the whole task sequence. */
export interface MethodRun {
  method: string;
  seed: number;
  /** a[i][t] as fractions; NaN where i > t. */
  acc: AccuracyMatrix;
  /** FAA, CAA, FFM (NaN where undefined, e.g. CAA of the joint upper bound) and the true-task metrics. */
  metrics: RunMetrics;
  /** Task-identity inference accuracy over all seen tasks' test sets after each task (NaN where not used). */
  tii: number[];
  /** mass[task][layer] after the last task, or empty when the method has no prefixes. */
  prefixMass: number[][];
  /** The gate's learned alpha and tau per prompted layer (`gate.alpha.<layer>`); empty for prefix tuning. */
  gate: Record<string, number>;
  wallSeconds: number;
  /** Scalars the method trained (ContinualLearner.trainableParameters); absent in runs made before it was recorded. */
  trainableParameters?: number;
}

/** Metrics of one run, all fractions: the continual ones and the two that use the true task's prefix. */
export interface RunMetrics extends Metrics {
  oracleFaa: number;
  taskIlFaa: number;
}

/** The machine a run ran on, as recorded in results.json. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  platform: string;
  node: string;
}

/** This machine's CPUs, platform and Node version. */
export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    platform: `${platform()}-${arch()}`,
    node: process.version,
  };
}

/** Everything results.json holds: the command, configuration, machine, times, every run, and the summaries. */
export interface RunSummary {
  command: string;
  config: Record<string, unknown>;
  backend: string;
  machine: MachineInfo;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  runs: MethodRun[];
}

/** One method's metrics over its seeds (mean ± sd, in %), a row of the summary table. */
export interface MethodRow {
  method: string;
  seeds: number;
  faa: MeanStd;
  caa: MeanStd;
  ffm: MeanStd;
  oracleFaa: MeanStd;
  taskIlFaa: MeanStd;
  tii: MeanStd;
  wallSeconds: MeanStd;
  /** Trainable parameters (the same for every seed; NaN where not recorded). */
  trainableParameters: MeanStd;
}

/** One row per method, in first-seen order, with mean ± std over seeds. */
export function summariseByMethod(runs: MethodRun[]): MethodRow[] {
  const methods = [...new Set(runs.map((r) => r.method))];
  return methods.map((method) => {
    const rs = runs.filter((r) => r.method === method);
    return {
      method,
      seeds: rs.length,
      faa: meanStd(rs.map((r) => r.metrics.faa * 100)),
      caa: meanStd(rs.map((r) => r.metrics.caa * 100)),
      ffm: meanStd(rs.map((r) => r.metrics.ffm * 100)),
      oracleFaa: meanStd(rs.map((r) => r.metrics.oracleFaa * 100)),
      taskIlFaa: meanStd(rs.map((r) => r.metrics.taskIlFaa * 100)),
      tii: meanStd(rs.map((r) => (r.tii.at(-1) ?? Number.NaN) * 100)),
      wallSeconds: meanStd(rs.map((r) => r.wallSeconds)),
      trainableParameters: meanStd(rs.map((r) => r.trainableParameters ?? Number.NaN)),
    };
  });
}

/** "12.34 ± 0.56" (the ± part only with more than one seed); "—" for NaN. */
export function formatMeanStd(m: MeanStd, digits = 2): string {
  if (!Number.isFinite(m.mean)) return '—';
  return m.n > 1 ? `${m.mean.toFixed(digits)} ± ${m.std.toFixed(digits)}` : m.mean.toFixed(digits);
}

/** The element-wise mean of a method's accuracy matrices over seeds. */
export function meanMatrix(mats: AccuracyMatrix[]): AccuracyMatrix {
  const first = mats[0];
  if (!first) return [];
  return first.map((row, i) =>
    row.map((_, t) => mats.reduce((s, m) => s + (m[i]?.[t] ?? Number.NaN), 0) / mats.length),
  );
}

/** Each method's accuracy matrices, one per seed, in run order. */
export function methodMatrices(runs: MethodRun[]): MethodMatrix[] {
  const methods = [...new Set(runs.map((r) => r.method))];
  return methods.map((method) => ({
    method,
    acc: meanMatrix(runs.filter((r) => r.method === method).map((r) => r.acc)),
  }));
}

/** The summary table in Markdown: one row per method, mean ± sd over seeds, in %. */
export function summaryTableMarkdown(rows: MethodRow[]): string {
  const head =
    '| method | seeds | FAA % ↑ | CAA % ↑ | FFM % ↓ | oracle-TII FAA % ↑ | task-IL FAA % ↑ | TII % | wall s / seed | trainable params |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const body = rows.map(
    (r) =>
      `| ${r.method} | ${r.seeds} | ${formatMeanStd(r.faa)} | ${formatMeanStd(r.caa)} | ${formatMeanStd(r.ffm)} | ` +
      `${formatMeanStd(r.oracleFaa)} | ${formatMeanStd(r.taskIlFaa)} | ${formatMeanStd(r.tii)} | ${formatMeanStd(r.wallSeconds, 0)} | ` +
      `${Number.isFinite(r.trainableParameters.mean) ? Math.round(r.trainableParameters.mean).toLocaleString('en-US') : '—'} |`,
  );
  return [head, ...body].join('\n');
}

/** alpha and tau per prompted layer, mean ± std over seeds, for the methods with a learned gate. */
export function gateTableMarkdown(runs: readonly MethodRun[]): string {
  const methods = [...new Set(runs.map((r) => r.method))].filter((m) =>
    runs.some((r) => r.method === m && Object.keys(r.gate ?? {}).length > 0),
  );
  if (methods.length === 0) return '';
  const names = [
    ...new Set(
      methods.flatMap((m) => runs.filter((r) => r.method === m).flatMap((r) => Object.keys(r.gate))),
    ),
  ];
  const head = `| method | ${names.join(' | ')} |`;
  const rule = `| --- | ${names.map(() => '---:').join(' | ')} |`;
  const rows = methods.map((m) => {
    const rs = runs.filter((r) => r.method === m);
    return `| ${m} | ${names.map((k) => formatMeanStd(meanStd(rs.map((r) => r.gate[k] ?? Number.NaN)), 3)).join(' | ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}

/** An accuracy matrix in Markdown, in % (rows: tasks; columns: after each task; — where not measured). */
export function matrixMarkdown(acc: AccuracyMatrix): string {
  const T = acc.length;
  const head = `| task \\ after | ${Array.from({ length: T }, (_, t) => `${t + 1}`).join(' | ')} |`;
  const rule = `| --- | ${Array.from({ length: T }, () => '---:').join(' | ')} |`;
  const body = acc.map(
    (row, i) =>
      `| ${i + 1} | ${row.map((a) => (Number.isFinite(a) ? (a * 100).toFixed(1) : '')).join(' | ')} |`,
  );
  return [head, rule, ...body].join('\n');
}

/** The whole results.md of a run. */
export function resultsMarkdown(s: RunSummary): string {
  const rows = summariseByMethod(s.runs);
  const parts = [
    `# Results: ${String(s.config.benchmark ?? 'benchmark')}`,
    '',
    `Command: \`${s.command}\`  `,
    `Backend: ${s.backend}; machine: ${s.machine.cpus} × ${s.machine.cpuModel}, ${s.machine.platform}, Node ${s.machine.node}  `,
    `Started ${s.startedAt}, finished ${s.finishedAt}, wall time ${s.wallSeconds.toFixed(0)} s`,
    '',
    'FAA: final average accuracy; CAA: cumulative average accuracy; FFM: final forgetting; oracle-TII FAA: FAA',
    "with each test image given its true task's prefix (argmax over all seen classes); task-IL FAA: the same, argmax",
    "over the task's own classes; TII: task-identity inference accuracy after the last task (the shared TII stage, or the",
    "method's own task inference); — where a metric does not apply. Wall time per seed: the method's training and",
    'evaluation (the shared TII stage not included). Mean ± sample std over seeds.',
    '',
    summaryTableMarkdown(rows),
    '',
  ];
  const paired = pairedComparisons(s.runs);
  if (paired.length > 0) {
    parts.push(
      '## Paired by seed, against prefix tuning',
      '',
      'Per seed, method − prefix tuning in percentage points; mean ± sd over seeds, paired t (two-sided p), and how',
      'many seeds have a positive difference (for FFM, lower is better: a negative difference is a gain).',
      '',
      pairedTableMarkdown(paired),
      '',
    );
  }
  const gates = gateTableMarkdown(s.runs);
  if (gates) parts.push('## Learned gate parameters (mean over seeds)', '', gates, '');
  for (const { method, acc } of methodMatrices(s.runs)) {
    parts.push(`## ${method}: accuracy matrix (%, mean over seeds)`, '', matrixMarkdown(acc), '');
  }
  parts.push(
    'Plots: `plots/accuracy-matrix.svg`, `plots/accuracy-over-time.svg`, `plots/prefix-attention-mass.svg`.',
    '',
  );
  return parts.join('\n');
}

/** Writes results.json, results.md and plots/*.svg under `dir`; returns the paths written. */
export async function writeResults(dir: string, s: RunSummary): Promise<string[]> {
  const written: string[] = [];
  const put = (name: string, data: string) => {
    const p = join(dir, name);
    writeFileAtomic(p, data);
    written.push(p);
  };
  const json = join(dir, 'results.json');
  writeJsonAtomic(json, { ...s, summary: summariseByMethod(s.runs), paired: pairedComparisons(s.runs) });
  written.push(json);
  put('results.md', resultsMarkdown(s));
  const mats = methodMatrices(s.runs);
  put('plots/accuracy-matrix.svg', await renderSvg(accuracyHeatmapSpec(mats)));
  put('plots/accuracy-over-time.svg', await renderSvg(accuracyOverTimeSpec(mats)));
  const masses = [...new Set(s.runs.map((r) => r.method))].flatMap((method) => {
    const run = s.runs.find((r) => r.method === method && r.prefixMass.length > 0);
    return run ? [{ method, mass: run.prefixMass }] : [];
  });
  if (masses.length > 0) put('plots/prefix-attention-mass.svg', await renderSvg(prefixMassSpec(masses)));
  return written;
}
