/**
 * Training checkpoints that survive a kill at any moment: the model and the optimiser state go to new,
 * step-tagged safetensors files (each written atomically), then `checkpoint.json` — the only thing a resume
 * reads first — is atomically replaced to point at them, and only then are older files removed.
 *
 * The pointer records the sha256 of both files and a checksum of itself; a resume checks all three before
 * loading anything, so a flipped bit is an error naming the file instead of a silently different run.
 */
import { createHash } from 'node:crypto';

import { readdir, readFile, rm } from 'node:fs/promises';
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

/**
 * A pointer whose checksum holds can still contradict the run it is resumed into (written by hand, or by another
 * version): its config must be the model's and its progress a position inside the run's schedule. Throws a
 * CheckpointError naming the file and the field.
 */
export function checkPointerFits(
  dir: string,
  p: CheckpointPointer,
  run: { config: ViTConfig; epochs: number; stepsPerEpoch: number },
): void {
  const path = join(dir, POINTER);
  const bad = (field: string, why: string) => new CheckpointError(`${path}: ${field} ${why}`);
  for (const [k, v] of Object.entries(run.config))
    if (JSON.stringify(p.config?.[k as keyof ViTConfig]) !== JSON.stringify(v))
      throw bad(
        `config.${k}`,
        `is ${JSON.stringify(p.config?.[k as keyof ViTConfig])}, the model has ${JSON.stringify(v)}`,
      );
  const g = p.progress;
  const int = (field: keyof TrainingProgress, v: unknown, max: number) => {
    if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > max)
      throw bad(`progress.${field}`, `is ${JSON.stringify(v)}, not an integer in 0..${max}`);
  };
  int('epoch', g.epoch, run.epochs);
  int('stepInEpoch', g.stepInEpoch, run.stepsPerEpoch);
  const step = g.epoch * run.stepsPerEpoch + g.stepInEpoch;
  if (g.globalStep !== step)
    throw bad(
      'progress.globalStep',
      `is ${JSON.stringify(g.globalStep)}, but epoch ${g.epoch} step ${g.stepInEpoch} is global step ${step}`,
    );
  if (!Array.isArray(g.history) || g.history.length !== g.epoch)
    throw bad('progress.history', `must list the ${g.epoch} finished epochs`);
  if (typeof g.elapsedSeconds !== 'number' || !(g.elapsedSeconds >= 0))
    throw bad('progress.elapsedSeconds', `is ${JSON.stringify(g.elapsedSeconds)}, not a number >= 0`);
}

/**
 * Loads weights and optimiser (and scheduler) state from the files a pointer names, in place. A file that does
 * not fit the model or the optimiser is a CheckpointError naming it.
 */
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
  } catch (e) {
    throw new CheckpointError(`${join(dir, p.model)}: does not fit the model (${(e as Error).message})`);
  } finally {
    for (const t of weights.values()) t.dispose();
  }
  const optimPath = join(dir, p.optimizer);
  const of = await readSafetensorsFile(optimPath);
  const state: Record<number, Record<string, Tensor | number>> = {};
  try {
    const meta = of.metadata;
    const scalars = JSON.parse(meta.scalars ?? '{}') as Record<string, Record<string, number>>;
    for (const [i, s] of Object.entries(scalars)) state[Number(i)] = { ...s };
    for (const [name, t] of of.tensors) {
      const m = /^state\.(\d+)\.(.+)$/.exec(name);
      if (m === null) throw new Error(`unexpected tensor '${name}'`);
      (state[Number(m[1])] ??= {})[m[2]!] = tensor(toFloat32(t), { shape: t.shape });
    }
    optimizer.loadStateDict({ state, paramGroups: JSON.parse(meta.paramGroups ?? '[]') });
    const sched = JSON.parse(meta.scheduler ?? 'null');
    if (scheduler !== undefined && sched !== null) scheduler.loadStateDict(sched);
  } catch (e) {
    throw new CheckpointError(`${optimPath}: does not fit the optimiser (${(e as Error).message})`);
  } finally {
    for (const s of Object.values(state))
      for (const v of Object.values(s)) if (typeof v !== 'number') v.dispose();
  }
}
