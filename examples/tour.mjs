#!/usr/bin/env node
/**
 * The main job, as `npm run main` runs it after setup: class-incremental Split MNIST (5 tasks × 2 digits) on the
 * tiny ViT shipped in packages/norga/backbones/ (pretrained on Fashion-MNIST), prefix tuning against NoRGa over
 * 3 seeds, with the paired comparison at the end. Any `norga run` flags pass through, e.g.
 *
 *   npm run main                        # the default run (its time on this machine: README, "The main job")
 *   npm run main -- --seeds 5           # five seeds
 *   npm run main -- --help              # every flag
 *
 * The code it runs, in reading order, from the tensor up: docs/TOUR.md.
 */
import { runCommandMain } from '@norga/norga';

const argv = process.argv.slice(2).filter((a) => a !== '--');
if (!argv.includes('--help')) {
  process.stderr.write(
    [
      'norga tour: continual learning with prefix experts on a from-scratch TypeScript tensor engine.',
      '  1. a ViT (packages/vit) pretrained on Fashion-MNIST, shipped in packages/norga/backbones/, is frozen;',
      '  2. MNIST digits arrive as 5 tasks of 2 classes, one after another;',
      '  3. each task gets its own prefix experts; HiDe-Prompt infers the task of a test image and uses its prefix;',
      '  4. prefix tuning scores the prefix experts linearly, NoRGa with s + α·tanh(τ·s);',
      '  5. the table compares them: FAA (final accuracy), CAA (accuracy along the way), FFM (forgetting), and',
      "     oracle-TII / task-IL FAA (each image with its true task's prefix: the gate without task inference);",
      '  6. the paired table: per seed, NoRGa − prefix tuning, with its mean ± sd and paired t, over 3 seeds.',
      '',
    ].join('\n'),
  );
}
process.exitCode = await runCommandMain(argv, {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  err: process.stderr,
});
