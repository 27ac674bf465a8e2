/**
 * The optimiser base: parameter groups with their own hyper-parameters, per-parameter state, zeroGrad, and a
 * state dict in PyTorch's layout ({state: {index: {...}}, paramGroups: [{...hyper, params: [index...]}]}).
 *
 * step() runs under noGrad, one tidy per parameter, and writes the new values into the parameter tensors in
 * place (assign_), so modules keep their parameter handles. State tensors are replaced, never written into.
 */
import { DisposedError, fmtShape, keep, sameShape, type Tensor, tidy } from '@norga/tensor';
import { assign_ } from '../engine/assign.js';
import { gradOf, setGrad } from '../engine/leaf.js';
import { noGrad } from '../engine/mode.js';
import { GradError } from '../errors.js';
import { afterOptimizerStep } from './leak-watch.js';

/** One parameter's optimizer state: tensors (moments, momentum) and numbers (the step count). */
export type ParamState = Record<string, Tensor | number>;
/** A parameter group: its parameters and its own hyper-parameters. */
export type Group<H> = H & { params: Tensor[] };
/** What an optimizer takes: a list of parameters, or groups of them with their own hyper-parameters. */
export type ParamsArg<H> = readonly Tensor[] | readonly (Partial<H> & { params: readonly Tensor[] })[];

/** An optimizer's state in PyTorch's layout: per-parameter state by index, and the groups. */
export interface OptimizerStateDict<H> {
  state: Record<number, ParamState>;
  paramGroups: (H & { params: number[] })[];
}

/** The optimizer base: parameter groups, per-parameter state, zeroGrad, step, state dicts and dispose. */
export abstract class Optimizer<H extends { lr: number }> {
  readonly paramGroups: Group<H>[];
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(params: ParamsArg<H>, defaults: H) {
    const groups =
      params.length > 0 && 'params' in (params[0] as object)
        ? (params as (Partial<H> & { params: readonly Tensor[] })[])
        : [{ params: params as readonly Tensor[] }];
    this.paramGroups = [];
    for (const g of groups) {
      this.#checkNew(g.params);
      this.paramGroups.push({ ...defaults, ...g, params: [...g.params] } as Group<H>);
    }
  }

  /** A parameter in two groups would be stepped twice per step(): refuse it, as PyTorch does. */
  #checkNew(params: readonly Tensor[]): void {
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of params) {
      if (taken.has(p))
        throw new GradError(this.constructor.name, 'a parameter appears in more than one group');
      taken.add(p);
    }
  }

  /** Adds a group (e.g. the parameters of a new task's expert), with its own hyper-parameters. */
  addParamGroup(group: Partial<H> & { params: readonly Tensor[] }, defaults?: H): void {
    const base = defaults ?? (this.paramGroups[0] as H | undefined);
    if (!base)
      throw new GradError(this.constructor.name, 'addParamGroup: no defaults to complete the group from');
    this.#checkNew(group.params);
    const { params: _ignored, ...hyper } = base as H & { params?: unknown };
    this.paramGroups.push({ ...(hyper as H), ...group, params: [...group.params] } as Group<H>);
  }

  /** The update of one parameter: returns its new value (the base class writes it in place). */
  protected abstract update(p: Tensor, g: Tensor, group: Group<H>, state: ParamState): Tensor;

  /**
   * One optimisation step over every parameter that has a gradient. A disposed parameter is a DisposedError
   * (its gradient went with it, so it would otherwise be skipped without a word).
   */
  step(): void {
    noGrad(() => {
      for (const [gi, group] of this.paramGroups.entries()) {
        for (const [pi, p] of group.params.entries()) {
          if (p.isDisposed)
            throw new DisposedError(
              `${this.constructor.name}.step`,
              `parameter ${pi} ${fmtShape(p.shape)} ${p.dtype} of group ${gi} was disposed; ` +
                'dispose the optimizer with its model, or build a new one over live parameters',
            );
          const g = gradOf(p);
          if (g === null) continue;
          let state = this.state.get(p);
          if (!state) {
            state = {};
            this.state.set(p, state);
          }
          const s = state;
          tidy(() => {
            assign_(p, this.update(p, g, group, s));
          });
        }
      }
    });
    afterOptimizerStep();
  }

  /** Replaces a state entry, disposing the tensor it held and keeping the new one past the step's tidy. */
  protected setState(state: ParamState, key: string, value: Tensor): Tensor {
    const old = state[key];
    if (typeof old === 'object' && old !== value) old.dispose();
    state[key] = keep(value);
    return value;
  }

  /** Clears the gradient of every parameter in every group. */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) setGrad(p, null);
  }

  /**
   * The optimiser's state, in PyTorch's layout: parameters are numbered across groups in order. The tensors
   * are new handles (dispose them when done); numbers are copied.
   */
  stateDict(): OptimizerStateDict<H> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return {
        ...(hyper as unknown as H),
        params: params.map((p) => {
          if (!index.has(p)) index.set(p, index.size);
          return index.get(p)!;
        }),
      };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(
        Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : v.share()]),
      );
    }
    return { state, paramGroups };
  }

  /**
   * Restores a stateDict() (from this optimiser over the same parameters, in the same order). Everything is
   * checked before anything changes: a rejected state leaves the optimiser as it was.
   */
  loadStateDict(sd: OptimizerStateDict<H>): void {
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new GradError(
        'loadStateDict',
        `state has ${sd.paramGroups.length} parameter groups, the optimiser ${this.paramGroups.length}`,
      );
    }
    const byIndex: Tensor[] = [];
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi]!;
      if (saved.params.length !== group.params.length) {
        throw new GradError(
          'loadStateDict',
          `group ${gi} has ${saved.params.length} parameters in the state, ${group.params.length} in the optimiser`,
        );
      }
      saved.params.forEach((idx, k) => {
        byIndex[idx] = group.params[k]!;
      });
    });
    const entries = Object.entries(sd.state).map(([key, s]) => {
      const p = byIndex[Number(key)];
      if (!p) throw new GradError('loadStateDict', `state for parameter ${key}, which no group lists`);
      for (const [k, v] of Object.entries(s)) {
        if (typeof v !== 'number' && !sameShape(v.shape, p.shape)) {
          throw new GradError(
            'loadStateDict',
            `state '${k}' of parameter ${key} has shape [${v.shape}], the parameter [${p.shape}]`,
          );
        }
      }
      return [p, s] as const;
    });
    sd.paramGroups.forEach((saved, gi) => {
      const { params: _p, ...hyper } = saved;
      Object.assign(this.paramGroups[gi]!, hyper);
    });
    this.dispose();
    for (const [p, s] of entries) {
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) copy[k] = typeof v === 'number' ? v : keep(v.share());
      this.state.set(p, copy);
    }
  }

  /**
   * Disposes the state tensors (Adam's moments, SGD's momentum buffers); the parameters belong to the model and
   * stay. The optimizer remains usable: the next step() starts from fresh state.
   */
  dispose(): void {
    for (const s of this.state.values())
      for (const v of Object.values(s)) if (typeof v === 'object') v.dispose();
    this.state.clear();
  }
  /** Disposes the state at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
