/**
 * The library's kill-and-resume check for a set of methods: a run of two tasks of tiny Split MNIST on the test
 * fixture backbone, then for each method a run stopped after its first checkpoint and resumed, whose numbers must
 * equal the uninterrupted run's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadBackbone } from '../../src/backbone-file.js';
import type { MethodName, RunConfig } from '../../src/config.js';
import type { MethodRun } from '../../src/results.js';
import { RunDir } from '../../src/rundir.js';
import { runBenchmark } from '../../src/runner.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'vit-tiny-fashion-mnist.safetensors');

class Interrupted extends Error {}

/** Runs the check for `methods`, comparing what `pick` takes of each method's run. */
export async function expectKilledRunsResume(
  methods: MethodName[],
  pick: (run: MethodRun) => unknown,
): Promise<void> {
  const { backbone, info } = await loadBackbone(FIXTURE, 'tiny');
  const cfg: RunConfig = {
    benchmark: 'split-mnist', tasks: 2, methods, seeds: [1],
    classOrder: 'seeded', trainPerClass: 12, testPerClass: 10, epochs: 1, batchSize: 16, lr: 0.05,
    headLrScale: 0.1, clipGrad: 1, promptLength: 5, promptLayers: [0, 1], promptMomentum: 0.1, reg: 0.1,
    gateLearning: 'first-task', tiiEpochs: 1, tiiLr: 0.001, caEpochs: 1, caLr: 0.005, caSamplesPerClass: 8,
    tiiCaLr: 0.01, tiiCaSamplesPerClass: 8, backbone: info, backend: 'cpu',
  }; // biome-ignore format: one line per group of settings
  const root = mkdtempSync(join(tmpdir(), 'norga-kill-resume-'));
  const run = (dir: string, resume: boolean, log?: (m: string) => void) =>
    runBenchmark({
      cfg,
      backbone,
      runDir: RunDir.open(dir, { ...cfg }, resume),
      command: 'test',
      progressSink: null,
      ...(log ? { log } : {}),
    });
  const full = await run(join(root, 'full'), false);
  for (const method of methods) {
    const dir = join(root, `killed-${method}`);
    await expect(
      run(dir, false, (m) => {
        if (m.startsWith(`[${method} seed 1] after task 1/2`)) throw new Interrupted('killed');
      }),
    ).rejects.toBeInstanceOf(Interrupted);
    const logs: string[] = [];
    const resumed = await run(dir, true, (m) => logs.push(m));
    expect(logs.some((m) => m.includes(`[${method} seed 1] resuming after task 1 of 2`))).toBe(true);
    const of = (runs: MethodRun[]) => pick(runs.find((x) => x.method === method) as MethodRun);
    expect(of(resumed.summary.runs)).toEqual(of(full.summary.runs));
  }
  backbone.dispose();
}
