/**
 * A pool of workers sharing the runtime's memory: Node worker_threads, or Web Workers where the page is
 * cross-origin isolated (SharedArrayBuffer allowed). Each worker instantiates the same compiled module on the
 * same memory, then sleeps in Atomics.wait on its GO slot. A job costs no messages and no copies: the calling
 * thread writes the job into the control block, wakes the ready workers, claims tasks itself too, and waits until
 * each woken worker has reported FINISHED.
 */
import { CTL, MAX_WORKERS, runGemmTasks } from './control.js';
import { nodeProcess } from './features.js';
import type { WasmRuntime } from './runtime.js';

/** The worker's program; runGemmTasks is inlined from its source so both sides run the same code. */
function workerBody(): string {
  return `
const runGemmTasks = (${runGemmTasks.toString()});
function start(data) {
  const { module, memory, id } = data;
  const { gemm, packA } = new WebAssembly.Instance(module, { env: { memory } }).exports;
  // the control block sits at offset 0 and never moves; shared buffers do not detach on growth
  const c = new Int32Array(memory.buffer, 0, ${CTL.SIZE});
  Atomics.store(c, ${CTL.READY} + id, 1);
  for (;;) {
    while (Atomics.wait(c, ${CTL.GO} + id, 0, 500) === 'timed-out') {
      if (Atomics.load(c, ${CTL.QUIT}) !== 0) return;
    }
    Atomics.store(c, ${CTL.GO} + id, 0);
    if (Atomics.load(c, ${CTL.QUIT}) !== 0) return;
    if (c[${CTL.KIND}] === 1) runGemmTasks(c, gemm, packA);
    Atomics.add(c, ${CTL.FINISHED}, 1);
    Atomics.notify(c, ${CTL.FINISHED});
  }
}
`;
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

/** Can this thread block in Atomics.wait? (Not a browser's main thread.) */
function canBlock(ctl: Int32Array): boolean {
  try {
    Atomics.wait(ctl, CTL.QUIT, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class WorkerPool {
  private readonly workers: AnyWorker[] = [];
  private readonly blocking: boolean;
  /** Jobs run, and how many ran with at least one worker. */
  readonly stats = { jobs: 0, parallelJobs: 0 };

  /** Spawns `count` workers; they become ready asynchronously, and until then the calling thread works alone. */
  constructor(
    private readonly runtime: WasmRuntime,
    count: number,
  ) {
    const ctl = runtime.ctl;
    Atomics.store(ctl, CTL.QUIT, 0);
    this.blocking = canBlock(ctl);
    if (!runtime.shared) return;
    for (let i = 0; i < Math.min(count, MAX_WORKERS); i++) {
      const w = spawn(i);
      if (!w) break;
      w.postMessage({ module: runtime.module, memory: runtime.memory, id: i });
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

  /**
   * Runs the job already written into the control block on the calling thread and up to `maxWorkers` ready
   * workers, returning when all tasks are done.
   */
  runGemm(maxWorkers: number): void {
    const ctl = this.runtime.ctl;
    Atomics.store(ctl, CTL.KIND, 1);
    Atomics.store(ctl, CTL.NEXT, 0);
    Atomics.store(ctl, CTL.FINISHED, 0);
    let woken = 0;
    for (let i = 0; i < this.workers.length && woken < maxWorkers; i++) {
      if (Atomics.load(ctl, CTL.READY + i) !== 1) continue;
      Atomics.store(ctl, CTL.GO + i, 1);
      Atomics.notify(ctl, CTL.GO + i);
      woken++;
    }
    runGemmTasks(ctl, this.runtime.exports.gemm, this.runtime.exports.packA);
    // every woken worker must check out before the control block is reused
    for (;;) {
      const done = Atomics.load(ctl, CTL.FINISHED);
      if (done >= woken) break;
      if (this.blocking) Atomics.wait(ctl, CTL.FINISHED, done, 50);
    }
    this.stats.jobs++;
    if (woken > 0) this.stats.parallelJobs++;
  }

  dispose(): void {
    const ctl = this.runtime.ctl;
    Atomics.store(ctl, CTL.QUIT, 1);
    for (let i = 0; i < this.workers.length; i++) {
      Atomics.store(ctl, CTL.GO + i, 1);
      Atomics.notify(ctl, CTL.GO + i);
      Atomics.store(ctl, CTL.READY + i, 0);
    }
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}
