// The page's training worker (a module worker, bundled into dist/worker.js by build.mjs): loads the page data and
// the backbone, then runs the comparison of continual.js on the backend asked for, posting every step, each
// accuracy column, the prefix attention mass and the gate to the page. Training off the main thread keeps the
// page responsive.
//   message in:  { type: 'start', dataUrl, cfg, seed, backend: 'cpu' | 'webgpu', pause?: SharedArrayBuffer }
//                (pause: an Int32 the page sets to 1 to pause at the next message, to 0 and notifies to resume)
//   messages out: { type: 'ready', backend, adapter }, 'tii', 'step', 'accuracy', 'gate', 'mass',
//                 { type: 'done', results, seconds } or { type: 'error', message }
import * as N from '@norga/norga';
import * as T from '@norga/tensor';
import { readSafetensors } from '@norga/vit';
import { adapterName, pickBackend } from './backend.js';
import { runComparison } from './continual.js';
import { fetchPageData } from './page-data.js';

self.onmessage = async ({ data: msg }) => {
  if (msg?.type !== 'start') return;
  const paused = msg.pause ? new Int32Array(msg.pause) : null;
  const post = (m) => {
    self.postMessage(m);
    // Blocks this worker (not the page) while the page holds it paused; terminate() still ends it.
    if (paused) Atomics.wait(paused, 0, 1);
  };
  try {
    const t0 = performance.now();
    const backend = await pickBackend(msg.backend);
    await T.setBackend(backend.name);
    post({
      type: 'ready',
      backend: backend.name,
      adapter: backend.adapter ? adapterName(backend.adapter) : '',
    });
    const base = new URL(msg.dataUrl, self.location.href);
    const { train, test } = await fetchPageData(base);
    const data = N.splitBenchmark(msg.cfg.benchmark, train, test, { ...msg.cfg, seed: msg.seed });
    const bytes = new Uint8Array(await (await fetch(new URL('backbone.safetensors', base))).arrayBuffer());
    const { backbone } = N.backboneFromSafetensors(readSafetensors(bytes), 'backbone.safetensors', 'tiny');
    try {
      const results = await runComparison(N, { backbone, data, cfg: msg.cfg, seed: msg.seed, post });
      post({ type: 'done', results, seconds: (performance.now() - t0) / 1000 });
    } finally {
      backbone.dispose();
    }
  } catch (err) {
    post({ type: 'error', message: `${err?.name ?? 'Error'}: ${err?.message ?? err}` });
  }
};
