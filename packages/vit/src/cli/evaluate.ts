/** `norga-vit eval`: top-1 accuracy of a checkpoint on a data set's test split. */
import { DataLoader, loadDataset, T } from '@norga/datasets';
import { setBackend } from '@norga/tensor';
import { PRETRAIN_NORMALIZATION } from '../config.js';
import { loadViT, readSafetensorsFile } from '../node.js';
import { countCorrect } from '../train/step.js';
import type { Io } from './pretrain.js';
import { seededSubset, testSubsetSeed } from './subset.js';

export interface EvalOptions {
  readonly file: string;
  readonly dataset: 'fashion-mnist' | 'mnist';
  readonly dataDir?: string;
  readonly batchSize: number;
  readonly backend: string;
  /** A seeded subset of the test split, as `pretrain --limit-test N --seed S` evaluates (0: all). */
  readonly limitTest: number;
  readonly seed: number;
}

export async function evaluate(o: EvalOptions, io: Io): Promise<number> {
  await setBackend(o.backend);
  const meta = (await readSafetensorsFile(o.file)).metadata;
  // The checkpoint's own normalisation when it records one, else the pretraining constants of the data set.
  const { mean, std } = meta.normalization
    ? JSON.parse(meta.normalization)
    : PRETRAIN_NORMALIZATION[o.dataset];
  const model = await loadViT(o.file);
  const data = loadDataset(o.dataset, o.dataDir === undefined ? {} : { dataDir: o.dataDir });
  const subset = seededSubset(data.test, o.limitTest, testSubsetSeed(o.seed));
  const test = new DataLoader(subset, {
    batchSize: o.batchSize,
    shuffle: false,
    transform: T.normalize([mean], [std]),
  });
  let correct = 0;
  for (const batch of test.batches(0)) {
    correct += await countCorrect(model, batch.images, batch.labels);
    batch.images.dispose();
    batch.labels.dispose();
  }
  model.dispose();
  const accuracy = correct / test.size;
  io.stdout.write(
    `${o.file} on ${o.dataset} test (${test.size} images): accuracy ${(100 * accuracy).toFixed(2)}%\n`,
  );
  return accuracy;
}
