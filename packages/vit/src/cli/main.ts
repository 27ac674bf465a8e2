#!/usr/bin/env node
import { existsSync, statSync } from 'node:fs';
import { type CliError, describeCommonError, EXIT, reportCliError, takeVerbose } from '@norga/datasets';
import { readSafetensorsFile, writeSafetensorsFile } from '../node.js';
import { toFloat32 } from '../safetensors/convert.js';
import { SafetensorsError } from '../safetensors/errors.js';
/** `norga-vit`: pretrain the tiny ViT; inspect or convert safetensors checkpoints. */
import { fromHuggingFace, isHuggingFaceNaming } from '../weights/huggingface.js';
import type { NamedArray } from '../weights/named.js';
import { Flags, parseArgs, UsageError } from './args.js';
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

const PRETRAIN_USAGE = `  pretrain   train the tiny ViT (28×28, patch 4, dim 64, depth 4) from scratch
      --dataset fashion-mnist|mnist   (default fashion-mnist)    --data-dir DIR  (else $NORGA_DATA)
      --out DIR          run directory (default runs/vit-tiny-<dataset>); locked while a pretraining runs in it
      --epochs N (10)    --batch-size N (64)    --lr X (1e-3)    --weight-decay X (0.05)
      --warmup-steps N (500)    --label-smoothing X (0)    --seed N (0)
      --augment LIST     none, or comma-separated: shift2 (±2-pixel shifts), flip (left-right) (default none)
      --final-lr-fraction X   where the cosine schedule ends, as a fraction of the peak lr (0.01)
      --checkpoint-every N   steps between checkpoints (200; also at every epoch end)
      --resume           continue the checkpoint in --out (after a kill, the run continues where it was)
      --limit-train N / --limit-test N   seeded subsets (0 = all)
      --stop-after-steps N   checkpoint and stop at global step N
      --backend cpu|webgpu   (default cpu)
`;
const EVAL_USAGE = `  eval FILE           top-1 accuracy of a checkpoint on the test split
      --dataset fashion-mnist|mnist   --data-dir DIR   --batch-size N (256)   --backend cpu|webgpu
      --limit-test N --seed S   the seeded test subset pretrain used with the same flags
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
function dataDirFlag(flags: Flags): { dataDir?: string } {
  const dir = flags.string('data-dir');
  if (dir === undefined) return {};
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
    const flags = new Flags(parseArgs(rest, new Set(['resume', 'help'])));
    if (flags.bool('help')) {
      io.stdout.write(usage);
      return EXIT.ok;
    }
    if (command === 'pretrain') {
      if (flags.parsed.positional.length > 0)
        throw new UsageError(
          `pretrain takes no positional arguments, got '${flags.parsed.positional.join(' ')}'`,
        );
      const dataset = flags.string('dataset', 'fashion-mnist');
      if (dataset !== 'fashion-mnist' && dataset !== 'mnist')
        throw new UsageError(`--dataset must be fashion-mnist or mnist, got '${dataset}'`);
      const positive = (n: number) => Number.isFinite(n) && n > 0;
      const options = {
        dataset,
        ...dataDirFlag(flags),
        out: flags.string('out', `runs/vit-tiny-${dataset}`),
        epochs: flags.int('epochs', 10, 1),
        batchSize: flags.int('batch-size', 64, 1),
        lr: flags.number('lr', 1e-3, positive, 'a positive number'),
        weightDecay: flags.number('weight-decay', 0.05, (n) => n >= 0, 'a number >= 0'),
        warmupSteps: flags.int('warmup-steps', 500, 0),
        labelSmoothing: flags.number('label-smoothing', 0, (n) => n >= 0 && n < 1, 'in [0, 1)'),
        augment: parseAugment(flags.string('augment', 'none')),
        finalLrFraction: flags.number('final-lr-fraction', 0.01, (n) => n >= 0 && n <= 1, 'in [0, 1]'),
        seed: flags.int('seed', 0, 0),
        checkpointEvery: flags.int('checkpoint-every', 200, 0),
        resume: flags.bool('resume'),
        backend: flags.string('backend', 'cpu'),
        limitTrain: flags.int('limit-train', 0, 0),
        limitTest: flags.int('limit-test', 0, 0),
        stopAfterSteps: flags.int('stop-after-steps', 0, 0),
      } as const;
      flags.assertAllUsed();
      interruptHint = `the last checkpoint is in ${options.out}: continue with the same command and --resume`;
      await pretrain(options, io);
      return EXIT.ok;
    }
    if (command === 'eval') {
      const dataset = flags.string('dataset', 'fashion-mnist');
      if (dataset !== 'fashion-mnist' && dataset !== 'mnist')
        throw new UsageError(`--dataset must be fashion-mnist or mnist, got '${dataset}'`);
      const options = {
        file: flags.parsed.positional[0] ?? '',
        dataset,
        ...dataDirFlag(flags),
        batchSize: flags.int('batch-size', 256, 1),
        backend: flags.string('backend', 'cpu'),
        limitTest: flags.int('limit-test', 0, 0),
        seed: flags.int('seed', 0, 0),
      } as const;
      flags.assertAllUsed();
      if (options.file === '' || flags.parsed.positional.length > 1)
        throw new UsageError('eval needs exactly one FILE');
      await naming(options.file, evaluate(options, io));
      return 0;
    }
    if (command === 'inspect') {
      flags.assertAllUsed();
      const [file, ...extra] = flags.parsed.positional;
      if (file === undefined || extra.length > 0) throw new UsageError('inspect needs exactly one FILE');
      await naming(file, inspect(file, io));
      return 0;
    }
    if (command === 'convert-hf') {
      flags.assertAllUsed();
      const [input, output, ...extra] = flags.parsed.positional;
      if (input === undefined || output === undefined || extra.length > 0)
        throw new UsageError('convert-hf needs IN and OUT');
      await naming(input, convertHf(input, output, io));
      return 0;
    }
    throw new UsageError(`unknown command '${command}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      const help = command && COMMAND_USAGE[command] ? `norga-vit ${command} --help` : 'norga-vit --help';
      io.stderr.write(`norga-vit: ${e.message} (${help} lists the flags)\n`);
      return EXIT.usage;
    }
    return reportCliError('norga-vit', e, (l) => io.stderr.write(`${l}\n`), {
      verbose,
      describe: describeVitError,
    });
  }
}
