/**
 * The benchmark's data read from files (Node): the named data set through @norga/datasets' registry, cut into
 * tasks by benchmark-data.ts, which holds everything that needs no file system (and is what browsers get).
 */
import { loadDataset } from '@norga/datasets';
import { type BenchmarkData, type BenchmarkSplitOptions, splitBenchmark } from './benchmark-data.js';
import type { BenchmarkSpec } from './config.js';

export * from './benchmark-data.js';

export interface LoadBenchmarkOptions extends BenchmarkSplitOptions {
  spec: BenchmarkSpec;
  dataDir?: string;
}

/** Loads the data set and cuts it into tasks; the class order and the per-class samples depend on `seed`. */
export function loadBenchmark(o: LoadBenchmarkOptions): BenchmarkData {
  const ds = loadDataset(o.spec.dataset, { ...(o.dataDir ? { dataDir: o.dataDir } : {}), seed: 0 });
  return splitBenchmark(o.spec.name, ds.train, ds.test, o);
}
