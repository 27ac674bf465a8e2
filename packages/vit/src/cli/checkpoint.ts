/**
 * Training checkpoints that survive a kill at any moment: the model and the optimiser state go to new,
 * step-tagged safetensors files (each written atomically), then `checkpoint.json` — the only thing a resume
 * reads first — is atomically replaced to point at them, and only then are older files removed.
 *
 * The pointer records the sha256 of both files and a checksum of itself; a resume checks all three before
 * loading anything, so a flipped bit is an error naming the file instead of a silently different run.
 */
import { createHash } from 'node:crypto';

import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdamW, LRScheduler } from '@norga/autograd';
import { type Tensor, tensor } from '@norga/tensor';
import type { ViTConfig } from '../config.js';
import type { ViT } from '../model/vit.js';
import { readSafetensorsFile, writeFileAtomic, writeSafetensorsFile } from '../node.js';
import { toFloat32 } from '../safetensors/convert.js';
import type { TensorToWrite } from '../safetensors/write.js';

export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export interface TrainingProgress {
  /** The epoch being run (0-based) and how many of its steps are done. */
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly globalStep: number;
  /** Training seconds so far, summed over runs (resumes included). */
  readonly elapsedSeconds: number;
  readonly history: readonly EpochRecord[];
  /** The running sums of the epoch in progress (absent at an epoch's start and in older checkpoints). */
  readonly epochSums?: {
    readonly seen: number;
    readonly lossSum: number;
    readonly correct: number;
    readonly seconds: number;
  };
}

/** A checkpoint file that is damaged, changed or not what this version writes. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

export interface CheckpointPointer {
  readonly version: 1;
  readonly model: string;
  readonly optimizer: string;
  readonly config: ViTConfig;
  /** The run's options; a resume with different ones is refused. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly progress: TrainingProgress;
  /** sha256 of the model and optimizer files (absent in older checkpoints). */
  readonly sha256?: { readonly model: string; readonly optimizer: string };
  /** sha256 of this JSON without the key (absent in older checkpoints). */
  readonly checksum?: string;
}

const POINTER = 'checkpoint.json';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

async function checkFile(dir: string, name: string, want: string | undefined): Promise<void> {
  if (want === undefined) return;
  const got = sha256(await readFile(join(dir, name)));
  if (got !== want)
    throw new CheckpointError(
      `${join(dir, name)}: checksum mismatch (the file was damaged or changed after it was written); ` +
        'delete the checkpoint files to start over',
    );
}

async function host(t: Tensor): Promise<TensorToWrite> {
  return { shape: [...t.shape], data: (await t.data()) as Float32Array };
}

export async function saveCheckpoint(
  dir: string,
  model: ViT,
  optimizer: AdamW,
  scheduler: LRScheduler | undefined,
  pointer: Omit<CheckpointPointer, 'version' | 'model' | 'optimizer'>,
): Promise<void> {
  const tag = `step${pointer.progress.globalStep}`;
  const modelFile = `model-${tag}.safetensors`;
  const optimFile = `optimizer-${tag}.safetensors`;
  const weights: Record<string, TensorToWrite> = {};
  for (const [name, t] of model.params) weights[name] = await host(t);
  await writeSafetensorsFile(join(dir, modelFile), weights, { config: JSON.stringify(model.config) });

  const sd = optimizer.stateDict();
  const tensors: Record<string, TensorToWrite> = {};
  const scalars: Record<string, Record<string, number>> = {};
  try {
    for (const [i, state] of Object.entries(sd.state)) {
      for (const [k, v] of Object.entries(state)) {
        if (typeof v === 'number') (scalars[i] ??= {})[k] = v;
        else tensors[`state.${i}.${k}`] = await host(v);
      }
    }
  } finally {
    for (const state of Object.values(sd.state))
      for (const v of Object.values(state)) if (typeof v !== 'number') v.dispose();
  }
  await writeSafetensorsFile(join(dir, optimFile), tensors, {
    paramGroups: JSON.stringify(sd.paramGroups),
    scalars: JSON.stringify(scalars),
    scheduler: JSON.stringify(scheduler?.stateDict() ?? null),
  });
  const hashes = {
    model: sha256(await readFile(join(dir, modelFile))),
    optimizer: sha256(await readFile(join(dir, optimFile))),
  };
  const body: CheckpointPointer = {
    version: 1,
    model: modelFile,
    optimizer: optimFile,
    ...pointer,
    sha256: hashes,
  };
  const full = { ...body, checksum: sha256(JSON.stringify(body)) };
  await writeFileAtomic(join(dir, POINTER), `${JSON.stringify(full, null, 2)}\n`);
  await syncDir(dir);
  // Older checkpoints go only once the pointer no longer names them.
  for (const f of await readdir(dir)) {
    if (/^(model|optimizer)-step\d+\.safetensors$/.test(f) && f !== modelFile && f !== optimFile)
      await rm(join(dir, f), { force: true });
  }
}

export async function readPointer(dir: string): Promise<CheckpointPointer | null> {
  let text: string;
  try {
    text = await readFile(join(dir, POINTER), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const path = join(dir, POINTER);
  let p: CheckpointPointer;
  try {
    p = JSON.parse(text) as CheckpointPointer;
  } catch (e) {
    throw new CheckpointError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (p === null || typeof p !== 'object') throw new CheckpointError(`${path}: not a checkpoint pointer`);
  if (p.checksum !== undefined) {
    const { checksum, ...body } = p;
    if (sha256(JSON.stringify(body)) !== checksum)
      throw new CheckpointError(
        `${path}: checksum mismatch (the file was damaged or changed after it was written)`,
      );
  }
  if (
    p.version !== 1 ||
    typeof p.model !== 'string' ||
    typeof p.optimizer !== 'string' ||
    p.progress === undefined
  ) {
    throw new CheckpointError(`${path} is not a checkpoint pointer this version understands`);
  }
  return p;
}

/** Loads weights and optimiser (and scheduler) state from the files a pointer names, in place. */
export async function restoreCheckpoint(
  dir: string,
  p: CheckpointPointer,
  model: ViT,
  optimizer: AdamW,
  scheduler: LRScheduler | undefined,
): Promise<void> {
  await checkFile(dir, p.model, p.sha256?.model);
  await checkFile(dir, p.optimizer, p.sha256?.optimizer);
  const wf = await readSafetensorsFile(join(dir, p.model));
  const weights = new Map<string, Tensor>();
  for (const [name, t] of wf.tensors) weights.set(name, tensor(toFloat32(t), { shape: t.shape }));
  try {
    model.loadStateDict(weights);
  } finally {
    for (const t of weights.values()) t.dispose();
  }
  const of = await readSafetensorsFile(join(dir, p.optimizer));
  const meta = of.metadata;
  const scalars = JSON.parse(meta.scalars ?? '{}') as Record<string, Record<string, number>>;
  const state: Record<number, Record<string, Tensor | number>> = {};
  for (const [i, s] of Object.entries(scalars)) state[Number(i)] = { ...s };
  for (const [name, t] of of.tensors) {
    const m = /^state\.(\d+)\.(.+)$/.exec(name);
    if (m === null) throw new CheckpointError(`${p.optimizer}: unexpected tensor '${name}'`);
    (state[Number(m[1])] ??= {})[m[2]!] = tensor(toFloat32(t), { shape: t.shape });
  }
  try {
    optimizer.loadStateDict({ state, paramGroups: JSON.parse(meta.paramGroups ?? '[]') });
  } finally {
    for (const s of Object.values(state))
      for (const v of Object.values(s)) if (typeof v !== 'number') v.dispose();
  }
  const sched = JSON.parse(meta.scheduler ?? 'null');
  if (scheduler !== undefined && sched !== null) scheduler.loadStateDict(sched);
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
