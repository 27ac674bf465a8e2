#!/usr/bin/env node
/**
 * Makes test/fixtures/vit-tiny-fashion-mnist.safetensors, the small backbone of the end-to-end test: the tiny
 * ViT pretrained on Fashion-MNIST by @norga/vit's `pretrain` command, stored as float16 without its head
 * (~0.4 MB). Usage, from packages/norga after `pnpm build`:
 *
 *   node ../vit/dist/cli.js pretrain --dataset fashion-mnist --out /tmp/fmnist --epochs 2 --limit-train 12000
 *   node scripts/make-backbone-fixture.mjs /tmp/fmnist/model.safetensors
 */
import { join } from 'node:path';
import { toFloat32 } from '@norga/vit';
import { readSafetensorsFile, writeSafetensorsFile } from '@norga/vit/node';

const input = process.argv[2];
if (!input) {
  console.error('usage: node scripts/make-backbone-fixture.mjs MODEL.safetensors');
  process.exit(2);
}
const f = await readSafetensorsFile(input);
const out = {};
for (const t of f.tensors.values()) {
  if (t.name.startsWith('head.')) continue;
  out[t.name] = { shape: t.shape, data: toFloat32(t), dtype: 'F16' };
}
const config = JSON.parse(f.metadata.config ?? '{}');
const target = join(import.meta.dirname, '..', 'test', 'fixtures', 'vit-tiny-fashion-mnist.safetensors');
await writeSafetensorsFile(target, out, {
  config: JSON.stringify({ ...config, numClasses: 0 }),
  dataset: f.metadata.dataset ?? 'fashion-mnist',
  testAccuracy: f.metadata.testAccuracy ?? '',
  note: 'test fixture: float16 weights of the tiny ViT pretrained by norga-vit pretrain (head dropped)',
});
console.log(
  `wrote ${target} from ${input} (pretrained on ${f.metadata.dataset}, test accuracy ${f.metadata.testAccuracy})`,
);
