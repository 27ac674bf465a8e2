/**
 * Named pretraining recipes for the tiny ViT backbone: `norga pretrain --recipe NAME [flags]` expands NAME into
 * the flags of @norga/vit's `pretrain` command (flags given on the command line win). The two "strong" recipes made
 * the shipped backbones (their cards in backbones/ say so); "quick" is the old five-minute look.
 */
import { UsageError } from './args.js';

/** A named set of `norga-vit pretrain` flags. */
export interface PretrainRecipe {
  /** One line for --help. */
  description: string;
  /** Flags of `norga-vit pretrain`, without the leading dashes. */
  flags: Record<string, string>;
}

/** The recipes by name (`--recipe NAME`). */
export const PRETRAIN_RECIPES = {
  'fashion-mnist-strong': {
    description:
      'all 60,000 Fashion-MNIST images, ±2-pixel shifts and flips, 20 epochs (the shipped backbone)',
    flags: {
      dataset: 'fashion-mnist',
      epochs: '20',
      'batch-size': '128',
      lr: '2e-3',
      'weight-decay': '0.05',
      'warmup-steps': '468', // one epoch
      'label-smoothing': '0.1',
      augment: 'shift2,flip',
      'final-lr-fraction': '0',
    },
  },
  'mnist-strong': {
    description:
      'all 8,000 training digits of the mnist package, ±2-pixel shifts, 30 epochs (the shipped backbone)',
    flags: {
      dataset: 'mnist',
      epochs: '30',
      'batch-size': '128',
      lr: '2e-3',
      'weight-decay': '0.05',
      'warmup-steps': '62', // one epoch
      'label-smoothing': '0.1',
      augment: 'shift2', // digits are not mirror-symmetric
      'final-lr-fraction': '0',
    },
  },
  quick: {
    description: 'a quick look: 12,000 Fashion-MNIST images, 2 epochs, no augmentation (~73 % test accuracy)',
    flags: {
      dataset: 'fashion-mnist',
      epochs: '2',
      'batch-size': '64',
      lr: '1e-3',
      'weight-decay': '0.05',
      'warmup-steps': '100',
      'limit-train': '12000',
      'limit-test': '2000',
    },
  },
} as const satisfies Record<string, PretrainRecipe>;
/** A recipe's name. */
export type RecipeName = keyof typeof PRETRAIN_RECIPES;

/**
 * The argument list for `norga-vit pretrain`: the recipe's flags (unless the user gave the same flag) then the
 * user's own, with a default --out of runs/pretrain-<recipe>. Without --recipe the arguments pass through.
 */
export function expandRecipe(argv: readonly string[]): string[] {
  const at = argv.findIndex((a) => a === '--recipe' || a.startsWith('--recipe='));
  if (at < 0) return [...argv];
  const inline = argv[at]?.startsWith('--recipe=');
  const name = inline ? argv[at]?.slice('--recipe='.length) : argv[at + 1];
  const rest = [...argv.slice(0, at), ...argv.slice(at + (inline ? 1 : 2))];
  if (name === undefined || !Object.hasOwn(PRETRAIN_RECIPES, name)) {
    throw new UsageError(
      `--recipe: unknown recipe '${name ?? ''}' (known: ${Object.keys(PRETRAIN_RECIPES).join(', ')})`,
    );
  }
  const given = new Set(rest.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  const recipe = PRETRAIN_RECIPES[name as RecipeName];
  const out: string[] = [];
  for (const [k, v] of Object.entries(recipe.flags)) if (!given.has(k)) out.push(`--${k}`, v);
  if (!given.has('out')) out.push('--out', `runs/pretrain-${name}`);
  return [...out, ...rest];
}
