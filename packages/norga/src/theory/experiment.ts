/**
 * The experiment: for each variant (exact: as many fitted prefix atoms as true ones; over: one more), each gate,
 * each sample size n and each replication, draw a sample from the truth with that gate, fit by least squares from
 * an initialisation, and record the Voronoi loss D(Ĝ_n, G*) and the function error ‖f_Ĝ − f_G*‖ (L2 over a fixed
 * held-out sample of x). The function error is the control: the theory gives it n^(-1/2) (up to logs) for every
 * gate, so a gate whose D falls more slowly is slow in its parameters, not in its fit.
 */
import { mixSeeds, Rng } from '../rng.js';
import { fitLeastSquares } from './fit.js';
import { evaluateMixture, generateSample, sampleInputs } from './generate.js';
import { type InitKind, initialAtoms } from './init.js';
import { type Atom, defaultMixture, type ExpertKind, type Mixture, type TheoryGate } from './model.js';
import { voronoiLoss } from './voronoi.js';

/** exact: as many fitted prefix atoms as true ones; over: more (the over-specified case). */
export const VARIANTS = ['exact', 'over'] as const;
/** One of VARIANTS. */
export type Variant = (typeof VARIANTS)[number];

/** One theory run's settings (the `norga theory` flags, parsed). */
export interface TheoryConfig {
  gates: TheoryGate[];
  expert: ExpertKind;
  variants: Variant[];
  ns: number[];
  reps: number;
  seed: number;
  noiseStd: number;
  alpha: number;
  tau: number;
  init: InitKind;
  initScale: number;
  maxIter: number;
  gradTol: number;
  /** Box on every fitted parameter (fit.ts). */
  bound: number;
  /** Size of the held-out sample for the function error. */
  evalSize: number;
}

/** One fit's outcome: where it was, what it fitted, and its losses. */
export interface FitRecord {
  variant: Variant;
  gate: TheoryGate;
  n: number;
  rep: number;
  /** Fitted prefix atoms. */
  k: number;
  voronoi: number;
  parameterTerm: number;
  weightTerm: number;
  /** Fitted atoms per true atom's Voronoi cell. */
  cellSizes: number[];
  functionError: number;
  trainMse: number;
  iterations: number;
  evaluations: number;
  gradMax: number;
  stop: string;
  seconds: number;
  atoms: Atom[];
}

/** Log-spaced sample sizes from nMin to nMax, `perDecade` per factor of ten, rounded to integers. */
export function sampleSizes(nMin: number, nMax: number, perDecade: number): number[] {
  const lo = Math.log10(nMin);
  const steps = Math.max(1, Math.round((Math.log10(nMax) - lo) * perDecade));
  const out = Array.from({ length: steps + 1 }, (_, s) =>
    Math.round(10 ** (lo + ((Math.log10(nMax) - lo) * s) / steps)),
  );
  return [...new Set(out)];
}

/** The true mixture the data of gate `gate` come from. */
export function truthFor(gate: TheoryGate, cfg: Pick<TheoryConfig, 'alpha' | 'tau' | 'expert'>): Mixture {
  return defaultMixture({ kind: gate, alpha: cfg.alpha, tau: cfg.tau }, cfg.expert);
}

/**
 * One fit, the unit of work. The data are seeded by (seed, n, rep) and the start by (seed, n, rep, variant) — not
 * by the gate — so at a given (n, rep) every gate fits the same x and noise from the same start.
 */
function runOne(cfg: TheoryConfig, variant: Variant, gate: TheoryGate, n: number, rep: number): FitRecord {
  const truth = truthFor(gate, cfg);
  const t0 = performance.now();
  const sample = generateSample(truth, n, cfg.noiseStd, new Rng(mixSeeds(cfg.seed, n, rep)));
  const k = truth.prefix.length + (variant === 'over' ? 1 : 0);
  const initRng = new Rng(mixSeeds(cfg.seed, n, rep, VARIANTS.indexOf(variant), 17));
  const init = initialAtoms(truth.prefix, k, cfg.init, cfg.initScale, initRng);
  const fit = fitLeastSquares(sample, init, {
    gate: truth.gate,
    expert: truth.expert,
    pretrained: truth.pretrained,
    maxIter: cfg.maxIter,
    gradTol: cfg.gradTol,
    bound: cfg.bound,
  });
  const d = voronoiLoss(fit.atoms, truth.prefix);
  const evalX = sampleInputs(cfg.evalSize, truth.dim, new Rng(mixSeeds(cfg.seed, 99991)));
  const fTrue = evaluateMixture(truth, evalX);
  const fHat = evaluateMixture({ ...truth, prefix: fit.atoms }, evalX);
  let se = 0;
  for (let i = 0; i < fTrue.length; i++) se += ((fHat[i] as number) - (fTrue[i] as number)) ** 2;
  return {
    variant,
    gate,
    n,
    rep,
    k,
    voronoi: d.total,
    parameterTerm: d.parameterTerm,
    weightTerm: d.weightTerm,
    cellSizes: d.cells.map((c) => c.length),
    functionError: Math.sqrt(se / fTrue.length),
    trainMse: fit.loss,
    iterations: fit.optimizer.iterations,
    evaluations: fit.optimizer.evaluations,
    gradMax: fit.optimizer.gradMax,
    stop: fit.optimizer.reason,
    seconds: (performance.now() - t0) / 1000,
    atoms: fit.atoms,
  };
}

/**
 * Every fit, smallest n first within each (variant, gate), calling `onFit` after each. Yields to the event loop
 * between fits, so a signal (Ctrl-C, SIGTERM) ends a long run at the next fit instead of waiting for the last.
 */
export async function runExperiment(
  cfg: TheoryConfig,
  onFit?: (r: FitRecord, done: number, total: number) => void,
): Promise<FitRecord[]> {
  const total = cfg.variants.length * cfg.gates.length * cfg.ns.length * cfg.reps;
  const out: FitRecord[] = [];
  for (const variant of cfg.variants)
    for (const gate of cfg.gates)
      for (const n of cfg.ns)
        for (let rep = 0; rep < cfg.reps; rep++) {
          const r = runOne(cfg, variant, gate, n, rep);
          out.push(r);
          onFit?.(r, out.length, total);
          await new Promise((resolve) => setImmediate(resolve));
        }
  return out;
}
