/** Containers: Sequential chains layers; ModuleList holds modules under the names 0, 1, 2, ... */

import type { Tensor } from '@norga/tensor';
import { alias } from '../engine/alias.js';
import { type Layer, Module } from './module.js';

/** Calls its layers in order; children are named '0', '1', ... as torch.nn.Sequential. */
export class Sequential extends Module implements Layer {
  readonly layers: readonly (Module & Layer)[];

  constructor(...layers: (Module & Layer)[]) {
    super();
    this.layers = layers;
    for (const [i, l] of layers.entries()) this.registerModule(String(i), l);
  }

  /** Intermediate outputs are disposed as soon as the next layer has consumed them (or has thrown). */
  forward(x: Tensor): Tensor {
    let cur = x;
    for (const layer of this.layers) {
      let next: Tensor;
      try {
        next = layer.forward(cur);
      } finally {
        if (cur !== x) cur.dispose();
      }
      cur = next;
    }
    return cur === x ? alias(x) : cur;
  }
}

export class ModuleList<M extends Module = Module> extends Module {
  readonly #items: M[] = [];

  constructor(items: readonly M[] = []) {
    super();
    for (const m of items) this.push(m);
  }

  /** Appends a module (registered under the next index); returns this. */
  push(m: M): this {
    this.registerModule(String(this.#items.length), m);
    this.#items.push(m);
    return this;
  }

  override get length(): number {
    return this.#items.length;
  }

  /** The module at index i (negative counts from the end). */
  at(i: number): M {
    const m = this.#items[i < 0 ? i + this.#items.length : i];
    if (!m) throw new RangeError(`ModuleList.at: index ${i} out of range for ${this.#items.length} modules`);
    return m;
  }

  /** Iterates the modules in order. */
  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }
}
