/**
 * `norga run`: the main job. Resolves flags into a RunConfig, finds the backbone (shipped, or --backbone), opens the run
 * directory (refusing to mix configurations), runs every method × seed with progress lines, and prints the
 * final table of FAA / CAA / FFM per method.
 */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setBackend } from '@norga/tensor';
import type { ViTConfigName } from '@norga/vit';
import { type FlagTable, flagHelp, parseFlags, UsageError } from './args.js';
import { BACKBONE_CONFIGS, BackboneError, loadBackbone, shippedBackbone } from './backbone-file.js';
import {
  BENCHMARK_SPECS,
  BENCHMARKS,
  type BenchmarkName,
  METHODS,
  type MethodName,
  type RunConfig,
} from './config.js';
import { pairedComparisons, pairedTableMarkdown } from './paired.js';
import { summariseByMethod, summaryTableMarkdown } from './results.js';
import { RunDir } from './rundir.js';
import { runBenchmark } from './runner.js';

export const RUN_FLAGS = {
  benchmark: { kind: 'enum', default: 'split-mnist', choices: BENCHMARKS, help: 'the task sequence' },
  methods: {
    kind: 'list',
    default: ['prefix-tuning', 'norga-tanh'],
    choices: METHODS,
    help: 'methods to compare',
  },
  seeds: {
    kind: 'int',
    default: 3,
    min: 1,
    max: 100,
    help: 'number of seeds (mean ± std and paired statistics)',
  },
  seed: { kind: 'int', default: 1, min: 0, help: 'first seed; seeds are seed, seed+1, ...' },
  tasks: { kind: 'int', default: 0, min: 0, help: 'number of tasks (0: the benchmark default, 5 or 10)' },
  'class-order': {
    kind: 'string',
    default: 'seeded',
    help: '"seeded" (a permutation drawn from each seed) or a comma-separated permutation of the class ids',
  },
  'train-per-class': { kind: 'int', default: 0, min: 0, help: 'training images per class (0: all)' },
  'test-per-class': { kind: 'int', default: 0, min: 0, help: 'test images per class (0: all)' },
  epochs: { kind: 'int', default: 5, min: 1, help: 'within-task training epochs' },
  'batch-size': { kind: 'int', default: 128, min: 1, help: 'batch size (every stage)' },
  lr: { kind: 'float', default: 0.05, min: 0, help: 'Adam learning rate of prefixes and gates' },
  'head-lr-scale': { kind: 'float', default: 0.1, min: 0, help: 'head learning rate as a fraction of --lr' },
  'clip-grad': { kind: 'float', default: 1, min: 0, help: 'gradient-norm clipping (0: none)' },
  'prompt-length': { kind: 'int', default: 5, min: 1, help: 'prefix length L (experts per head and layer)' },
  'prompt-layers': {
    kind: 'intList',
    default: [],
    min: 0,
    help: 'prompted blocks (default: the first 5/12 of the depth: 0,1 of the tiny ViT)',
  },
  'prompt-momentum': { kind: 'float', default: 0.1, min: 0, max: 1, help: 'prompt-ensemble momentum' },
  reg: { kind: 'float', default: 0.1, min: 0, help: 'weight of the contrastive regulariser' },
  'gate-learning': {
    kind: 'enum',
    default: 'first-task',
    choices: ['first-task', 'every-task'],
    help: 'when alpha, tau learn',
  },
  'tii-epochs': { kind: 'int', default: 20, min: 1, help: 'task-identity network epochs per task' },
  'tii-lr': { kind: 'float', default: 0.001, min: 0, help: 'task-identity network Adam learning rate' },
  'ca-epochs': { kind: 'int', default: 30, min: 0, help: 'Gaussian-replay alignment epochs (head and TII)' },
  'ca-lr': {
    kind: 'float',
    default: 0.005,
    min: 0,
    help: "head's alignment SGD learning rate (weight decay 0)",
  },
  'ca-samples-per-class': {
    kind: 'int',
    default: 128,
    min: 1,
    help: "Gaussian samples per class per epoch of the head's alignment",
  },
  'tii-ca-lr': {
    kind: 'float',
    default: 0.01,
    min: 0,
    help: "task-identity network's alignment SGD learning rate (weight decay 5e-4)",
  },
  'tii-ca-samples-per-class': {
    kind: 'int',
    default: 128,
    min: 1,
    help: "Gaussian samples per class per epoch of the task-identity network's alignment",
  },
  backbone: {
    kind: 'string',
    default: 'auto',
    help: 'backbone safetensors file ("auto": the tiny ViT shipped for the benchmark, in backbones/)',
  },
  'backbone-config': {
    kind: 'enum',
    default: 'tiny',
    choices: BACKBONE_CONFIGS,
    help: 'ViT preset of --backbone',
  },
  'data-dir': {
    kind: 'string',
    default: '',
    help: 'data directory (else $NORGA_DATA; Fashion-MNIST also from Debian)',
  },
  backend: { kind: 'enum', default: 'cpu', choices: ['cpu', 'webgpu'], help: 'tensor backend' },
  out: { kind: 'string', default: '', help: 'run directory (default runs/<benchmark>)' },
  resume: { kind: 'bool', default: false, help: 'continue the run in --out after an interruption' },
  quiet: { kind: 'bool', default: false, help: 'no progress lines' },
  help: { kind: 'bool', default: false, help: 'this help' },
} as const satisfies FlagTable;

export const RUN_USAGE = `usage: norga run [flags]

Runs class-incremental continual learning with prefix experts on a frozen pretrained ViT (HiDe-Prompt's
pipeline), comparing prefix tuning with NoRGa, and writes results.md, results.json and plots/ to the run
directory. The defaults are HiDe-Prompt's recipe scaled to this data (README: "The main job"). Checkpoints after every task; --resume continues an interrupted run.

${flagHelp(RUN_FLAGS)}`;

export interface RunIo {
  out: (text: string) => void;
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export async function runCommand(argv: string[], io: RunIo): Promise<number> {
  const { values: f, positionals } = parseFlags(argv, RUN_FLAGS);
  if (f.help) {
    io.out(RUN_USAGE);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(`norga run takes no positional arguments, got '${positionals.join(' ')}'`);
  const benchmark = f.benchmark as BenchmarkName;
  const spec = BENCHMARK_SPECS[benchmark];
  const tasks = f.tasks || spec.tasks;
  await setBackend(f.backend);

  // The backbone: the shipped tiny ViT for the MNIST family, else the user's file.
  let path = f.backbone;
  if (path === 'auto') {
    if (spec.pretrainedOn === 'user') {
      throw new UsageError(
        `--benchmark ${benchmark} needs --backbone FILE (a ViT safetensors checkpoint, e.g. timm's ViT-B/16) and --backbone-config`,
      );
    }
    path = shippedBackbone(spec.pretrainedOn).path;
    if (!existsSync(path))
      throw new BackboneError(
        `the backbone shipped for ${benchmark} is missing (${path}); make one with ` +
          `norga pretrain --recipe ${spec.pretrainedOn}-strong and pass --backbone runs/pretrain-${spec.pretrainedOn}-strong/model.safetensors`,
      );
  }
  const loaded = await loadBackbone(path, f['backbone-config'] as ViTConfigName);
  const data = spec.dataset;
  if (loaded.pretrainedOn && loaded.pretrainedOn === data) {
    throw new BackboneError(
      `${path} was pretrained on ${data}, the data set of ${benchmark}: the continual-learning data must be new to the backbone`,
    );
  }
  const depth = loaded.backbone.depth;
  const layers =
    f['prompt-layers'].length > 0
      ? [...f['prompt-layers']]
      : Array.from({ length: Math.max(1, Math.round((depth * 5) / 12)) }, (_, i) => i);
  const badLayer = layers.find((l) => l >= depth);
  if (badLayer !== undefined)
    throw new UsageError(
      `--prompt-layers: block ${badLayer} does not exist (the backbone has ${depth} blocks)`,
    );

  const cfg: RunConfig = {
    benchmark,
    tasks,
    methods: [...f.methods] as MethodName[],
    seeds: Array.from({ length: f.seeds }, (_, k) => f.seed + k),
    classOrder: parseClassOrder(f['class-order'], numClassesOf(spec)),
    trainPerClass: f['train-per-class'],
    testPerClass: f['test-per-class'],
    epochs: f.epochs,
    batchSize: f['batch-size'],
    lr: f.lr,
    headLrScale: f['head-lr-scale'],
    clipGrad: f['clip-grad'],
    promptLength: f['prompt-length'],
    promptLayers: layers,
    promptMomentum: f['prompt-momentum'],
    reg: f.reg,
    gateLearning: f['gate-learning'] as RunConfig['gateLearning'],
    tiiEpochs: f['tii-epochs'],
    tiiLr: f['tii-lr'],
    caEpochs: f['ca-epochs'],
    caLr: f['ca-lr'],
    caSamplesPerClass: f['ca-samples-per-class'],
    tiiCaLr: f['tii-ca-lr'],
    tiiCaSamplesPerClass: f['tii-ca-samples-per-class'],
    backbone: loaded.info,
    backend: f.backend as RunConfig['backend'],
  };
  const dir = resolve(f.out || `runs/${benchmark}`);
  const runDir = RunDir.open(dir, cfg as unknown as Record<string, unknown>, f.resume);
  io.err.write(
    `norga run: ${spec.description}\n  methods ${cfg.methods.join(', ')}; seeds ${cfg.seeds.join(', ')}; ${cfg.trainPerClass || 'all'} train / ` +
      `${cfg.testPerClass || 'all'} test images per class; ${cfg.epochs} epochs; prompted blocks ${layers.join(',')} of ${depth}; ` +
      `backbone ${loaded.info.path}; backend ${cfg.backend}; run directory ${dir}\n`,
  );
  const { summary, files } = await runBenchmark({
    cfg,
    backbone: loaded.backbone,
    runDir,
    command: `norga run ${argv.join(' ')}`.trim(),
    ...(f['data-dir'] ? { dataDir: f['data-dir'] } : {}),
    progressSink: f.quiet ? null : io.err,
  });
  const paired = pairedTableMarkdown(pairedComparisons(summary.runs));
  io.out(
    `\n${summaryTableMarkdown(summariseByMethod(summary.runs))}\n${paired ? `\nPaired by seed against prefix tuning (method − prefix tuning, points; mean ± sd, paired t):\n${paired}\n` : ''}\nwall time ${summary.wallSeconds.toFixed(0)} s; wrote:\n${files.map((p) => `  ${p}`).join('\n')}\n`,
  );
  return 0;
}

/** Classes of a benchmark's data set (the MNIST family has 10; CIFAR-100 100). */
function numClassesOf(spec: { dataset: string }): number {
  return spec.dataset === 'cifar100' ? 100 : 10;
}

/** --class-order: 'seeded', or a permutation of 0..numClasses-1 given as a comma-separated list. */
export function parseClassOrder(raw: string, numClasses: number): 'seeded' | number[] {
  if (raw === 'seeded') return 'seeded';
  const items = raw.split(',').map((s) => s.trim());
  const order = items.map(Number);
  const sorted = [...order].sort((a, b) => a - b);
  if (items.some((s) => s === '') || order.length !== numClasses || sorted.some((c, i) => c !== i))
    throw new UsageError(
      `--class-order must be "seeded" or a permutation of 0..${numClasses - 1} (each class once), got '${raw}'`,
    );
  return order;
}
