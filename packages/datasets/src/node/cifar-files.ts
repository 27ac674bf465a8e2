import { existsSync } from 'node:fs';
import { CIFAR10_CLASSES, type CifarVariant, parseCifar, parseNameList } from '../formats/cifar.js';
import type { Dataset } from '../types.js';
import { readBytes, requireDir } from './files.js';

/**
 * The directories that the CIFAR binary archives unpack to:
 *   cifar-10-batches-bin/  data_batch_1..5.bin, test_batch.bin, batches.meta.txt
 *   cifar-100-binary/      train.bin, test.bin, coarse_label_names.txt, fine_label_names.txt
 */
export const CIFAR_HINT = {
  cifar10:
    'Get the CIFAR-10 binary version (cifar-10-binary.tar.gz from the CIFAR page of the University of Toronto) ' +
    'and unpack it so that cifar-10-batches-bin/ sits in the data directory (--data-dir or NORGA_DATA).',
  cifar100:
    'Get the CIFAR-100 binary version (cifar-100-binary.tar.gz from the CIFAR page of the University of Toronto) ' +
    'and unpack it so that cifar-100-binary/ sits in the data directory (--data-dir or NORGA_DATA).',
} as const;

/** The folder each CIFAR variant's binary archive unpacks to, inside the data directory. */
export const CIFAR_DIR: Record<CifarVariant, string> = {
  cifar10: 'cifar-10-batches-bin',
  cifar100: 'cifar-100-binary',
};

/** Class names from a name-list file; without the file, `fallback`, or a not-found error when there is none. */
function namesFrom(path: string, fallback: readonly string[] | undefined, hint: string): readonly string[] {
  if (fallback && !existsSync(path)) return fallback;
  return parseNameList(new TextDecoder().decode(readBytes(path, hint)));
}

/**
 * Loads CIFAR-10 or CIFAR-100 from its unpacked binary archive: images uint8 [N, 3, 32, 32] (channels first),
 * labels the fine classes (CIFAR-100's coarse labels alongside). `dir` is the unpacked folder itself (e.g.
 * `<data>/cifar-10-batches-bin`, see CIFAR_DIR). Class names come from the archive's name lists, or CIFAR-10's
 * built-in list when batches.meta.txt is missing.
 *
 * @throws DataNotFoundError when `dir` or one of its files is missing (the message says how to get the archive).
 * @throws DataFormatError when a file's size is not a whole number of records.
 */
export function loadCifarDir(dir: string, variant: CifarVariant): Dataset {
  const hint = CIFAR_HINT[variant];
  requireDir(dir, hint);
  const read = (name: string) => ({ bytes: readBytes(`${dir}/${name}`, hint), file: `${dir}/${name}` });
  if (variant === 'cifar10') {
    const names = { fine: namesFrom(`${dir}/batches.meta.txt`, CIFAR10_CLASSES, hint) };
    const trainFiles = [1, 2, 3, 4, 5].map((i) => read(`data_batch_${i}.bin`));
    return {
      name: 'cifar10',
      train: parseCifar(trainFiles, 'cifar10', names),
      test: parseCifar([read('test_batch.bin')], 'cifar10', names),
      source: dir,
    };
  }
  // CIFAR-100's label ranges come from its name lists, so they must be there.
  const names = {
    fine: namesFrom(`${dir}/fine_label_names.txt`, undefined, hint),
    coarse: namesFrom(`${dir}/coarse_label_names.txt`, undefined, hint),
  };
  return {
    name: 'cifar100',
    train: parseCifar([read('train.bin')], 'cifar100', names),
    test: parseCifar([read('test.bin')], 'cifar100', names),
    source: dir,
  };
}
