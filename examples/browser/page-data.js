// The page's data format, read in the browser (and by the round-trip test in Node): one data set as four
// headerless byte files, uint8 images (N × C × H × W, NCHW as @norga/datasets stores them) and uint8 labels per
// split, described by meta.json. build-data.mjs writes them; nothing here touches the file system.

/** File names inside a data folder, by split. */
export const PAGE_FILES = {
  train: { images: 'train-images.u8', labels: 'train-labels.u8' },
  test: { images: 'test-images.u8', labels: 'test-labels.u8' },
};

/**
 * A @norga/datasets ImageSet from the bytes of one split.
 * @param {{ channels: number, height: number, width: number, classNames: string[] }} meta
 * @param {'train' | 'test'} split
 * @param {Uint8Array} images
 * @param {Uint8Array} labels
 */
export function imageSetFromBytes(meta, split, images, labels) {
  const count = meta[split].count;
  const per = meta.channels * meta.height * meta.width;
  if (images.length !== count * per || labels.length !== count)
    throw new Error(
      `${split}: expected ${count} images of ${per} bytes and ${count} labels, got ${images.length} and ${labels.length} bytes`,
    );
  return {
    images,
    labels: Int32Array.from(labels),
    count,
    channels: meta.channels,
    height: meta.height,
    width: meta.width,
    classNames: [...meta.classNames],
  };
}

/**
 * The train and test ImageSets of a data folder served at `base` (a URL ending in '/'), fetched in parallel.
 * @param {string} base
 * @param {typeof fetch} [get]
 */
export async function fetchPageData(base, get = fetch) {
  const bytes = async (name) => {
    const r = await get(new URL(name, base));
    if (!r.ok)
      throw new Error(`${new URL(name, base)}: HTTP ${r.status} (run the example's build step first)`);
    return new Uint8Array(await r.arrayBuffer());
  };
  const meta = await (await get(new URL('meta.json', base))).json();
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [PAGE_FILES.train.images, PAGE_FILES.train.labels, PAGE_FILES.test.images, PAGE_FILES.test.labels].map(
      bytes,
    ),
  );
  return {
    meta,
    train: imageSetFromBytes(meta, 'train', trainImages, trainLabels),
    test: imageSetFromBytes(meta, 'test', testImages, testLabels),
  };
}
