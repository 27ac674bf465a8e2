/**
 * File-system helpers (Node only, kept out of the main entry so browsers can import `@norga/vit`):
 * safetensors files read with the header checked before the data is read, and atomic writes.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ViTConfig } from './config.js';
import { type LoadOptions, ViT } from './model/vit.js';
import {
  CHECKSUM_KEY,
  CHECKSUM_PLACEHOLDER,
  checkSafetensorsChecksum,
  sealSafetensors,
} from './safetensors/checksum.js';
import {
  type ReadOptions,
  readHeaderLength,
  readSafetensors,
  type SafetensorsFile,
} from './safetensors/read.js';
import { serializeSafetensors, type TensorToWrite } from './safetensors/write.js';
import { namedArraysOf } from './weights/from-file.js';

/**
 * Reads a safetensors file. The header length is checked against the file size and the cap before anything
 * else is read, so a corrupt length never leads to a large read or allocation. A file whose metadata holds the
 * checksum writeSafetensorsFile adds (`norga.sha256`) is checked against it: a SafetensorsError naming the file
 * if one byte differs.
 */
export async function readSafetensorsFile(path: string, options: ReadOptions = {}): Promise<SafetensorsFile> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const prefix = new Uint8Array(8);
    await fh.read(prefix, 0, Math.min(8, size), 0);
    readHeaderLength(prefix, size, options);
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await fh.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    checkSafetensorsChecksum(bytes.subarray(0, done), path);
    return readSafetensors(bytes.subarray(0, done), options);
  } finally {
    await fh.close();
  }
}

/**
 * Writes bytes so that readers see either the old file or the whole new one, after a kill or a power loss: temp
 * file, fsync, rename, fsync of the directory.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dirname(path));
}

/** fsync a directory so the renames in it survive a power loss (skipped where directories cannot be opened). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Windows and some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}

/**
 * Writes `tensors` (and `metadata`) as a safetensors file, atomically, with a checksum of the whole file in the
 * metadata (`norga.sha256`: the sha256 of the file with those 64 characters as zeros), which readSafetensorsFile
 * checks.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: Readonly<Record<string, TensorToWrite>> | ReadonlyMap<string, TensorToWrite>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const bytes = serializeSafetensors(tensors, { ...metadata, [CHECKSUM_KEY]: CHECKSUM_PLACEHOLDER });
  await writeFileAtomic(path, sealSafetensors(bytes));
}

/**
 * Loads a ViT from a safetensors file in timm or Hugging Face naming. The config comes from the argument, else
 * from the file's `config` metadata (written by this package); `overrides` change it (e.g. another imageSize,
 * which resamples the position embedding).
 */
export async function loadViT(
  path: string,
  options: { config?: ViTConfig; overrides?: Partial<ViTConfig> } & LoadOptions = {},
): Promise<ViT> {
  const file = await readSafetensorsFile(path);
  const fromMeta =
    file.metadata.config === undefined ? undefined : (JSON.parse(file.metadata.config) as ViTConfig);
  const base = options.config ?? fromMeta;
  if (base === undefined)
    throw new Error(
      `${path} has no config metadata: pass options.config (e.g. vitConfig('vit_base_patch16_224'))`,
    );
  return ViT.fromNamedArrays({ ...base, ...options.overrides }, namedArraysOf(file), options);
}
