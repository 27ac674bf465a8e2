/**
 * The WebAssembly tier as the public API shows it: features, threads and counters. The runtime, heap and
 * kernels stay internal, so the published .d.ts names no `WebAssembly.*` type (a consumer without the DOM lib
 * and with skipLibCheck off would fail on them with TS2503).
 */
import type { AttentionStats } from './attention.js';
import type { ElementwiseStats } from './elementwise-run.js';
import type { WasmFeatures } from './features.js';
import type { MatmulStats } from './matmul-operands.js';
import type { ReduceStats } from './reduce-run.js';
import { getWasmTier as getTier } from './tier.js';

export type { AttentionStats, ElementwiseStats, MatmulStats, ReduceStats, WasmFeatures };

/** What a program may read or change on the CPU backend's WebAssembly tier. */
export interface WasmTier {
  /** The engine's WebAssembly features the tier found (SIMD, relaxed SIMD, shared memory). */
  readonly features: WasmFeatures;
  /** Threads including the calling one. */
  readonly threads: number;
  /** Sets the thread count (1 = no workers). */
  setThreads(n: number): void;
  /** Starts the worker pool now rather than on the first large op; resolves to whether workers run. */
  warmUp(): Promise<boolean>;
  /** Counters of the float32 matmul kernels. */
  readonly matmulStats: MatmulStats;
  /** Counters of the fused elementwise kernels. */
  readonly elementwiseStats: ElementwiseStats;
  /** Counters of the reductions. */
  readonly reduceStats: ReduceStats;
  /** Counters of the fused attention kernel. */
  readonly attentionStats: AttentionStats;
}

/** The WebAssembly tier, or undefined where WebAssembly SIMD is missing or `NORGA_CPU_TIER=js`. */
export function getWasmTier(): WasmTier | undefined {
  return getTier();
}
