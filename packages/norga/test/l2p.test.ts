/**
 * L2P: the selection rule and the pull loss on hand-built keys and queries, the pool's prompts in the order picked,
 * and a two-task run of the learner on a random tiny ViT: the backbone and the head rows of the first task's
 * classes bit-identical after the second task, predictions independent of the batch they are made in, and the
 * state round trip.
 */
import { assign_ } from '@norga/autograd';
import { setBackend, type Tensor, tensor } from '@norga/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { METHOD_SPECS } from '../src/config.js';
import { L2PLearner, l2pPool } from '../src/l2p.js';
import { PromptPool, selectByCosine } from '../src/prompt-pool.js';
import { Rng } from '../src/rng.js';
import { randomTinyBackbone, TINY_LEARNER_CONFIG, tinySplitMnist } from './helpers/tiny.js';

const rows = async (t: Tensor) => Array.from((await t.data()) as ArrayLike<number>);

beforeAll(async () => {
  await setBackend('cpu');
});

describe('L2P selection and pull loss on hand-built keys', () => {
  // Four keys in the plane, at 0°, 90°, 180° and 45° (lengths differ: cosine ignores them).
  const keys = () =>
    tensor([
      [2, 0],
      [0, 1],
      [-3, 0],
      [1, 1],
    ]);

  it('picks the N keys nearest by cosine, nearest first, whatever their lengths', async () => {
    // Queries at 10°, 80° and 200°: cosines to (0°, 90°, 180°, 45°) are
    //   10°:  .985  .174 -.985  .819  → 0, 3
    //   80°:  .174  .985 -.174  .819  → 1, 3
    //   200°: -.940 -.342  .940 -.906 → 2, 1
    const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];
    const q = tensor([deg(10), deg(80), deg(200).map((v) => 5 * v)]);
    expect(await rows(selectByCosine(q, keys(), 2))).toEqual([0, 3, 1, 3, 2, 1]);
    expect(await rows(selectByCosine(q, keys(), 1))).toEqual([0, 1, 2]);
  });

  it('breaks a tie towards the lower index', async () => {
    // (1, 1) is at 45°: equally near keys 0 (0°) and 1 (90°) after key 3; with key 3 removed from the pool the tie is
    // between 0 and 1.
    const q = tensor([[1, 1]]);
    const pool = tensor([
      [1, 0],
      [0, 1],
      [-1, 0],
    ]);
    expect(await rows(selectByCosine(q, pool, 2))).toEqual([0, 1]);
  });

  it('refuses N outside 1..M and queries of another width', () => {
    expect(() => selectByCosine(tensor([[1, 0]]), keys(), 5)).toThrow('n must be an integer in 1..4');
    expect(() => selectByCosine(tensor([[1, 0, 0]]), keys(), 1)).toThrow('must share D');
  });

  it('gathers the picked prompts in order and pulls the picked keys: λ·mean Σ (1 − cos)', async () => {
    const pool = new PromptPool(3, 2, 2, new Rng(1), 1);
    // prompts[m] = [[m, m], [m + 0.5, m + 0.5]]; keys 0°, 90°, 45°
    assign_(pool.prompts, tensor([0, 0, 0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2, 2.5, 2.5], { shape: [3, 2, 2] }));
    assign_(
      pool.keys,
      tensor([
        [1, 0],
        [0, 3],
        [1, 1],
      ]),
    );
    const picks = tensor(Int32Array.from([2, 0, 1, 2]), { shape: [2, 2], dtype: 'int32' });
    expect(await rows(pool.gather(picks))).toEqual([
      2, 2, 2.5, 2.5, 0, 0, 0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2, 2.5, 2.5,
    ]);
    // Query 1 along x: cos to key 2 = 1/√2, to key 0 = 1; query 2 along y: cos to key 1 = 1, to key 2 = 1/√2.
    const q = tensor([
      [4, 0],
      [0, 0.5],
    ]);
    const loss = await pool.pullLoss(q, picks, 0.5).item();
    const each = 1 - Math.SQRT1_2 + (1 - 1);
    expect(loss).toBeCloseTo(0.5 * ((each + each) / 2), 6);
    pool.dispose();
  });
});

describe("L2P's pool scales with the run's tasks", () => {
  it("one prompt per task, half of them picked: the paper's 10 and 5 on 10 tasks, 5 and 2 on 5", () => {
    expect(l2pPool(10)).toEqual({ poolSize: 10, topN: 5 });
    expect(l2pPool(5)).toEqual({ poolSize: 5, topN: 2 });
    expect(l2pPool(1)).toEqual({ poolSize: 1, topN: 1 });
    expect(() => l2pPool(0)).toThrow(/l2p: needs a task count ≥ 1, got 0/);
  });
});

describe('L2P learner, two tasks on a random tiny ViT', () => {
  it('keeps the backbone and the first task head rows bit-identical, predicts per sample, and round-trips its state', async () => {
    const backbone = randomTinyBackbone(3);
    const data = tinySplitMnist(1, 8, 4);
    const snapshot = async () => {
      const out: number[][] = [];
      for (const p of backbone.model.params.values()) out.push(await rows(p));
      return out;
    };
    const before = await snapshot();
    const learner = new L2PLearner(METHOD_SPECS.l2p, TINY_LEARNER_CONFIG, backbone, data.numClasses, 1);
    const [t0, t1] = data.tasks as [(typeof data.tasks)[0], (typeof data.tasks)[0]];
    await learner.trainTask(0, data.train, t0.train, t0.classes, t0.classes);
    const w = async () => rows(learner.head.head.weight);
    const b = async () => rows(learner.head.head.bias!);
    const afterFirst = { w: await w(), b: await b(), prompts: await rows(learner.pool.prompts) };
    await learner.trainTask(1, data.train, t1.train, t1.classes, [...t0.classes, ...t1.classes]);
    expect(await snapshot()).toEqual(before);
    const D = backbone.dim;
    const [wNow, bNow] = [await w(), await b()];
    for (const c of t0.classes) {
      expect(wNow.slice(c * D, (c + 1) * D), `head row of class ${c}`).toEqual(
        afterFirst.w.slice(c * D, (c + 1) * D),
      );
      expect(bNow[c]).toBe(afterFirst.b[c]);
    }
    // Some rows of the second task's classes and some prompt did learn.
    expect(wNow).not.toEqual(afterFirst.w);
    expect(await rows(learner.pool.prompts)).not.toEqual(afterFirst.prompts);

    // Per-sample prediction: the same answers in one batch, one at a time, and in reverse order.
    const seen = [...t0.classes, ...t1.classes];
    const test = Int32Array.from([...t0.test, ...t1.test]);
    const none = new Int32Array(test.length);
    const together = await learner.predict(data.test, test, none, seen, 64);
    expect(await learner.predict(data.test, test, none, seen, 1)).toEqual(together);
    const reversed = await learner.predict(data.test, test.slice().reverse(), none, seen, 5);
    expect(Array.from(reversed).reverse()).toEqual(Array.from(together));
    expect(together.every((c) => seen.includes(c))).toBe(true);

    // The state restores into a fresh learner that predicts the same.
    const state = JSON.parse(JSON.stringify(await learner.state()));
    const other = new L2PLearner(METHOD_SPECS.l2p, TINY_LEARNER_CONFIG, backbone, data.numClasses, 7);
    other.load(state);
    expect(await other.predict(data.test, test, none, seen)).toEqual(together);
    // 5 tasks: a pool of 5 prompts of 5 tokens, each with a key, and the head
    expect([learner.poolSize, learner.topN]).toEqual([5, 2]);
    expect(learner.trainableParameters()).toBe(5 * (5 + 1) * D + (D + 1) * data.numClasses);
    expect(learner.trueTask()).toBeUndefined();
    other.dispose();
    learner.dispose();
    backbone.dispose();
  });
});
