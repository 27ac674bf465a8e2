/** Seeded subsets of a split, shared by pretrain and eval so that both see the same test images. */
import { allOf, createRng, type ImageSet, type Subset, shuffleInPlace } from '@norga/datasets';

/** `limit` images of `set` chosen by a seeded shuffle (kept in index order); all of it when limit is 0. */
export function seededSubset(set: ImageSet, limit: number, seed: number): Subset {
  const all = allOf(set);
  if (limit <= 0 || limit >= set.count) return all;
  const order = shuffleInPlace(Int32Array.from(all.indices), createRng(seed));
  return { set, indices: order.slice(0, limit).sort() };
}

/** The seed of pretrain's test subset for a run seed. */
export const testSubsetSeed = (seed: number): number => seed + 2;
