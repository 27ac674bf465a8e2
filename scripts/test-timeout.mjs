// Test timeouts derived from a calibration of the machine, not fixed: every package's vitest.config.ts scales
// its base timeout by how loaded and how fast the machine is when the run starts. A timeout is a hang detector,
// never a speed assertion (speed is for benchmarks), so it must stretch with the machine: on a loaded machine
// (load ~13 on 2 cores) a WebGPU test on lavapipe spends most of its time compiling pipelines on a CPU it shares.
//
// factor = the largest of
//   - contention: wall time / CPU time of a fixed workload run here (2.0 when half the time goes to others),
//   - speed: its CPU time / REFERENCE_CPU_MS (measured on the project's 2-core VM),
//   - load: the 1-minute load average per core (plus one for this run),
// clamped to [1, 10]; NORGA_TEST_TIMEOUT_SCALE=x sets it instead. The factor is printed once per run.
import { availableParallelism, loadavg } from 'node:os';

/**
 * CPU milliseconds of workload() on the project's 2-core VM (AMD EPYC, Node 20), `node scripts/test-timeout.mjs`:
 * 14.1-14.9 ms on 2026-12-05 (CPU time barely moves with load; the wall time was 22-120 ms at load 11).
 */
const REFERENCE_CPU_MS = 14;

function workload() {
  // floating-point and memory work of a few tens of ms, the kind pipeline compilation and kernels do
  const a = new Float64Array(1 << 16);
  let s = 0;
  for (let r = 0; r < 60; r++) {
    for (let i = 0; i < a.length; i++) {
      a[i] = Math.sqrt(a[i] + i * 0.5 + r) * 0.999;
      s += a[i];
    }
  }
  return s;
}

function measure() {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  workload();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  return { wall, cpu: Math.max(1e-3, (c.user + c.system) / 1000) };
}

/** Computed once per process: vitest evaluates each project's config in a module instance of its own. */
const KEY = Symbol.for('norga.testTimeoutScale');

/** The scale factor for this run. */
export function timeoutScale() {
  if (globalThis[KEY] !== undefined) return globalThis[KEY];
  globalThis[KEY] = compute();
  return globalThis[KEY];
}

function compute() {
  const forced = Number(process.env.NORGA_TEST_TIMEOUT_SCALE);
  if (forced > 0) return forced;
  measure(); // warm up the JIT
  const runs = [measure(), measure(), measure()].sort((x, y) => x.wall - y.wall);
  const { wall, cpu } = runs[1];
  const contention = wall / cpu;
  const speed = cpu / REFERENCE_CPU_MS;
  const load = (loadavg()[0] + 1) / availableParallelism();
  const scale = Math.min(10, Math.max(1, contention, speed, load));
  if (scale > 1.05 && !process.env.NORGA_TEST_TIMEOUT_QUIET) {
    console.log(
      `[test-timeout] timeouts x${scale.toFixed(1)} (contention ${contention.toFixed(1)}, speed ${speed.toFixed(1)}, load/core ${load.toFixed(1)})`,
    );
  }
  return scale;
}

/** `base` milliseconds scaled by timeoutScale(), rounded up to a second. */
export function calibratedTimeout(base) {
  return Math.ceil((base * timeoutScale()) / 1000) * 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  measure();
  const runs = Array.from({ length: 7 }, measure).sort((x, y) => x.cpu - y.cpu);
  console.log(`workload: CPU ${runs[3].cpu.toFixed(1)} ms, wall ${runs[3].wall.toFixed(1)} ms (median of 7)`);
  console.log(`scale now: ${timeoutScale().toFixed(2)}`);
}
