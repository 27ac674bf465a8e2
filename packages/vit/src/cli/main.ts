#!/usr/bin/env node
import { existsSync, statSync } from 'node:fs';
import {
  type CliError,
  describeCommonError,
  EXIT,
  type FlagTable,
  flagHelp,
  parseFlags,
  reportCliError,
  takeVerbose,
  UsageError,
  usageLine,
} from '@norga/datasets';
import { readSafetensorsFile, writeSafetensorsFile } from '../node.js';
import { toFloat32 } from '../safetensors/convert.js';
import { SafetensorsError } from '../safetensors/errors.js';
/** `norga-vit`: pretrain the tiny ViT; inspect or convert safetensors checkpoints. */
import { fromHuggingFace, isHuggingFaceNaming } from '../weights/huggingface.js';
import type { NamedArray } from '../weights/named.js';
import { CheckpointError } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import { AUGMENTATIONS, type Augmentation, type Io, PretrainError, pretrain } from './pretrain.js';

function parseAugment(list: string): Augmentation[] {
  if (list === 'none' || list === '') return [];
  const names = list.split(',').map((s) => s.trim());
  for (const n of names)
    if (!Object.hasOwn(AUGMENTATIONS, n))
      throw new UsageError(
        `--augment: unknown augmentation '${n}' (known: ${Object.keys(AUGMENTATIONS).join(', ')}, or none)`,
      );
  return names as Augmentation[];
}

const DATASET = {
  kind: 'enum',
  default: 'fashion-mnist',
  choices: ['fashion-mnist', 'mnist'],
  help: 'data set',
} as const;
const DATA_DIR = { kind: 'string', default: '', help: 'data directory (else $NORGA_DATA)' } as const;
const BACKEND = { kind: 'enum', default: 'cpu', choices: ['cpu', 'webgpu'], help: 'tensor backend' } as const;
const HELP = { kind: 'bool', default: false, help: 'this help (also -h)' } as const;

/** The flags of `norga-vit pretrain`. */
const PRETRAIN_FLAGS = {
  dataset: DATASET,
  'data-dir': DATA_DIR,
  out: {
    kind: 'string',
    default: '',
    help: 'run directory, locked while a pretraining runs in it ("": runs/vit-tiny-<dataset>)',
  },
  epochs: { kind: 'int', default: 10, min: 1, help: 'epochs' },
  'batch-size': { kind: 'int', default: 64, min: 1, help: 'batch size' },
  lr: { kind: 'float', default: 1e-3, above: 0, help: 'AdamW peak learning rate' },
  'weight-decay': { kind: 'float', default: 0.05, min: 0, help: 'AdamW weight decay' },
  'warmup-steps': { kind: 'int', default: 500, min: 0, help: 'linear warm-up steps' },
  'label-smoothing': { kind: 'float', default: 0, min: 0, below: 1, help: 'label smoothing' },
  seed: { kind: 'int', default: 0, min: 0, help: 'seed of the initialisation, order and subsets' },
  augment: {
    kind: 'string',
    default: 'none',
    help: 'none, or comma-separated: shift2 (±2-pixel shifts), flip (left-right)',
  },
  'final-lr-fraction': {
    kind: 'float',
    default: 0.01,
    min: 0,
    max: 1,
    help: 'where the cosine schedule ends, as a fraction of the peak lr',
  },
  'checkpoint-every': {
    kind: 'int',
    default: 200,
    min: 0,
    help: 'steps between checkpoints (also at every epoch end)',
  },
  resume: {
    kind: 'bool',
    default: false,
    help: 'continue the checkpoint in --out (after a kill, the run continues where it was)',
  },
  'limit-train': { kind: 'int', default: 0, min: 0, help: 'seeded training subset (0 = all)' },
  'limit-test': { kind: 'int', default: 0, min: 0, help: 'seeded test subset (0 = all)' },
  'stop-after-steps': {
    kind: 'int',
    default: 0,
    min: 0,
    help: 'checkpoint and stop at this global step (0: never)',
  },
  backend: BACKEND,
  help: HELP,
} as const satisfies FlagTable;

/** The flags of `norga-vit eval`. */
const EVAL_FLAGS = {
  dataset: DATASET,
  'data-dir': DATA_DIR,
  'batch-size': { kind: 'int', default: 256, min: 1, help: 'batch size' },
  backend: BACKEND,
  'limit-test': {
    kind: 'int',
    default: 0,
    min: 0,
    help: 'with --seed: the seeded test subset pretrain used with the same flags (0 = all)',
  },
  seed: { kind: 'int', default: 0, min: 0, help: 'seed of the test subset' },
  help: HELP,
} as const satisfies FlagTable;

/** The flags of `inspect` and `convert-hf`: none but the help. */
const HELP_ONLY = { help: HELP } as const satisfies FlagTable;

const PRETRAIN_USAGE = `  pretrain   train the tiny ViT (28×28, patch 4, dim 64, depth 4) from scratch
${flagHelp(PRETRAIN_FLAGS)}
`;
const EVAL_USAGE = `  eval FILE           top-1 accuracy of a checkpoint on the test split
${flagHelp(EVAL_FLAGS)}
`;
const INSPECT_USAGE = `  inspect FILE        list the tensors, dtypes, shapes and metadata of a safetensors file
`;
const CONVERT_USAGE = `  convert-hf IN OUT   rename a Hugging Face ViT checkpoint to timm names (qkv fused)
`;
const EXIT_USAGE = `Every command takes -h/--help, and --verbose (a stack trace with any error).
Exit status: 0 ok, 1 a bad or missing file or data, a directory that holds another run, 2 a bad flag,
3 --out is in use by another pretraining, 4 the machine (disk full, out of memory, WebGPU missing),
70 a bug (report it with --verbose), 130 interrupted by Ctrl-C, 143 stopped by SIGTERM, 129 by SIGHUP or
because the norga parent is gone (pretrain continues with --resume).
`;

export const USAGE = `usage: norga-vit <command> [flags]

${PRETRAIN_USAGE}${EVAL_USAGE}${INSPECT_USAGE}${CONVERT_USAGE}
${EXIT_USAGE}`;

const COMMAND_USAGE: Record<string, string> = {
  pretrain: `usage: norga-vit pretrain [flags]\n\n${PRETRAIN_USAGE}`,
  eval: `usage: norga-vit eval FILE [flags]\n\n${EVAL_USAGE}`,
  inspect: `usage: norga-vit inspect FILE\n\n${INSPECT_USAGE}`,
  'convert-hf': `usage: norga-vit convert-hf IN OUT\n\n${CONVERT_USAGE}`,
};

/** What a Ctrl-C should tell the user (set once a pretraining has its --out; read by the bin's signal handler). */
export let interruptHint = '';

/** The errors of this package and of what it builds on, as one line and an exit status. */
export function describeVitError(err: unknown): CliError | undefined {
  if (err instanceof SafetensorsError || err instanceof PretrainError || err instanceof CheckpointError)
    return { message: err.message, code: EXIT.failed };
  return describeCommonError(err);
}

async function inspect(path: string, io: Io): Promise<void> {
  const f = await readSafetensorsFile(path);
  io.stdout.write(`${path}: ${f.tensors.size} tensors, header ${f.headerBytes} bytes\n`);
  for (const [k, v] of Object.entries(f.metadata))
    io.stdout.write(`  __metadata__.${k} = ${v.length > 200 ? `${v.slice(0, 200)}…` : v}\n`);
  for (const t of f.tensors.values()) io.stdout.write(`  ${t.name}  ${t.dtype}  [${t.shape.join(', ')}]\n`);
}

async function convertHf(input: string, output: string, io: Io): Promise<void> {
  const f = await readSafetensorsFile(input);
  const arrays = new Map<string, NamedArray>();
  for (const t of f.tensors.values()) arrays.set(t.name, { shape: t.shape, data: toFloat32(t) });
  if (!isHuggingFaceNaming(arrays.keys()))
    throw new UsageError(`${input} does not use Hugging Face ViT names`);
  const { tensors, ignored } = fromHuggingFace(arrays);
  const out: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
  for (const [k, v] of tensors) out[k] = v;
  await writeSafetensorsFile(output, out, { ...f.metadata, converted_from: 'huggingface' });
  io.stdout.write(
    `wrote ${tensors.size} tensors to ${output}${ignored.length > 0 ? ` (dropped: ${ignored.join(', ')})` : ''}\n`,
  );
}

/** A safetensors error of `file` names the file (the reader's own messages say what, not where). */
async function naming<T>(file: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof SafetensorsError && !e.message.includes(file))
      throw new SafetensorsError(`${file}: ${e.message}`);
    throw e;
  }
}

/** --data-dir must name a directory: a typo would otherwise fall back to the packaged data without a word. */
function dataDirFlag(dir: string): { dataDir?: string } {
  if (dir === '') return {};
  if (!existsSync(dir)) throw new UsageError(`--data-dir ${dir}: no such directory`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`--data-dir ${dir}: not a directory`);
  return { dataDir: dir };
}

export async function runCli(args: readonly string[], io: Io): Promise<number> {
  const { argv, verbose } = takeVerbose(args);
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      io.stdout.write(USAGE);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    const usage = COMMAND_USAGE[command];
    if (usage === undefined) throw new UsageError(`unknown command '${command}'`);
    if (command === 'pretrain') {
      const { values: f, positionals } = parseFlags(rest, PRETRAIN_FLAGS);
      if (f.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      if (positionals.length > 0)
        throw new UsageError(`pretrain takes no positional arguments, got '${positionals.join(' ')}'`);
      const dataset = f.dataset as 'fashion-mnist' | 'mnist';
      const options = {
        dataset,
        ...dataDirFlag(f['data-dir']),
        out: f.out || `runs/vit-tiny-${dataset}`,
        epochs: f.epochs,
        batchSize: f['batch-size'],
        lr: f.lr,
        weightDecay: f['weight-decay'],
        warmupSteps: f['warmup-steps'],
        labelSmoothing: f['label-smoothing'],
        augment: parseAugment(f.augment),
        finalLrFraction: f['final-lr-fraction'],
        seed: f.seed,
        checkpointEvery: f['checkpoint-every'],
        resume: f.resume,
        backend: f.backend,
        limitTrain: f['limit-train'],
        limitTest: f['limit-test'],
        stopAfterSteps: f['stop-after-steps'],
      } as const;
      interruptHint = `the last checkpoint is in ${options.out}: continue with the same command and --resume`;
      await pretrain(options, io);
      return EXIT.ok;
    }
    if (command === 'eval') {
      const { values: f, positionals } = parseFlags(rest, EVAL_FLAGS);
      if (f.help) {
        io.stdout.write(usage);
        return EXIT.ok;
      }
      const options = {
        file: positionals[0] ?? '',
        dataset: f.dataset as 'fashion-mnist' | 'mnist',
        ...dataDirFlag(f['data-dir']),
        batchSize: f['batch-size'],
        backend: f.backend,
        limitTest: f['limit-test'],
        seed: f.seed,
      } as const;
      if (options.file === '' || positionals.length > 1) throw new UsageError('eval needs exactly one FILE');
      await naming(options.file, evaluate(options, io));
      return EXIT.ok;
    }
    const { values: f, positionals } = parseFlags(rest, HELP_ONLY);
    if (f.help) {
      io.stdout.write(usage);
      return EXIT.ok;
    }
    if (command === 'inspect') {
      const [file, ...extra] = positionals;
      if (file === undefined || extra.length > 0) throw new UsageError('inspect needs exactly one FILE');
      await naming(file, inspect(file, io));
      return EXIT.ok;
    }
    if (command === 'convert-hf') {
      const [input, output, ...extra] = positionals;
      if (input === undefined || output === undefined || extra.length > 0)
        throw new UsageError('convert-hf needs IN and OUT');
      await naming(input, convertHf(input, output, io));
      return EXIT.ok;
    }
    throw new UsageError(`unknown command '${command}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      const help = command && COMMAND_USAGE[command] ? `norga-vit ${command} --help` : 'norga-vit --help';
      io.stderr.write(`${usageLine('norga-vit', e.message, help)}\n`);
      return EXIT.usage;
    }
    return reportCliError('norga-vit', e, (l) => io.stderr.write(`${l}\n`), {
      verbose,
      describe: describeVitError,
    });
  }
}
