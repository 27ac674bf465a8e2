/**
 * The defaults of `norga run` are the documented recipe (HiDe-Prompt's, scaled to Split MNIST: README, "The main
 * job"), `--class-order` reproduces a given order, and `norga pretrain --recipe` expands to the flags that made the
 * shipped backbones.
 */
import { describe, expect, it } from 'vitest';
import { parseFlags, UsageError } from '../src/args.js';
import { splitBenchmark } from '../src/data.js';
import { expandRecipe } from '../src/recipes.js';
import { parseClassOrder, RUN_FLAGS } from '../src/run-command.js';

describe('norga run defaults', () => {
  it('equal the documented recipe', () => {
    const { values } = parseFlags([], RUN_FLAGS);
    expect(values).toMatchObject({
      benchmark: 'split-mnist',
      methods: ['prefix-tuning', 'norga-tanh'],
      seeds: 3,
      'class-order': 'seeded',
      'train-per-class': 0, // every training image (~800 per class)
      'test-per-class': 0,
      epochs: 5,
      'batch-size': 128,
      lr: 0.05,
      'head-lr-scale': 0.1,
      'clip-grad': 1,
      'prompt-length': 5,
      'prompt-layers': [], // → blocks 0, 1 of the tiny ViT (5/12 of the depth)
      'prompt-momentum': 0.1,
      reg: 0.1,
      'tii-epochs': 20,
      'tii-lr': 0.001,
      'ca-epochs': 30,
      'ca-lr': 0.005,
      'ca-samples-per-class': 128,
      'tii-ca-lr': 0.01,
      'tii-ca-samples-per-class': 128,
      backbone: 'auto',
    });
  });
});

describe('--class-order', () => {
  it('accepts a permutation and rejects anything else', () => {
    expect(parseClassOrder('seeded', 10)).toBe('seeded');
    expect(parseClassOrder('3,1,4,0,2', 5)).toEqual([3, 1, 4, 0, 2]);
    for (const bad of ['3,1,4,0', '3,1,4,0,0', '0,1,2,3,5', '0,1,,2,3', 'a,b,c,d,e'])
      expect(() => parseClassOrder(bad, 5)).toThrow(UsageError);
  });

  it('reproduces the given order as the tasks, for any seed', () => {
    const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 10);
    const set = { labels, length: 40, classNames: Array.from({ length: 10 }, (_, c) => String(c)) };
    const order = [7, 2, 9, 0, 4, 1, 8, 3, 6, 5];
    for (const seed of [1, 2]) {
      const b = splitBenchmark('t', set as never, set as never, {
        tasks: 5,
        seed,
        trainPerClass: 0,
        testPerClass: 0,
        classOrder: order,
      });
      expect(b.tasks.map((t) => t.classes)).toEqual([
        [7, 2],
        [9, 0],
        [4, 1],
        [8, 3],
        [6, 5],
      ]);
    }
  });
});

describe('norga pretrain --recipe', () => {
  it('expands a recipe into the ViT command flags, the user flags winning', () => {
    const args = expandRecipe(['--recipe', 'fashion-mnist-strong', '--epochs', '3']);
    expect(args).toContain('--augment');
    expect(args[args.indexOf('--augment') + 1]).toBe('shift2,flip');
    expect(args.filter((a) => a === '--epochs')).toHaveLength(1);
    expect(args[args.indexOf('--epochs') + 1]).toBe('3');
    expect(args[args.indexOf('--out') + 1]).toBe('runs/pretrain-fashion-mnist-strong');
    expect(expandRecipe(['--recipe=quick'])).toContain('12000');
    expect(expandRecipe(['--epochs', '2'])).toEqual(['--epochs', '2']);
    expect(() => expandRecipe(['--recipe', 'nope'])).toThrow(/unknown recipe 'nope'/);
  });
});
