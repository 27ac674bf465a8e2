/**
 * A pool of workers sharing the runtime's memory: Node worker_threads, or Web Workers where the page is
 * cross-origin isolated (SharedArrayBuffer allowed). Each worker instantiates the same compiled module on the
 * same memory, then sleeps in Atomics.wait on the NEXT slot. A job costs no messages and no copies: the calling
 * thread writes the job into the control block, publishes it (control.ts), wakes up to N workers, claims tasks
 * itself too, and waits only for the tasks others claimed.
 */
import { CTL, MAX_WORKERS, runGemmTasks } from './control.js';
import { nodeProcess } from './features.js';
import type { KernelExports, WasmRuntime } from './runtime.js';

/**
 * Polls of a shared slot before a thread sleeps in Atomics.wait: about 0.1 ms (an atomic load is ~25 ns), more
 * than the JS work between two kernels of a training step, less than a timeslice of anyone else's.
 */
const SPIN = 4000;

/** The worker's program; runGemmTasks is inlined from its source so both sides run the same code. */
function workerBody(): string {
  return `
const runGemmTasks = (${runGemmTasks.toString()});
function start(data) {
  const { module, memory, id, epoch } = data;
  const kx = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ran = new Int32Array(1);
  // elementwise kernels, compiled here from the bytes the caller left in memory, once per id
  const kernels = [];
  const ew = (id, code, length) =>
    (kernels[id] ??= new WebAssembly.Instance(
      new WebAssembly.Module(new Uint8Array(memory.buffer, code, length).slice()),
      { env: { memory } },
    ).exports.ew);
  // the control block sits at offset 0 and never moves; shared buffers do not detach on growth
  const c = new Int32Array(memory.buffer, 0, ${CTL.SIZE});
  Atomics.store(c, ${CTL.READY} + id, 1);
  for (;;) {
    if (Atomics.load(c, ${CTL.EPOCH}) !== epoch) return;
    const seen = runGemmTasks(c, kx, ran, ew);
    // jobs come back to back (a training step publishes hundreds): look a while before sleeping, as waking
    // from Atomics.wait costs tens of microseconds
    for (let i = 0; i < ${SPIN} && Atomics.load(c, ${CTL.NEXT}) === seen; i++);
    Atomics.wait(c, ${CTL.NEXT}, seen, 500);
  }
}
`;
}

/** The calling thread's elementwise kernel by id (workers compile theirs from bytes in memory). */
export type ElementwiseLookup = (id: number) => (...args: number[]) => void;

const noKernels: ElementwiseLookup = (id) => {
  throw new Error(`wasm pool: no elementwise kernel ${id}`);
};

/** Can this thread block in Atomics.wait? (Not a browser's main thread.) */
function canBlock(ctl: Int32Array): boolean {
  try {
    Atomics.wait(ctl, CTL.DONE, -1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Publishes the job whose parameters are already in the control block, wakes up to `wake` workers,
 * runs tasks on the calling thread, and returns once all `tasks` are done, with how many the calling thread ran.
 */
export function runJob(
  ctl: Int32Array,
  kx: KernelExports,
  tasks: number,
  wake: number,
  ew: ElementwiseLookup = noKernels,
): number {
  const gen = ((Atomics.load(ctl, CTL.LIMIT) >>> 16) + 1) & 0xffff;
  Atomics.store(ctl, CTL.DONE, 0);
  Atomics.store(ctl, CTL.LIMIT, (gen << 16) | tasks);
  Atomics.store(ctl, CTL.NEXT, gen << 16);
  if (wake > 0) Atomics.notify(ctl, CTL.NEXT, wake);
  const ran = new Int32Array(1);
  runGemmTasks(ctl, kx, ran, ew);
  const mine = ran[0] as number;
  let blocking: boolean | undefined;
  let spins = 0;
  for (;;) {
    const done = Atomics.load(ctl, CTL.DONE);
    if (done >= tasks) return mine;
    // the last tasks are usually nearly done: look a while before sleeping (waking costs tens of microseconds)
    if (++spins < SPIN) continue;
    blocking ??= canBlock(ctl);
    if (blocking) Atomics.wait(ctl, CTL.DONE, done, 50);
  }
}

interface AnyWorker {
  postMessage(data: unknown): void;
  terminate(): unknown;
}

type NodeWorkerCtor = new (
  src: string,
  opts: { eval: boolean; name?: string },
) => AnyWorker & { unref(): void; on(ev: string, fn: (e: unknown) => void): void };

function spawn(index: number): AnyWorker | undefined {
  const proc = nodeProcess();
  if (proc) {
    const wt = proc.getBuiltinModule?.('node:worker_threads') as { Worker: NodeWorkerCtor } | undefined;
    if (!wt) return undefined;
    const src = `${workerBody()}\nrequire('node:worker_threads').parentPort.once('message', start);`;
    const w = new wt.Worker(src, { eval: true, name: `norga-wasm-${index}` });
    // the pool must never keep a process alive
    w.unref();
    w.on('error', () => {});
    return w;
  }
  const g = globalThis as { Worker?: new (url: string) => AnyWorker; crossOriginIsolated?: boolean };
  if (typeof g.Worker !== 'function' || g.crossOriginIsolated !== true) return undefined;
  const src = `${workerBody()}\nself.onmessage = (e) => start(e.data);`;
  const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  return new g.Worker(url);
}

/**
 * The workers of one runtime. It only grows: replacing it would terminate workers that may be in the middle
 * of a task, and a task claimed but never finished leaves the caller waiting forever.
 */
export class WorkerPool {
  private readonly workers: AnyWorker[] = [];
  /** Workers of a disposed pool see the epoch change and exit, even if a new pool starts before they notice. */
  private readonly epoch: number;

  constructor(private readonly runtime: WasmRuntime) {
    this.epoch = Atomics.load(runtime.ctl, CTL.EPOCH);
  }

  /**
   * Spawns workers until there are `count` (at most MAX_WORKERS); they become ready asynchronously, and until
   * then the calling thread works alone.
   */
  grow(count: number): void {
    const { runtime } = this;
    if (!runtime.shared) return;
    while (this.workers.length < Math.min(count, MAX_WORKERS)) {
      const id = this.workers.length;
      const w = spawn(id);
      if (!w) return;
      w.postMessage({ module: runtime.module, memory: runtime.memory, id, epoch: this.epoch });
      this.workers.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Workers that are listening now. */
  readyCount(): number {
    const ctl = this.runtime.ctl;
    let n = 0;
    for (let i = 0; i < this.workers.length; i++) if (Atomics.load(ctl, CTL.READY + i) === 1) n++;
    return n;
  }

  /** Resolves once every worker listens (or after `timeoutMs`). */
  async ready(timeoutMs = 10_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.readyCount() < this.workers.length) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 2));
    }
    return true;
  }

  /** Runs the job in the control block on the calling thread and up to `maxWorkers` workers (see runJob). */
  run(tasks: number, maxWorkers: number, ew?: ElementwiseLookup): number {
    return runJob(this.runtime.ctl, this.runtime.exports, tasks, Math.min(maxWorkers, this.readyCount()), ew);
  }

  dispose(): void {
    const ctl = this.runtime.ctl;
    Atomics.add(ctl, CTL.EPOCH, 1);
    Atomics.notify(ctl, CTL.NEXT);
    for (let i = 0; i < this.workers.length; i++) Atomics.store(ctl, CTL.READY + i, 0);
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
