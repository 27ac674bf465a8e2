/**
 * DualPrompt and CODA-Prompt as learners, on a tiny random-weight ViT and a few Split MNIST images: what a task
 * freezes stays bit-identical while the next task trains (and what it trains does change), the state round-trips
 * through JSON, the trainable-parameter count is the hand count, and a sample's prediction does not depend on the
 * other samples in its batch (its own key match for DualPrompt, its own assembled prompt for CODA-Prompt).
 */
import type { Tensor } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { calibratedTimeout } from '../../../scripts/test-timeout.mjs';
import { CODA, CodaPromptLearner } from '../src/coda-prompt.js';
import { METHOD_SPECS } from '../src/config.js';
import type { ContinualLearner } from '../src/continual-learner.js';
import { DualPromptLearner, dualPromptBlocks } from '../src/dualprompt.js';
import { createLearner } from '../src/learners.js';
import { Rng } from '../src/rng.js';
import { randomTinyBackbone, TINY_LEARNER_CONFIG, tinySplitMnist } from './helpers/tiny.js';

const bytes = async (ts: readonly Tensor[]) =>
  Promise.all(
    ts.map(async (t) => Buffer.from(((await t.data()) as Float32Array).slice().buffer).toString('hex')),
  );

const backbone = randomTinyBackbone(7);
const data = tinySplitMnist(3, 8, 6);
const [task0, task1] = data.tasks as [(typeof data.tasks)[number], (typeof data.tasks)[number]];
const seen0 = [...task0.classes];
const seen1 = [...task0.classes, ...task1.classes];
const cfg = { ...TINY_LEARNER_CONFIG, lr: 0.05, batchSize: 8 };

async function trainTwo(learner: ContinualLearner, between: () => Promise<void>): Promise<void> {
  await learner.trainTask(0, data.train, task0.train, task0.classes, seen0);
  await between();
  await learner.trainTask(1, data.train, task1.train, task1.classes, seen1);
}

/** Predictions at batch 1, at batch 64 and in a shuffled order (mapped back) must be equal. */
async function expectBatchInvariant(learner: ContinualLearner): Promise<void> {
  const indices = Int32Array.from([...task0.test, ...task1.test]);
  const none = new Int32Array(indices.length);
  const big = await learner.predict(data.test, indices, none, seen1, 64);
  const one = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++)
    one.set(await learner.predict(data.test, indices.subarray(k, k + 1), none.subarray(0, 1), seen1, 1), k);
  const perm = new Rng(5).permutation(indices.length);
  const shuffled = await learner.predict(
    data.test,
    Int32Array.from(perm, (p) => indices[p] as number),
    none,
    seen1,
    5,
  );
  const back = new Int32Array(indices.length);
  perm.forEach((p, k) => {
    back[p] = shuffled[k] as number;
  });
  expect(Array.from(one)).toEqual(Array.from(big));
  expect(Array.from(back)).toEqual(Array.from(big));
  expect(big.every((c) => seen1.includes(c))).toBe(true);
}

describe('DualPrompt learner', () => {
  it(
    'freezes task 0 E-prompt and key while task 1 trains; G, task 1 and the head learn; state, count and batch invariance',
    async () => {
      const l = createLearner(METHOD_SPECS.dualprompt, cfg, backbone, 10, 1) as DualPromptLearner;
      expect(l).toBeInstanceOf(DualPromptLearner);
      const e0 = () =>
        [...(l.e[0]?.values() ?? [])].flatMap((p) => [p.key, p.value]).concat([l.keys[0] as Tensor]);
      const g = () => [...l.g.values()].flatMap((p) => [p.key, p.value]);
      let frozen: string[] = [];
      let gAfter0: string[] = [];
      let e1Start: string[] = [];
      await trainTwo(l, async () => {
        frozen = await bytes(e0());
        gAfter0 = await bytes(g());
      });
      expect(await bytes(e0())).toEqual(frozen);
      expect(await bytes(g())).not.toEqual(gAfter0);
      // task 1's E-prompt started as a copy of task 0's and was trained away from it
      e1Start = await bytes([...(l.e[1]?.values() ?? [])].flatMap((p) => [p.key, p.value]));
      expect(e1Start).not.toEqual(frozen.slice(0, e1Start.length));

      // blocks 0-1 prompted: G on block 0, E on block 1, each of length 5 (keys and values), an E-key per task
      expect([l.gLayers, l.eLayers]).toEqual([[0], [1]]);
      const D = backbone.dim;
      const hand = 2 * 5 * D + 2 * (2 * 5 * D + D) + (D * 10 + 10);
      expect(l.trainableParameters()).toBe(hand);

      // oracle: it has a per-task prompt; its own inference gives a task id per sample
      expect(l.trueTask()).toBe(l);
      const tasks = await l.inferTasks(data.test, task1.test);
      expect(tasks.every((t) => t === 0 || t === 1)).toBe(true);

      const restored = new DualPromptLearner(METHOD_SPECS.dualprompt, cfg, backbone, 10, 1);
      restored.load(JSON.parse(JSON.stringify(await l.state())));
      const idx = Int32Array.from(task1.test);
      const none = new Int32Array(idx.length);
      expect(Array.from(await restored.predict(data.test, idx, none, seen1))).toEqual(
        Array.from(await l.predict(data.test, idx, none, seen1)),
      );
      await expectBatchInvariant(l);
      restored.dispose();
      l.dispose();
    },
    calibratedTimeout(300_000),
  ); // a hang detector scaled to the machine's load, not a speed check
});

describe('CODA-Prompt learner', () => {
  it(
    "freezes task 0's components while task 1 trains its own slice; state, count, no oracle, batch invariance",
    async () => {
      const l = createLearner(METHOD_SPECS['coda-prompt'], cfg, backbone, 10, 1) as CodaPromptLearner;
      expect(l).toBeInstanceOf(CodaPromptLearner);
      const slice = (t: number) =>
        [...(l.slices[t]?.values() ?? [])].flatMap((s) => [s.key, s.attention, s.prompt]);
      let frozen: string[] = [];
      let head0: string[] = [];
      await trainTwo(l, async () => {
        frozen = await bytes(slice(0));
        head0 = await bytes(l.head.parameters());
      });
      expect(await bytes(slice(0))).toEqual(frozen);
      expect(await bytes(l.head.parameters())).not.toEqual(head0);
      // task 1's slice was trained away from its Gram–Schmidt start: its rows are no longer unit length
      expect(l.layers).toEqual([0, 1]);
      const first = l.slices[1]?.get(0);
      if (!first) throw new Error('task 1 has no slice');
      const p1 = (await first.prompt.data()) as Float32Array;
      const w = CODA.promptLength * backbone.dim;
      const norm0 = Math.hypot(...Array.from(p1.subarray(0, w)));
      expect(Math.abs(norm0 - 1)).toBeGreaterThan(1e-4);

      const D = backbone.dim;
      // 2 tasks × 2 blocks × 10 components × (key D + attention D + prompt 8·D), and the head
      const hand = 2 * 2 * 10 * (2 * D + 8 * D) + D * 10 + 10;
      expect(l.trainableParameters()).toBe(hand);
      expect(l.trueTask()).toBeUndefined();

      const restored = new CodaPromptLearner(METHOD_SPECS['coda-prompt'], cfg, backbone, 10, 1);
      restored.load(JSON.parse(JSON.stringify(await l.state())));
      const idx = Int32Array.from(task1.test);
      const none = new Int32Array(idx.length);
      expect(Array.from(await restored.predict(data.test, idx, none, seen1))).toEqual(
        Array.from(await l.predict(data.test, idx, none, seen1)),
      );
      await expectBatchInvariant(l);
      restored.dispose();
      l.dispose();
    },
    calibratedTimeout(300_000),
  ); // a hang detector scaled to the machine's load, not a speed check
});

describe("the family's blocks follow the run's prompted blocks", () => {
  it('DualPrompt splits them 2:3 into G and E (the official blocks 0-1 and 2-4 on 12), CODA-Prompt takes them all', () => {
    expect(dualPromptBlocks([0, 1, 2, 3, 4])).toEqual({ g: [0, 1], e: [2, 3, 4] });
    expect(dualPromptBlocks([1, 0])).toEqual({ g: [0], e: [1] });
    expect(dualPromptBlocks([0, 1, 2])).toEqual({ g: [0], e: [1, 2] });
    expect(dualPromptBlocks([3])).toEqual({ g: [3], e: [3] }); // one block: both prompts there
    expect(() => dualPromptBlocks([])).toThrow(/at least one prompted block/);
    const wide = { ...cfg, promptLayers: [2, 3] };
    const dual = new DualPromptLearner(METHOD_SPECS.dualprompt, wide, backbone, 10, 1);
    expect([dual.gLayers, dual.eLayers]).toEqual([[2], [3]]);
    const coda = new CodaPromptLearner(METHOD_SPECS['coda-prompt'], wide, backbone, 10, 1);
    expect(coda.layers).toEqual([2, 3]);
    dual.dispose();
    coda.dispose();
    const deep = { ...cfg, promptLayers: [0, 1, 2, 3, 4] }; // the tiny ViT has 4 blocks
    expect(() => new DualPromptLearner(METHOD_SPECS.dualprompt, deep, backbone, 10, 1)).toThrow(
      /dualprompt: block 4 does not exist in a backbone of depth 4/,
    );
    expect(() => new CodaPromptLearner(METHOD_SPECS['coda-prompt'], deep, backbone, 10, 1)).toThrow(
      /coda-prompt: block 4 does not exist in a backbone of depth 4/,
    );
  });
});
