#!/usr/bin/env node
/**
 * Ships a finished pretraining run as the default backbone of its benchmark: copies RUN_DIR/model.safetensors to
 * backbones/vit-tiny-<dataset>.safetensors and writes the card beside it (recipe, command, accuracy on the full
 * test split from the run's report, sha256, date, machine, commit of the code that made it). Usage, from the
 * repository root after `pnpm build`:
 *
 *   node packages/norga/dist/cli.js pretrain --recipe fashion-mnist-strong          # → runs/pretrain-fashion-mnist-strong
 *   node packages/norga/scripts/ship-backbone.mjs runs/pretrain-fashion-mnist-strong fashion-mnist-strong [--commit SHA]
 *
 * --commit defaults to HEAD; give the commit the pretraining ran on when the tree has moved since.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRETRAIN_RECIPES, shippedBackbone, writeFileAtomic } from '@norga/norga';

const [runDir, recipe, ...rest] = process.argv.slice(2);
if (!runDir || !recipe || !Object.hasOwn(PRETRAIN_RECIPES, recipe)) {
  console.error(
    `usage: node ship-backbone.mjs RUN_DIR RECIPE [--commit SHA]  (recipes: ${Object.keys(PRETRAIN_RECIPES).join(', ')})`,
  );
  process.exit(2);
}
const commitAt = rest.indexOf('--commit');
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const commit =
  commitAt >= 0
    ? rest[commitAt + 1]
    : execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD']).toString().trim();

const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
if (report.status !== 'finished')
  throw new Error(`${runDir}: the pretraining has not finished (${report.status})`);
if (report.testImages < 10000 && report.dataset === 'fashion-mnist')
  throw new Error(`${runDir}: evaluated on ${report.testImages} test images, not the full test split`);
const bytes = readFileSync(join(runDir, 'model.safetensors'));
const { path, card } = shippedBackbone(report.dataset);
writeFileAtomic(path, bytes);
const sha256 = createHash('sha256').update(bytes).digest('hex');
const info = {
  file: path.split('/').pop(),
  sha256,
  bytes: bytes.length,
  dataset: report.dataset,
  testAccuracy: report.testAccuracy,
  testImages: report.testImages,
  trainImages: report.trainImages,
  recipe,
  command: `norga pretrain --recipe ${recipe}`,
  flags: PRETRAIN_RECIPES[recipe].flags,
  trainingSeconds: Math.round(report.trainingSeconds),
  history: report.history.map((h) => ({
    epoch: h.epoch,
    testAccuracy: h.testAccuracy,
    seconds: Math.round(h.seconds),
  })),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, CPU backend, Node ${process.version}`,
  date: new Date().toISOString().slice(0, 10),
  commit,
};
writeFileAtomic(card, `${JSON.stringify(info, null, 2)}\n`);
console.log(
  `shipped ${path} (${(100 * info.testAccuracy).toFixed(2)} % on ${info.testImages} test images), card ${card}`,
);
