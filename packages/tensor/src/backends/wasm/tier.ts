/**
 * The WebAssembly tier: one runtime (module + memory), a lazily started worker pool, and the float32 kernels
 * over raw arrays and strides. `getWasmTier()` returns undefined where WebAssembly SIMD is missing or
 * NORGA_CPU_TIER=js; the 'cpu' backend is then the JS reference alone (see backend.ts).
 */

import { type AttentionArgs, type AttentionStats, attentionF32 } from './attention.js';
import { copyRowsF32 } from './copy.js';
import { ElementwiseCache, type ElementwiseKernel } from './elementwise.js';
import { type ElementwiseParallel, type ElementwiseStats, elementwiseF32 } from './elementwise-run.js';
import { detectFeatures, envFlag, nodeProcess, type WasmFeatures } from './features.js';
import { type MatmulArgs, type MatmulStats, matmulF32, PARALLEL_MIN_FLOPS } from './matmul.js';
import { WorkerPool } from './pool.js';
import { elementwiseJob, KernelBytes, PARALLEL_MIN_ELEMENTS, reduceRowsJob } from './pool-jobs.js';
import { type ReduceParallel, type ReduceStats, reduceF32 } from './reduce-run.js';
import { MAX_PAGES, WasmRuntime } from './runtime.js';

// The drivers' own arguments, after the context the tier supplies (runtime, caches, counters, pool hooks).
type ElementwiseArgs =
  Parameters<typeof elementwiseF32> extends [unknown, unknown, unknown, unknown, ...infer R] ? R : never;
type CopyRowsArgs = Parameters<typeof copyRowsF32> extends [unknown, ...infer R] ? R : never;
type ReduceArgs = Parameters<typeof reduceF32> extends [unknown, unknown, unknown, ...infer R] ? R : never;

export interface WasmTierOptions {
  /** Threads including the calling one (default: NORGA_THREADS, else the core count, at most 8). */
  readonly threads?: number;
  /** Products below this many flops stay on the calling thread (default 4 Mflop; lower it in tests). */
  readonly parallelMinFlops?: number;
  /** Elementwise kernels and reductions below this many elements stay on the calling thread (default 64 Ki). */
  readonly parallelMinElements?: number;
}

function defaultThreads(): number {
  const env = Number(envFlag('NORGA_THREADS'));
  if (Number.isInteger(env) && env >= 1) return env;
  const os = nodeProcess()?.getBuiltinModule?.('node:os') as
    | { availableParallelism?: () => number }
    | undefined;
  const cores =
    os?.availableParallelism?.() ??
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ??
    1;
  return Math.max(1, Math.min(8, cores));
}

export class WasmTier {
  readonly features: WasmFeatures;
  readonly runtime: WasmRuntime;
  private pool: WorkerPool | undefined;
  private threadCount: number;
  private readonly parallelMinFlops: number;
  readonly matmulStats: MatmulStats = {
    calls: 0,
    parallelCalls: 0,
    directCalls: 0,
    tasks: 0,
    workerTasks: 0,
    bytesIn: 0,
    bytesOut: 0,
  };

  readonly elementwiseStats: ElementwiseStats = {
    calls: 0,
    bytesIn: 0,
    bytesOut: 0,
    parallelCalls: 0,
  };
  private readonly ewCache: ElementwiseCache;
  private readonly kernelBytes: KernelBytes;
  private readonly parallelMinElements: number;
  readonly reduceStats: ReduceStats = { calls: 0, bytesIn: 0, parallelCalls: 0 };
  readonly attentionStats: AttentionStats = { calls: 0 };

  constructor(features: WasmFeatures, options: WasmTierOptions = {}) {
    this.features = features;
    this.runtime = new WasmRuntime(features);
    this.ewCache = new ElementwiseCache(this.runtime.memory, MAX_PAGES, this.runtime.shared);
    this.threadCount = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
    // NORGA_WASM_FORCE=1 (backend.ts): the pool takes small jobs too, so the suites exercise it
    const forced = envFlag('NORGA_WASM_FORCE') === '1';
    this.parallelMinFlops = options.parallelMinFlops ?? (forced ? 1 : PARALLEL_MIN_FLOPS);
    this.parallelMinElements = options.parallelMinElements ?? (forced ? 1 : PARALLEL_MIN_ELEMENTS);
    this.kernelBytes = new KernelBytes(this.runtime);
  }

  /** The pool for `elements` worth of elementwise or reduction work, if it is worth waking. */
  private poolFor(elements: number): WorkerPool | undefined {
    if (elements < this.parallelMinElements) return undefined;
    const pool = this.ensurePool();
    return pool && pool.readyCount() > 0 ? pool : undefined;
  }

  private readonly ewParallel: ElementwiseParallel = (kernel, args, byRows, units, elements) => {
    const pool = this.poolFor(elements);
    if (!pool) return false;
    const ran = elementwiseJob(
      this.runtime,
      pool,
      this.threadCount - 1,
      this.kernelBytes,
      kernel,
      args,
      byRows,
      units,
      (id) => (this.ewCache.byIndex(id) as ElementwiseKernel).fn,
    );
    if (ran) this.elementwiseStats.parallelCalls++;
    return ran;
  };

  private readonly reduceParallel: ReduceParallel = (op, layout, src, R, C, rowBytes, dst) => {
    const pool = layout === 'rows' ? this.poolFor(R * C) : undefined;
    if (!pool || !reduceRowsJob(this.runtime, pool, this.threadCount - 1, op, src, R, C, rowBytes, dst))
      return false;
    this.reduceStats.parallelCalls++;
    return true;
  };

  get threads(): number {
    return this.threadCount;
  }

  /** Sets the threads used from now on (including the calling thread). Results do not depend on it. */
  setThreads(n: number): void {
    this.threadCount = Math.max(1, Math.floor(n));
  }

  /** Starts the workers now and waits until they listen (otherwise they start on the first large kernel). */
  async warmUp(): Promise<boolean> {
    return this.ensurePool()?.ready() ?? false;
  }

  private ensurePool(): WorkerPool | undefined {
    if (this.threadCount <= 1 || !this.runtime.shared) return undefined;
    this.pool ??= new WorkerPool(this.runtime);
    this.pool.grow(this.threadCount - 1);
    return this.pool;
  }

  /**
   * out = a @ b over a batch of strided f32 matrices. False when it could not run (scratch beyond 2 GiB);
   * the caller's JS kernel then writes the whole output (see matmul.ts).
   */
  matmulF32(args: MatmulArgs): boolean {
    const flops = 2 * args.M * args.N * args.K * args.out.offsets.length;
    const pool = flops >= this.parallelMinFlops ? this.ensurePool() : this.pool;
    return matmulF32(this.runtime, pool, this.threadCount - 1, args, this.matmulStats, this.parallelMinFlops);
  }

  /**
   * out = expr(inputs...) over a strided layout `shape` (elementwise-run.ts); `key` identifies the expression
   * (exprKey). False when it could not run; then nothing was written.
   */
  elementwiseF32(...args: ElementwiseArgs): boolean {
    return elementwiseF32(this.runtime, this.ewCache, this.elementwiseStats, this.ewParallel, ...args);
  }

  /** Fused attention over a batch of heads (see attention.ts); false where it does not apply (nothing written). */
  attentionF32(args: AttentionArgs): boolean {
    const flops = 2 * args.q.offsets.length * args.Lq * args.Lk * (args.D + args.Dv);
    const pool = flops >= this.parallelMinFlops ? this.ensurePool() : undefined;
    const { runtime, ewCache, kernelBytes, threadCount } = this;
    return attentionF32(runtime, ewCache, kernelBytes, pool, threadCount - 1, args, this.attentionStats);
  }

  /** dst = src over `shape`, rows contiguous on both sides, both in the heap; false otherwise (copy.ts). */
  copyRowsF32(...args: CopyRowsArgs): boolean {
    return copyRowsF32(this.runtime, ...args);
  }

  /** A float32 sum/max/min over rows or columns of a [R, C] layout (reduce-run.ts). */
  reduceF32(...args: ReduceArgs): boolean {
    return reduceF32(this.runtime, this.reduceStats, this.reduceParallel, ...args);
  }

  dispose(): void {
    this.pool?.dispose();
    this.pool = undefined;
  }
}

let tier: WasmTier | undefined | null = null;

/** The process-wide tier, or undefined where it is unavailable or disabled (NORGA_CPU_TIER=js). */
export function getWasmTier(): WasmTier | undefined {
  if (tier !== null) return tier;
  const features = detectFeatures();
  try {
    tier = envFlag('NORGA_CPU_TIER') === 'js' || !features.simd ? undefined : new WasmTier(features);
  } catch {
    // e.g. an engine that refuses synchronous compilation here: the JS tier carries on alone
    tier = undefined;
  }
  return tier;
}
