/**
 * Prefix experts, one set per task: for each prompted layer, L key vectors and L value vectors of width D
 * (= heads × head dim; the attention splits them per head), i.e. L new experts per head whose outputs are the
 * values p^V and whose scores are linear in the query. As in HiDe-Prompt:
 *   - task 0's prefix starts uniform(-1, 1); task t's starts as a copy of task t-1's;
 *   - "prompt ensemble": while task t trains, the attention sees (1-m)·P_t + m·mean(P_<t) with the mean
 *     detached, and after the task P_t is replaced by that mixture.
 * At test time every sample gets the prefix of its (inferred) task: keys and values are gathered per sample
 * into [B, L, D], so a sample's prediction never depends on the other samples in its batch.
 */
import { type DType, indexSelect, keep, stack, type Tensor, tensor, tidy, untracked } from '@norga/tensor';
import type { LayerPrefix, Prefixes } from '@norga/vit';
import type { Rng } from './rng.js';

/** The prefixes of every task so far, P_t = (p^K, p^V) per prompted layer, and the prefixes each stage uses. */
export class PrefixExperts {
  /** keys[t].get(layer): the [L, D] leaf tensor p^K of task t at a prompted layer. */
  private readonly keys: Map<number, Tensor>[] = [];
  /** values[t].get(layer): the [L, D] leaf tensor p^V of task t at a prompted layer. */
  private readonly values: Map<number, Tensor>[] = [];

  /**
   * @param layers the prompted blocks
   * @param length L, the prefix length (new experts per head and layer)
   * @param dim D, the model width
   * @param dtype of the prefix tensors
   */
  constructor(
    readonly layers: readonly number[],
    readonly length: number,
    readonly dim: number,
    readonly dtype: DType = 'float32',
  ) {}

  /** How many tasks have a prefix. */
  get numTasks(): number {
    return this.keys.length;
  }

  /**
   * Adds the next task's prefix: uniform(-1, 1) drawn from `rng` for the first task, a copy of the previous one
   * after that. Returns the new task's index.
   */
  addTask(rng: Rng): number {
    const t = this.keys.length;
    const k = new Map<number, Tensor>();
    const v = new Map<number, Tensor>();
    for (const l of this.layers) {
      if (t === 0) {
        k.set(l, this.uniform(rng));
        v.set(l, this.uniform(rng));
      } else {
        // A fresh tensor (its own storage), made without recording: the copy is a new leaf.
        k.set(l, keep(untracked(() => this.key(t - 1, l).mul(1))));
        v.set(l, keep(untracked(() => this.value(t - 1, l).mul(1))));
      }
    }
    this.keys.push(k);
    this.values.push(v);
    return t;
  }

  private uniform(rng: Rng): Tensor {
    const n = this.length * this.dim;
    const data = this.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = rng.uniformIn(-1, 1);
    // kept: a long-lived parameter must survive the tidy scope of whatever step created it.
    return keep(tensor(data, { shape: [this.length, this.dim], dtype: this.dtype }));
  }

  /** p^K of task t at `layer`, [L, D]; a RangeError names the task and layer when there is none. */
  key(t: number, layer: number): Tensor {
    return this.get(this.keys, t, layer);
  }

  /** p^V of task t at `layer`, [L, D]; a RangeError names the task and layer when there is none. */
  value(t: number, layer: number): Tensor {
    return this.get(this.values, t, layer);
  }

  private get(store: Map<number, Tensor>[], t: number, layer: number): Tensor {
    const p = store[t]?.get(layer);
    if (!p)
      throw new RangeError(
        `prefix experts: no prefix for task ${t}, layer ${layer} (tasks: ${store.length}, layers: ${this.layers.join(', ')})`,
      );
    return p;
  }

  /** The trainable tensors of task t with their state names (`prefix.<t>.<layer>.key` / `.value`). */
  taskParameters(t: number): [string, Tensor][] {
    return this.layers.flatMap((l) => [
      [`prefix.${t}.${l}.key`, this.key(t, l)] as [string, Tensor],
      [`prefix.${t}.${l}.value`, this.value(t, l)] as [string, Tensor],
    ]);
  }

  /**
   * The prefixes task t trains with: (1-m)·P_t + m·mean_{s<t}(P_s), the mean treated as a constant.
   * With m = 0 or t = 0 this is P_t itself (as [1, L, D]).
   */
  training(t: number, momentum: number): Prefixes {
    const out = new Map<number, LayerPrefix>();
    for (const l of this.layers) {
      const mix = (own: Tensor, store: Map<number, Tensor>[]) => {
        if (momentum === 0 || t === 0) return own.unsqueeze(0);
        // Computed unrecorded: the previous tasks' prefixes are constants here.
        const prev = untracked(() => this.previousMean(store, t, l));
        return own
          .mul(1 - momentum)
          .add(prev.mul(momentum))
          .unsqueeze(0);
      };
      out.set(l, { key: mix(this.key(t, l), this.keys), value: mix(this.value(t, l), this.values) });
    }
    return out;
  }

  private previousMean(store: Map<number, Tensor>[], t: number, layer: number): Tensor {
    return stack(
      Array.from({ length: t }, (_, s) => this.get(store, s, layer)),
      0,
    ).mean(0);
  }

  /** After task t: P_t ← (1-m)·P_t + m·mean(P_<t), the stored prefix the later tasks copy and test with. */
  finishTask(t: number, momentum: number): void {
    if (momentum === 0 || t === 0) return;
    for (const store of [this.keys, this.values]) {
      for (const l of this.layers) {
        const own = this.get(store, t, l);
        const mixed = untracked(() =>
          tidy(() => keep(own.mul(1 - momentum).add(this.previousMean(store, t, l).mul(momentum)))),
        );
        (store[t] as Map<number, Tensor>).set(l, mixed);
        own.dispose();
      }
    }
  }

  /** Per-sample prefixes [B, L, D]: sample b gets the prefix of task taskIds[b] (an int32 [B] tensor). */
  perSample(taskIds: Tensor): Prefixes {
    const out = new Map<number, LayerPrefix>();
    for (const l of this.layers) {
      out.set(l, {
        key: indexSelect(
          stack(
            this.keys.map((m) => m.get(l) as Tensor),
            0,
          ),
          0,
          taskIds,
        ),
        value: indexSelect(
          stack(
            this.values.map((m) => m.get(l) as Tensor),
            0,
          ),
          0,
          taskIds,
        ),
      });
    }
    return out;
  }

  /** One task's prefix for a whole batch ([1, L, D], broadcast by the attention). */
  forTask(t: number): Prefixes {
    const out = new Map<number, LayerPrefix>();
    for (const l of this.layers)
      out.set(l, { key: this.key(t, l).unsqueeze(0), value: this.value(t, l).unsqueeze(0) });
    return out;
  }

  /**
   * Appends the prefixes of tasks numTasks … tasks − 1, each tensor by its state name (as `taskParameters`
   * names it) from `named`, which hands over ownership. Throws naming the first task and layer it lacks.
   */
  load(tasks: number, named: (name: string) => Tensor | undefined): void {
    for (let t = this.numTasks; t < tasks; t++) {
      const k = new Map<number, Tensor>();
      const v = new Map<number, Tensor>();
      for (const l of this.layers) {
        const key = named(`prefix.${t}.${l}.key`);
        const value = named(`prefix.${t}.${l}.value`);
        if (!key || !value) {
          for (const x of [key, value, ...k.values(), ...v.values()]) x?.dispose();
          throw new Error(`checkpoint: prefix of task ${t}, layer ${l} is missing`);
        }
        k.set(l, keep(key));
        v.set(l, keep(value));
      }
      this.keys.push(k);
      this.values.push(v);
    }
  }

  /** Frees every task's prefix; numTasks is 0 after. */
  dispose(): void {
    for (const store of [this.keys, this.values])
      for (const m of store) for (const t of m.values()) t.dispose();
    this.keys.length = 0;
    this.values.length = 0;
  }
}
