// The page's training worker (a module worker, bundled by the example's build step): loads the page data and
// the backbone, then runs the comparison of continual.js on the backend asked for, posting every step, each
// accuracy column and the gate to the page. Training off the main thread keeps the page responsive.
//   message in:  { type: 'start', dataUrl, cfg, seed, backend: 'cpu' | 'webgpu' }
//   messages out: { type: 'ready', backend, adapter }, 'tii', 'step', 'accuracy', 'gate', { type: 'done', results,
//                 seconds } or { type: 'error', message }
import * as N from '@norga/norga';
import * as T from '@norga/tensor';
import { readSafetensors } from '@norga/vit';
import { runComparison } from './continual.js';
import { fetchPageData } from './page-data.js';

/** The adapter's vendor / architecture / description, or '' off WebGPU. */
async function adapterName(backend) {
  if (backend !== 'webgpu') return '';
  const info = (await navigator.gpu?.requestAdapter())?.info ?? {};
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ');
}

self.onmessage = async ({ data: msg }) => {
  if (msg?.type !== 'start') return;
  const post = (m) => self.postMessage(m);
  try {
    const t0 = performance.now();
    await T.setBackend(msg.backend);
    post({ type: 'ready', backend: msg.backend, adapter: await adapterName(msg.backend) });
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
