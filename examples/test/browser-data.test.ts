/**
 * The page's data (examples/browser/build-data.mjs, read back by examples/browser/page-data.js) is what
 * `norga run --benchmark split-mnist` computes on: the same train/test images and labels as the Node loader,
 * so the same tasks and the same preprocessed batches, and the copied backbone gives the same features as the
 * shipped file loaded from disk.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '@norga/datasets';
import {
  BENCHMARK_SPECS,
  backboneFromSafetensors,
  imageBatch,
  loadBackbone,
  shippedBackbone,
  splitBenchmark,
} from '@norga/norga';
import { tensor, tidy } from '@norga/tensor';
import { readSafetensors } from '@norga/vit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { writePageData } from '../browser/build-data.mjs';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { fetchPageData } from '../browser/page-data.js';

describe('page data for Split MNIST', () => {
  let out = '';
  let dir = '';
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'norga-page-data-'));
    dir = await writePageData(out);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  // The page's own reader, over the files instead of HTTP.
  const page = () =>
    fetchPageData(`file://${dir}/`, async (url: URL) => {
      const bytes = readFileSync(url);
      return {
        ok: true,
        status: 200,
        arrayBuffer: async () => bytes,
        json: async () => JSON.parse(`${bytes}`),
      };
    });

  it('round-trips to the Node loader: images, labels, tasks and preprocessed batches', async () => {
    const { meta, train, test } = await page();
    const ds = loadDataset('mnist', { seed: 0 });
    expect(meta.tasks).toBe(BENCHMARK_SPECS['split-mnist'].tasks);
    for (const [got, want] of [
      [train, ds.train],
      [test, ds.test],
    ] as const) {
      expect(got.count).toBe(want.count);
      expect([got.channels, got.height, got.width]).toEqual([want.channels, want.height, want.width]);
      expect(got.classNames).toEqual(want.classNames);
      expect(Buffer.compare(Buffer.from(got.images), Buffer.from(want.images))).toBe(0);
      expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
    }
    expect(train.count).toBe(8000);
    expect(test.count).toBe(2000);
    const o = { tasks: 5, seed: 3, trainPerClass: 20, testPerClass: 10 };
    const a = splitBenchmark('split-mnist', train, test, o);
    const b = splitBenchmark('split-mnist', ds.train, ds.test, o);
    expect(a.tasks.map((t) => t.classes)).toEqual(b.tasks.map((t) => t.classes));
    expect(a.tasks.map((t) => Array.from(t.train))).toEqual(b.tasks.map((t) => Array.from(t.train)));
    expect(a.tasks.map((t) => Array.from(t.test))).toEqual(b.tasks.map((t) => Array.from(t.test)));
    const p = { size: 28, channels: 1, mean: [0.286], std: [0.353] };
    expect(imageBatch(train, a.tasks[0]!.train, p)).toEqual(imageBatch(ds.train, b.tasks[0]!.train, p));
  });

  it('the copied backbone gives the features of the shipped one loaded from disk', async () => {
    const { train } = await page();
    const bytes = new Uint8Array(readFileSync(join(dir, 'backbone.safetensors')));
    const inPage = backboneFromSafetensors(readSafetensors(bytes), 'backbone.safetensors', 'tiny');
    const fromDisk = await loadBackbone(shippedBackbone('fashion-mnist').path, 'tiny');
    expect(inPage.pretrainedOn).toBe('fashion-mnist');
    expect(inPage.backbone.preprocess).toEqual(fromDisk.backbone.preprocess);
    const p = inPage.backbone.preprocess;
    const x = imageBatch(train, [0, 1, 4000, 7999], p);
    const [f1, f2] = tidy(() => {
      const images = tensor(x, { shape: [4, p.channels, p.size, p.size] });
      return [inPage.backbone.features(images), fromDisk.backbone.features(images)];
    });
    expect(Array.from(await f1.data())).toEqual(Array.from(await f2.data()));
    expect(f1.shape).toEqual([4, inPage.backbone.dim]);
    for (const t of [f1, f2]) t.dispose();
    inPage.backbone.dispose();
    fromDisk.backbone.dispose();
  });
});
