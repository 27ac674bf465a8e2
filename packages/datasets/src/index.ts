// The full package for Node: everything in browser.ts plus the file-system readers, the registry of named
// data sets and the `norga-data` command.
export * from './browser.js';
export { CIFAR_DIR, loadCifarDir } from './node/cifar-files.js';
export {
  type CliError,
  type CommandIo,
  DATA_FLAGS,
  DATA_USAGE,
  type DirLock,
  describeCommonError,
  EXIT,
  LockError,
  lockDir,
  reportCliError,
  runDataCommand,
  signalExitStatus,
  takeVerbose,
} from './node/data-command.js';
export { decodeImage, type RgbImage } from './node/decode-image.js';
export { readBytes, readMaybeGzip } from './node/files.js';
export * from './node/flags.js';
export { type IdxDatasetOptions, loadIdxDataset, loadIdxSplit, readIdxFile } from './node/idx-files.js';
export {
  type FolderEntry,
  type FolderScan,
  type ImageFolderOptions,
  loadImageFolder,
  scanImageFolder,
} from './node/image-folder.js';
export { loadMnistPackage, loadMnistPool, type MnistOptions, mnistPackageDir } from './node/mnist-files.js';
export {
  DATA_ENV,
  DATASET_NAMES,
  type DatasetReport,
  DEBIAN_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  type LoadOptions,
  listDatasets,
  loadDataset,
  locateDataset,
  resolveDataDir,
} from './node/registry.js';
export { formatReport } from './report.js';
