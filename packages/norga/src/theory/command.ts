/**
 * `norga theory`: the paper's statistical result as an experiment. Fits the prefix experts of a known mixture by
 * least squares for sample sizes over two or more decades, measures the Voronoi loss to the truth per fit, and
 * writes results.json (every fit), results.md (slopes beside the theory's) and plots/*.svg to the run directory.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type FlagTable, flagHelp, parseFlags, UsageError } from '../args.js';
import { writeFileAtomic, writeJsonAtomic } from '../atomic.js';
import { renderSvg } from '../plots.js';
import { machineInfo } from '../results.js';
import { RunDirError } from '../rundir.js';
import {
  type FitRecord,
  runExperiment,
  sampleSizes,
  type TheoryConfig,
  truthFor,
  VARIANTS,
  type Variant,
} from './experiment.js';
import type { InitKind } from './init.js';
import { EXPERT_KINDS, type ExpertKind, THEORY_GATES, type TheoryGate } from './model.js';
import { mediansMarkdown, summarise, summaryMarkdown, voronoiPlotSpec } from './report.js';

/** The flags of `norga theory`, their defaults and help. */
const THEORY_FLAGS = {
  // Prefix tuning against NoRGa's default σ keeps the default run to minutes; sigmoid and gelu are a flag away.
  gates: {
    kind: 'list',
    default: ['linear', 'tanh'],
    choices: THEORY_GATES,
    help: 'gates of the prefix experts (linear = prefix tuning; tanh, sigmoid, gelu = NoRGa)',
  },
  variants: {
    kind: 'list',
    default: [...VARIANTS],
    choices: VARIANTS,
    help: 'exact: as many fitted prefix experts as true ones; over: one more',
  },
  expert: {
    kind: 'enum',
    default: 'tanh',
    choices: EXPERT_KINDS,
    help: 'prefix expert h(x) = tanh(aᵀx + b) or aᵀx + b (see docs/THEORY.md)',
  },
  'n-min': { kind: 'int', default: 100, min: 20, help: 'smallest sample size' },
  'n-max': { kind: 'int', default: 10000, min: 20, help: 'largest sample size' },
  'n-per-decade': { kind: 'int', default: 2, min: 1, max: 10, help: 'sample sizes per factor of ten' },
  reps: { kind: 'int', default: 3, min: 1, max: 1000, help: 'replications (independent samples) per n' },
  seed: { kind: 'int', default: 1, min: 0, help: 'seed of the samples and initialisations' },
  noise: { kind: 'float', default: 0.02, min: 0, help: 'standard deviation of the Gaussian noise' },
  alpha: { kind: 'float', default: 1, help: 'NoRGa residual weight α (known, not fitted)' },
  tau: { kind: 'float', default: 1, help: 'NoRGa temperature τ (known, not fitted)' },
  init: {
    kind: 'enum',
    default: 'near',
    choices: ['near', 'random'],
    help: 'start near the truth or at random',
  },
  'init-scale': { kind: 'float', default: 0.3, min: 0, help: 'std of the perturbation of a near start' },
  'max-iter': { kind: 'int', default: 1000, min: 1, help: 'L-BFGS iterations per fit' },
  'grad-tol': {
    kind: 'float',
    default: 1e-10,
    min: 0,
    help: 'stop a fit when every gradient entry is below this',
  },
  bound: { kind: 'float', default: 4, min: 0.5, help: 'box |θ| < bound on every fitted parameter' },
  'eval-size': { kind: 'int', default: 4000, min: 10, help: 'held-out inputs for the function error' },
  out: { kind: 'string', default: '', help: 'run directory (default runs/theory-<timestamp>)' },
  quiet: { kind: 'bool', default: false, help: 'no progress lines' },
  help: { kind: 'bool', default: false, help: 'this help' },
} as const satisfies FlagTable;

/** `norga theory --help`. */
const THEORY_USAGE = `usage: norga theory [flags]

Fits the prefix experts of a known mixture (fixed pretrained experts with quadratic scores plus prefix experts
with linear or NoRGa scores, Gaussian noise) by least squares for sample sizes from --n-min to --n-max, and
measures how fast the Voronoi loss to the true mixing measure falls with n, per gate. Writes results.json,
results.md and plots/ to the run directory. The default takes a few minutes; --n-max 100000 --reps 5 scales up.

${flagHelp(THEORY_FLAGS)}`;

/** Where the command writes. */
export interface TheoryIo {
  /** Prints a line of output (help, progress, the summary). */
  out: (text: string) => void;
}

function timestamp(): string {
  return new Date()
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');
}

/**
 * `norga theory ARGS`: runs the convergence-rate experiment and writes the run directory. Returns the exit
 * status (0 for a finished run or --help); bad flags throw a UsageError.
 */
export async function runTheoryCommand(argv: string[], io: TheoryIo): Promise<number> {
  const { values: f, positionals } = parseFlags(argv, THEORY_FLAGS);
  if (f.help) {
    io.out(THEORY_USAGE);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`norga theory takes no positional arguments, got '${positionals.join(' ')}'`);
  if (f['n-max'] <= f['n-min'])
    throw new UsageError(`--n-max (${f['n-max']}) must be larger than --n-min (${f['n-min']})`);
  const ns = sampleSizes(f['n-min'], f['n-max'], f['n-per-decade']);
  if (ns.length * f.reps < 3)
    throw new UsageError('a slope needs at least 3 fits per gate: raise --reps or --n-per-decade');
  const cfg: TheoryConfig = {
    gates: [...f.gates] as TheoryGate[],
    expert: f.expert as ExpertKind,
    variants: [...f.variants] as Variant[],
    ns,
    reps: f.reps,
    seed: f.seed,
    noiseStd: f.noise,
    alpha: f.alpha,
    tau: f.tau,
    init: f.init as InitKind,
    initScale: f['init-scale'],
    maxIter: f['max-iter'],
    gradTol: f['grad-tol'],
    bound: f.bound,
    evalSize: f['eval-size'],
  };
  const dir = resolve(f.out || join('runs', `theory-${timestamp()}`));
  if (existsSync(join(dir, 'results.json')))
    throw new RunDirError(`${dir} already holds a theory run (results.json); choose another --out`);

  const started = new Date();
  const t0 = performance.now();
  const say = (s: string) => {
    if (!f.quiet) io.out(s);
  };
  say(
    `theory: ${cfg.variants.length} variants × ${cfg.gates.length} gates × n ∈ {${ns.join(', ')}} × ${cfg.reps} reps → ${dir}`,
  );
  const records = await runExperiment(cfg, (r: FitRecord, done, total) => {
    if (r.rep === cfg.reps - 1)
      say(
        `[${done}/${total}] ${r.variant} ${r.gate} n=${r.n}: D=${r.voronoi.toExponential(2)} ‖f̂−f*‖=${r.functionError.toExponential(2)} (${r.iterations} it, ${r.stop}) ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
  });
  const rows = summarise(records);
  const table = summaryMarkdown(rows);
  const wallSeconds = (performance.now() - t0) / 1000;
  const command = `norga theory ${argv.join(' ')}`.trim();
  writeJsonAtomic(join(dir, 'results.json'), {
    command,
    config: cfg,
    // The true mixture per gate, so a reader of this file can compare fitted atoms without the source.
    truth: Object.fromEntries(cfg.gates.map((g) => [g, truthFor(g, cfg)])),
    machine: machineInfo(),
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds,
    summary: rows,
    fits: records,
  });
  writeFileAtomic(
    join(dir, 'results.md'),
    `# norga theory\n\n\`${command}\` (${wallSeconds.toFixed(0)} s; expert ${cfg.expert}, noise ${cfg.noiseStd}, n ∈ {${ns.join(', ')}}, ${cfg.reps} reps, init ${cfg.init})\n\nSlopes of log10 D and log10 ‖f̂ − f*‖ against log10 n (OLS over every fit, 95 % interval):\n\n${table}\n\nMedian D over the replications at each n:\n\n${mediansMarkdown(rows)}\n`,
  );
  writeFileAtomic(
    join(dir, 'plots', 'theory-voronoi.svg'),
    await renderSvg(voronoiPlotSpec(records, rows, 'voronoi')),
  );
  writeFileAtomic(
    join(dir, 'plots', 'theory-function-error.svg'),
    await renderSvg(voronoiPlotSpec(records, rows, 'functionError')),
  );
  io.out(
    `\n${table}\n\nwrote ${join(dir, 'results.md')}, results.json, plots/ (${wallSeconds.toFixed(0)} s)`,
  );
  return 0;
}
