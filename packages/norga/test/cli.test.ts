/**
 * The `norga run` command in-process: the paper's protocol path (Split CIFAR-100 from the binary files with a
 * user-supplied timm-named ViT checkpoint) on small synthetic files in the real formats, and bad input: each
 * error names the file or flag, and nothing already finished is overwritten.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ViT } from '@norga/vit';
import { writeSafetensorsFile } from '@norga/vit/node';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.js';
import { BackboneError } from '../src/backbone-file.js';
import { Rng } from '../src/rng.js';
import { runCommand } from '../src/run-command.js';

const root = mkdtempSync(join(tmpdir(), 'norga-cli-'));
const sink = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WritableStream & {
  isTTY?: boolean;
};
const io = (lines: string[] = []) => ({ out: (s: string) => void lines.push(s), err: sink });

/** A 32×32 RGB ViT with random weights, saved as a timm-named safetensors file with its config in the metadata. */
async function tinyCheckpoint(path: string, config: Record<string, number>, dataset?: string): Promise<void> {
  const full = {
    imageSize: 32,
    patchSize: 8,
    inChannels: 3,
    dim: 16,
    depth: 2,
    heads: 2,
    mlpDim: 32,
    numClasses: 0,
    layerNormEps: 1e-6,
    ...config,
  };
  const model = ViT.create(full, { seed: 5 });
  const arrays = await model.toNamedArrays();
  await writeSafetensorsFile(path, Object.fromEntries(arrays), {
    config: JSON.stringify(full),
    ...(dataset ? { dataset } : {}),
  });
  model.dispose();
}

/** CIFAR-100 binary files (coarse byte, fine byte, 3072 pixel bytes per record) with `perClass` images a class. */
function cifar100(dir: string, trainPerClass: number, testPerClass: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'fine_label_names.txt'),
    Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n'),
  );
  writeFileSync(
    join(dir, 'coarse_label_names.txt'),
    Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'),
  );
  const rng = new Rng(11);
  const file = (perClass: number) => {
    const rec = 2 + 3072;
    const bytes = new Uint8Array(100 * perClass * rec);
    for (let c = 0, at = 0; c < 100; c++) {
      for (let k = 0; k < perClass; k++, at += rec) {
        bytes[at] = c % 20;
        bytes[at + 1] = c;
        // class-dependent brightness plus noise
        for (let p = 0; p < 3072; p++)
          bytes[at + 2 + p] = Math.min(255, Math.floor(2.5 * c + 40 * rng.uniform()));
      }
    }
    return bytes;
  };
  writeFileSync(join(dir, 'train.bin'), file(trainPerClass));
  writeFileSync(join(dir, 'test.bin'), file(testPerClass));
}

describe('norga run: Split CIFAR-100 from binary files with a timm-named checkpoint', () => {
  const data = join(root, 'data');
  const ckpt = join(root, 'vit-small-test.safetensors');
  /** `norga run` on the synthetic CIFAR-100 files with `methods`, 2 training and 1 test image a class. */
  async function runCifar(out: string, methods: string | undefined, lines: string[]): Promise<number> {
    if (!existsSync(ckpt)) {
      cifar100(join(data, 'cifar-100-binary'), 2, 1);
      await tinyCheckpoint(ckpt, {});
    }
    const argv = [
      '--benchmark', 'split-cifar100', '--backbone', ckpt, '--data-dir', data, '--train-per-class', '2',
      '--test-per-class', '1', '--epochs', '1', '--tii-epochs', '1', '--ca-epochs', '1',
      '--ca-samples-per-class', '4', '--tii-ca-samples-per-class', '4', '--seeds', '1', '--batch-size', '25',
      '--out', out, '--quiet', ...(methods === undefined ? [] : ['--methods', methods]),
    ]; // biome-ignore format: flag, value pairs
    return runCommand(argv, io(lines));
  }

  it('runs 10 tasks of 10 classes end to end and writes the results', async () => {
    const out = join(root, 'cifar-run');
    const lines: string[] = [];
    expect(await runCifar(out, undefined, lines)).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.config.tasks).toBe(10);
    expect(results.config.promptLayers).toEqual([0]); // round(2 · 5/12) = 1 block
    expect(results.runs.map((r: { method: string }) => r.method)).toEqual(['prefix-tuning', 'norga-tanh']);
    expect(results.runs[0].acc.length).toBe(10);
    expect(lines.join('\n')).toContain('| norga-tanh | 1 |');
    expect(existsSync(join(out, 'plots', 'accuracy-matrix.svg'))).toBe(true);
  }, 300_000);

  it('accepts every method of the prompt-based family', async () => {
    const out = join(root, 'cifar-family');
    const family = ['l2p', 'dualprompt', 'coda-prompt', 'vpt-nsp'];
    const lines: string[] = [];
    expect(await runCifar(out, family.join(','), lines)).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.runs.map((r: { method: string }) => r.method)).toEqual(family);
    for (const r of results.runs) {
      // a full 10 × 10 accuracy matrix of fractions: task t evaluated after every task j from t on
      expect(r.acc, r.method).toHaveLength(10);
      const seen = r.acc.flatMap((row: (number | null)[], t: number) => row.filter((_, j) => j >= t));
      const unseen = r.acc.flatMap((row: (number | null)[], t: number) => row.filter((_, j) => j < t));
      expect(
        seen.every((x: number | null) => x !== null && x >= 0 && x <= 1),
        r.method,
      ).toBe(true);
      expect(
        unseen.every((x: number | null) => x === null),
        r.method,
      ).toBe(true);
      expect(seen.length + unseen.length).toBe(100);
      expect(r.trainableParameters, r.method).toBeGreaterThan(0);
    }
    for (const m of family) expect(lines.join('\n')).toContain(`| ${m} | 1 |`);
  }, 300_000);
});

describe('norga run: bad input', () => {
  it('a missing backbone file is an error naming it', async () => {
    const missing = join(root, 'nope.safetensors');
    await expect(runCommand(['--backbone', missing, '--out', join(root, 'x1')], io())).rejects.toThrow(
      BackboneError,
    );
    await expect(runCommand(['--backbone', missing, '--out', join(root, 'x1')], io())).rejects.toThrow(
      missing,
    );
    expect(existsSync(join(root, 'x1'))).toBe(false);
  });

  it('a file that is not a safetensors checkpoint is an error naming the file', async () => {
    const junk = join(root, 'junk.safetensors');
    writeFileSync(junk, 'not a checkpoint at all');
    await expect(runCommand(['--backbone', junk, '--out', join(root, 'x2')], io())).rejects.toThrow(
      /junk\.safetensors: not a readable safetensors/,
    );
  });

  it('a backbone pretrained on the benchmark data itself is refused', async () => {
    const same = join(root, 'same.safetensors');
    await tinyCheckpoint(same, { imageSize: 28, patchSize: 4, inChannels: 1 }, 'mnist');
    await expect(runCommand(['--backbone', same, '--out', join(root, 'x3')], io())).rejects.toThrow(
      /pretrained on mnist, the data set of split-mnist/,
    );
  });

  it('a split the data set cannot make, or a prompted block the backbone lacks, names the flag', async () => {
    const gray = join(root, 'gray.safetensors');
    await tinyCheckpoint(gray, { imageSize: 28, patchSize: 4, inChannels: 1 }, 'fashion-mnist');
    await expect(
      runCommand(['--backbone', gray, '--tasks', '3', '--out', join(root, 'x4')], io()),
    ).rejects.toThrow(/10 classes cannot be split into 3 tasks/);
    await expect(
      runCommand(['--backbone', gray, '--tasks', '20', '--out', join(root, 'x5')], io()),
    ).rejects.toThrow(/cannot be split into 20 tasks/);
    await expect(
      runCommand(['--backbone', gray, '--prompt-layers', '0,7', '--out', join(root, 'x6')], io()),
    ).rejects.toThrow(UsageError);
    await expect(
      runCommand(['--backbone', gray, '--prompt-layers', '0,7', '--out', join(root, 'x6')], io()),
    ).rejects.toThrow(/block 7 does not exist/);
    await expect(
      runCommand(['--benchmark', 'split-cifar10', '--out', join(root, 'x7')], io()),
    ).rejects.toThrow(/--benchmark must be one of/);
    await expect(runCommand(['--methods', 'norga-relu'], io())).rejects.toThrow(/unknown value 'norga-relu'/);
  });

  it('more images per class than the data set has is an error, and a finished run is never overwritten', async () => {
    const gray = join(root, 'gray2.safetensors');
    await tinyCheckpoint(gray, { imageSize: 28, patchSize: 4, inChannels: 1 }, 'fashion-mnist');
    await expect(
      runCommand(['--backbone', gray, '--train-per-class', '5000', '--out', join(root, 'x8')], io()),
    ).rejects.toThrow(/fewer than the 5000 per class asked for/);
    const out = join(root, 'x9');
    mkdirSync(out);
    writeFileSync(join(out, 'config.json'), '{"benchmark":"split-mnist"}');
    await expect(runCommand(['--backbone', gray, '--out', out], io())).rejects.toThrow(/already holds a run/);
    await expect(runCommand(['--backbone', gray, '--out', out, '--resume'], io())).rejects.toThrow(
      /configuration differs/,
    );
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe('{"benchmark":"split-mnist"}');
  });
});
