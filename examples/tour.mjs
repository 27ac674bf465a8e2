#!/usr/bin/env node
/**
 * The tour: what `pnpm start` runs after building every package. It is the main job — class-incremental
 * Split MNIST (5 tasks × 2 digits) on a tiny ViT pretrained on Fashion-MNIST, comparing prefix tuning with NoRGa —
 * with any `norga run` flags passed through, e.g.
 *
 *   pnpm start                   # the default run (~10 minutes on 2 CPU cores; pretrains the backbone once if absent)
 *   pnpm start -- --seeds 3      # mean ± std over three seeds
 *   pnpm start -- --help         # every flag
 */
import { runCommand } from '@norga/norga';

const argv = process.argv.slice(2).filter((a) => a !== '--');
if (!argv.includes('--help')) {
  process.stderr.write(
    [
      'norga tour: continual learning with prefix experts on a from-scratch TypeScript tensor engine.',
      '  1. a ViT (packages/vit) pretrained on Fashion-MNIST is frozen;',
      '  2. MNIST digits arrive as 5 tasks of 2 classes, one after another;',
      '  3. each task gets its own prefix experts; HiDe-Prompt infers the task of a test image and uses its prefix;',
      '  4. prefix tuning scores the prefix experts linearly, NoRGa with s + α·tanh(τ·s);',
      '  5. the table compares them: FAA (final accuracy), CAA (accuracy along the way), FFM (forgetting).',
      '',
    ].join('\n'),
  );
}
process.exitCode = await runCommand(argv, {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  err: process.stderr,
});
