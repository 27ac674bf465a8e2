/**
 * Module: a tree of named parameters, buffers and child modules, as torch.nn.Module. Names join with dots
 * (`blocks.0.attn.qkv.weight`), so a PyTorch or timm state dict maps onto a module key for key.
 *
 * Parameters are leaf tensors that require gradients; buffers are tensors that are saved but not trained
 * (e.g. running statistics). Both keep their identity for the module's life: optimisers and loadStateDict
 * write into them in place.
 */
import { ArgumentError, cast, fmtShape, sameShape, type Tensor, trimPool } from '@norga/tensor';
import { assign_ } from '../engine/assign.js';
import { gradOf, isLeaf, requiresGrad_, setGrad } from '../engine/leaf.js';
import { noGrad } from '../engine/mode.js';
import { StateDictError } from '../errors.js';

/** Keys loadStateDict did not find in the state dict, and keys it found that the module does not have. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const NAME = /^[A-Za-z0-9_]+$/;

/** Any forward method; what a module with none (Module itself) is typed with, so every module is assignable to it. */
type AnyForward = (...args: never[]) => unknown;
/** The `forward` method of module type M. */
type ForwardOf<M> = M extends { forward: infer F extends AnyForward } ? F : AnyForward;

/** How Node's console and util.inspect find an object's custom formatter (no import of node:util here). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Makes every module a function object calling its own `forward`, as torch's `__call__`: the constructor returns
 * that function with the subclass's prototype, so the subclasses' fields (private ones included) are set on it.
 * The function's own `name` and `length` are removed, so a subclass's own (e.g. ModuleList's length) are found.
 */
class CallsForward {
  constructor() {
    const module = (...args: unknown[]): unknown => {
      const forward = (module as { forward?: unknown }).forward;
      if (typeof forward !== 'function')
        throw new ArgumentError(
          'Module',
          `${new.target.name} was called as a function, but has no forward method to run: define forward() in the class`,
        );
      return forward.apply(module, args);
    };
    delete (module as { name?: string }).name;
    delete (module as { length?: number }).length;
    Object.setPrototypeOf(module, new.target.prototype);
    // biome-ignore lint/correctness/noConstructorReturn: the instance is the callable, on purpose (see above).
    return module;
  }
}
// Function.prototype stays in the chain (call, apply, bind, name, length), as the call signature's types say.
Object.setPrototypeOf(CallsForward.prototype, Function.prototype);

/** A module called as a function runs its forward: `model(x)` is `model.forward(x)`, with the same types. */
export interface Module {
  // biome-ignore lint/style/useShorthandFunctionType: a type alias cannot merge with the class.
  (...args: Parameters<ForwardOf<this>>): ReturnType<ForwardOf<this>>;
}

/**
 * The base of every layer and model, as torch.nn.Module. Define `forward` in a subclass; run the module with
 * `model(x)` (as in PyTorch) or `model.forward(x)`, which are the same call. `dispose()` frees its parameters and
 * buffers.
 *
 * A module is a function object (`typeof model === 'function'`) whose prototype is its class: `instanceof`,
 * fields and methods work as on any object, and the console shows it as one.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface adds only the call signature, which CallsForward implements.
export class Module extends CallsForward {
  /** Training mode (dropout active); switch with train() / eval(). */
  training = true;
  readonly #params = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  /** Adds (or replaces) a parameter: a leaf that requires gradients unless `frozen`. Returns it. */
  registerParameter(name: string, t: Tensor, options: { frozen?: boolean } = {}): Tensor {
    this.#checkName(name, 'registerParameter');
    if (!isLeaf(t))
      throw new StateDictError(
        'registerParameter',
        `'${name}' ${fmtShape(t.shape)} is an op's output; parameters must be leaves (detach() it)`,
      );
    requiresGrad_(t, !options.frozen);
    this.#params.set(name, t);
    return t;
  }

  /** Adds (or replaces) a buffer: state that stateDict saves but optimisers never see. Returns it. */
  registerBuffer(name: string, t: Tensor): Tensor {
    this.#checkName(name, 'registerBuffer');
    this.#buffers.set(name, t);
    return t;
  }

  /** Adds (or replaces) a child module; its names are prefixed with `name.`. Returns it. */
  registerModule<M extends Module>(name: string, m: M): M {
    this.#checkName(name, 'registerModule');
    this.#children.set(name, m);
    return m;
  }

  #checkName(name: string, op: string): void {
    if (!NAME.test(name))
      throw new StateDictError(
        op,
        `name '${name}' must be letters, digits and underscores (dots join levels)`,
      );
  }

  /** The direct child modules with their names. */
  *namedChildren(): Generator<[string, Module]> {
    yield* this.#children;
  }

  /** This module and every descendant, depth first, with dotted names ('' for this one). */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.#children)
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  /** Every parameter with its dotted name (each tensor once, under its first name, as PyTorch). */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules()) {
      for (const [name, p] of m.#params) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([path ? `${path}.${name}` : name, p]);
      }
    }
    return out;
  }

  /** Every parameter, in registration order, depth first. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** The parameters that currently require gradients (not frozen). */
  trainableParameters(): Tensor[] {
    return this.parameters().filter((p) => p.requiresGrad);
  }

  /** Every buffer with its dotted name. */
  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const [name, b] of m.#buffers) out.push([path ? `${path}.${name}` : name, b]);
    }
    return out;
  }

  /** Every buffer, in registration order, depth first. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Total number of parameter elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * Parameters and buffers by dotted name. The tensors are the module's own (not copies): read them, save
   * them, but do not dispose them.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [path, m] of this.namedModules()) {
      for (const [name, t] of [...m.#params, ...m.#buffers]) out[path ? `${path}.${name}` : name] = t;
    }
    return out;
  }

  /**
   * Copies values into the module's parameters and buffers, in place. Strict (the default): a missing or an
   * unexpected key is an error naming it. A shape mismatch is always an error. Values of another float dtype
   * are converted; the source tensors stay the caller's.
   */
  loadStateDict(
    state: Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>,
    options: { strict?: boolean } = {},
  ): LoadResult {
    const strict = options.strict ?? true;
    const entries = new Map<string, Tensor>(state instanceof Map ? state : Object.entries(state));
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !entries.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !(k in own));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length > 0) parts.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length > 0) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
      throw new StateDictError(
        'loadStateDict',
        `${parts.join('; ')} (pass {strict: false} to load the rest)`,
      );
    }
    // Every pair is checked before the first write, so a rejected checkpoint leaves the module as it was.
    const pairs: [Tensor, Tensor][] = [];
    for (const [key, target] of Object.entries(own)) {
      const value = entries.get(key);
      if (value === undefined) continue;
      if (!sameShape(value.shape, target.shape)) {
        throw new StateDictError(
          'loadStateDict',
          `'${key}': checkpoint shape ${fmtShape(value.shape)} does not match the module's ${fmtShape(target.shape)}`,
        );
      }
      if (value.backend !== target.backend) {
        throw new StateDictError(
          'loadStateDict',
          `'${key}': value is on ${value.backend.name}, the module on ${target.backend.name}; move it with .to()`,
        );
      }
      pairs.push([target, value]);
    }
    noGrad(() => {
      for (const [target, value] of pairs) {
        if (value.dtype === target.dtype) assign_(target, value);
        else {
          const converted = cast(value, target.dtype);
          assign_(target, converted);
          converted.dispose();
        }
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Sets training mode here and in every descendant. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Switches to evaluation mode (dropout off): train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Freezes (false) or unfreezes (true) every parameter: frozen ones get no gradient and no update. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) requiresGrad_(p, flag);
    return this;
  }

  /** Clears (disposes) every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) if (gradOf(p) !== null) setGrad(p, null);
  }

  /**
   * Disposes every parameter and buffer (and their gradients). The module is unusable afterwards. Then, unless
   * `{trimPool: false}` (for a small module disposed inside a loop), gives the WebGPU backends' free buffers
   * back to the device (trimPool), so a disposed model does not stay resident as pooled memory.
   */
  dispose(options: { trimPool?: boolean } = {}): void {
    for (const [, m] of this.namedModules()) {
      for (const t of [...m.#params.values(), ...m.#buffers.values()]) t.dispose();
    }
    if (options.trimPool !== false) trimPool();
  }

  /** Disposes the module at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The class name, e.g. `Linear` (a function's toString would print the source of the call wrapper). */
  override toString(): string {
    return this.constructor.name;
  }

  /** Node's console shows the module as an object of its class (its fields), not as a function. */
  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    // A plain object with the same prototype and fields; its own INSPECT (hidden) stops the recursion here.
    const shown = Object.assign(Object.create(Object.getPrototypeOf(this)), this);
    Object.defineProperty(shown, INSPECT, { value: undefined });
    return inspect(shown, options);
  }
}

/** A module that maps one tensor to one tensor (what Sequential chains). */
export interface Layer {
  /** Runs the layer on x. */
  forward(x: Tensor): Tensor;
}
