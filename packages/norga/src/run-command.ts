/**
 * `norga run`: the main job. Resolves flags into a RunConfig, finds (or pretrains) the backbone, opens the run
 * directory (refusing to mix configurations), runs every method × seed with progress lines, and prints the
 * final table of FAA / CAA / FFM per method.
 */

import { resolve } from 'node:path';
import { setBackend } from '@norga/tensor';
import type { ViTConfigName } from '@norga/vit';
import { type FlagTable, flagHelp, parseFlags, UsageError } from './args.js';
import {
  BACKBONE_CONFIGS,
  BackboneError,
  defaultBackbonePath,
  loadBackbone,
  pretrainBackbone,
} from './backbone-file.js';
import {
  BENCHMARK_SPECS,
  BENCHMARKS,
  type BenchmarkName,
  METHODS,
  type MethodName,
  type RunConfig,
} from './config.js';
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
  seeds: { kind: 'int', default: 1, min: 1, max: 100, help: 'number of seeds (mean ± std over them)' },
  seed: { kind: 'int', default: 1, min: 0, help: 'first seed; seeds are seed, seed+1, ...' },
  tasks: { kind: 'int', default: 0, min: 0, help: 'number of tasks (0: the benchmark default, 5 or 10)' },
  'train-per-class': { kind: 'int', default: 100, min: 0, help: 'training images per class (0: all)' },
  'test-per-class': { kind: 'int', default: 100, min: 0, help: 'test images per class (0: all)' },
  epochs: { kind: 'int', default: 2, min: 1, help: 'within-task training epochs' },
  'batch-size': { kind: 'int', default: 16, min: 1, help: 'batch size' },
  lr: { kind: 'float', default: 0.01, min: 0, help: 'Adam learning rate of prefixes and gates' },
  'head-lr-scale': { kind: 'float', default: 0.1, min: 0, help: 'head learning rate as a fraction of --lr' },
  'clip-grad': { kind: 'float', default: 1, min: 0, help: 'gradient-norm clipping (0: none)' },
  'prompt-length': { kind: 'int', default: 5, min: 1, help: 'prefix length L (experts per head and layer)' },
  'prompt-layers': {
    kind: 'intList',
    default: [],
    min: 0,
    help: 'prompted blocks (default: the first 5/12 of the depth)',
  },
  'prompt-momentum': { kind: 'float', default: 0.01, min: 0, max: 1, help: 'prompt-ensemble momentum' },
  reg: { kind: 'float', default: 0.1, min: 0, help: 'weight of the contrastive regulariser' },
  'gate-learning': {
    kind: 'enum',
    default: 'first-task',
    choices: ['first-task', 'every-task'],
    help: 'when alpha, tau learn',
  },
  'tii-epochs': { kind: 'int', default: 10, min: 1, help: 'task-identity network epochs per task' },
  'tii-lr': { kind: 'float', default: 0.001, min: 0, help: 'task-identity network Adam learning rate' },
  'ca-epochs': { kind: 'int', default: 5, min: 0, help: 'Gaussian-replay alignment epochs' },
  'ca-lr': { kind: 'float', default: 0.005, min: 0, help: 'alignment SGD learning rate' },
  'ca-samples-per-class': {
    kind: 'int',
    default: 128,
    min: 1,
    help: 'Gaussian samples per class per alignment epoch',
  },
  backbone: {
    kind: 'string',
    default: 'auto',
    help: 'backbone safetensors file ("auto": the cached tiny ViT, pretrained if absent)',
  },
  'backbone-config': {
    kind: 'enum',
    default: 'tiny',
    choices: BACKBONE_CONFIGS,
    help: 'ViT preset of --backbone',
  },
  'pretrain-epochs': {
    kind: 'int',
    default: 2,
    min: 1,
    help: 'epochs when the auto backbone must be pretrained first',
  },
  'pretrain-images': {
    kind: 'int',
    default: 12000,
    min: 0,
    help: 'training images of that pretraining (0: all 60,000)',
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
directory. Checkpoints after every task; --resume continues an interrupted run.

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

  // The backbone: the cached tiny ViT for the MNIST family (pretrained first when absent), else the user's file.
  let path = f.backbone;
  if (path === 'auto') {
    if (spec.pretrainedOn === 'user') {
      throw new UsageError(
        `--benchmark ${benchmark} needs --backbone FILE (a ViT safetensors checkpoint, e.g. timm's ViT-B/16) and --backbone-config`,
      );
    }
    path = defaultBackbonePath(spec.pretrainedOn);
    const { existsSync } = await import('node:fs');
    if (!existsSync(path)) {
      io.err.write(
        `no cached backbone at ${path}: pretraining the tiny ViT on ${spec.pretrainedOn} first (${f['pretrain-epochs']} epochs over ${f['pretrain-images'] || 'all'} images; cached for later runs)\n`,
      );
      await pretrainBackbone({
        dataset: spec.pretrainedOn,
        out: resolve(path, '..'),
        epochs: f['pretrain-epochs'],
        images: f['pretrain-images'],
        backend: f.backend,
        ...(f['data-dir'] ? { dataDir: f['data-dir'] } : {}),
      });
    }
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
  io.out(
    `\n${summaryTableMarkdown(summariseByMethod(summary.runs))}\n\nwall time ${summary.wallSeconds.toFixed(0)} s; wrote:\n${files.map((p) => `  ${p}`).join('\n')}\n`,
  );
  return 0;
}
