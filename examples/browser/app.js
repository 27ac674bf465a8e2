// The continual-learning page (index.html): Split MNIST, prefix tuning and NoRGa side by side, trained in a Web
// Worker (dist/worker.js) on WebGPU when navigator.gpu gives an adapter, else on the CPU tier, with live charts.
// The run configuration is `norga run`'s default (data/<benchmark>/config.json, written by build-data.mjs) with
// the page's controls applied; the URL can set them too, and any RunConfig field (for tests and benchmarks):
//   ?perClass=100&seed=1&backend=auto|webgpu|cpu&autostart=1&config={"tasks":2,"epochs":1}
// window.norgaPage exposes the run's state, results and time to tests.
import { adapterName, pickBackend } from './backend.js';
import { LiveCharts } from './charts.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const dataUrl = new URL('data/split-mnist/', location.href);

/** What tests read: 'idle' | 'running' | 'paused' | 'done' | 'error', and the run's outcome. */
const page = { state: 'idle', backend: '', adapter: '', results: null, seconds: 0, error: '', messages: 0 };
window.norgaPage = page;

let worker = null;
let charts = null;
let pauseFlag = null;
let t0 = 0;

function setState(state, text) {
  page.state = state;
  document.body.dataset.state = state;
  $('start').disabled = state === 'running' || state === 'paused';
  $('pause').disabled = !(state === 'running' || state === 'paused') || !pauseFlag;
  $('pause').textContent = state === 'paused' ? 'Resume' : 'Pause';
  if (text !== undefined) $('status').textContent = text;
}

/** The run configuration: norga run's defaults, then the URL's `config`, then the controls. */
async function runConfig() {
  const r = await fetch(new URL('config.json', dataUrl));
  if (!r.ok) throw new Error(`${r.url}: HTTP ${r.status} (run the example's build step: see its README)`);
  const seed = Number($('seed').value);
  return {
    ...(await r.json()),
    ...JSON.parse(params.get('config') ?? '{}'),
    trainPerClass: Number($('perClass').value),
    seeds: [seed],
  };
}

async function start() {
  reset();
  setState('running', 'loading the data and the backbone…');
  try {
    const cfg = await runConfig();
    const backend = await pickBackend($('backend').value);
    const per = (n) => (n > 0 ? n : 'all');
    $('config').textContent =
      `${cfg.tasks} tasks, ${per(cfg.trainPerClass)} training and ${per(cfg.testPerClass)} test images per class, ` +
      `${cfg.epochs} epoch${cfg.epochs === 1 ? '' : 's'}, batch ${cfg.batchSize}, prompted blocks ${cfg.promptLayers.join(', ')}, seed ${cfg.seeds[0]}.`;
    page.backend = backend.name;
    page.adapter = backend.adapter ? adapterName(backend.adapter) : '';
    $('device').textContent =
      backend.name === 'webgpu' ? `WebGPU: ${page.adapter}` : 'CPU tier (JavaScript + WebAssembly workers)';
    charts = new LiveCharts(
      {
        loss: $('loss'),
        forgetting: $('forgetting'),
        mass: $('mass'),
        gate: $('gate'),
        matrices: $('matrices'),
      },
      cfg,
    );
    // Pausing blocks the worker on a shared flag: only where the page is cross-origin isolated.
    pauseFlag = globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onerror = (e) => fail(`worker: ${e.message}`);
    worker.onmessage = ({ data }) => onMessage(data);
    t0 = performance.now();
    worker.postMessage({
      type: 'start',
      dataUrl: dataUrl.href,
      cfg: { ...cfg, backend: backend.name },
      seed: cfg.seeds[0],
      backend: backend.name,
      pause: pauseFlag?.buffer,
    });
    setState('running');
  } catch (err) {
    fail(err.message);
  }
}

function onMessage(msg) {
  page.messages++;
  charts?.take(msg);
  const s = ((performance.now() - t0) / 1000).toFixed(0);
  if (msg.type === 'step') {
    const what = msg.method === 'tii' ? 'task identity' : msg.method;
    $('status').textContent =
      `${s} s: ${what}, task ${msg.task + 1}, ${msg.phase} epoch ${msg.epoch}/${msg.epochs}, step ${msg.step}/${msg.steps}, loss ${msg.loss.toFixed(3)}`;
  } else if (msg.type === 'done') {
    page.results = msg.results;
    page.seconds = msg.seconds;
    worker.terminate();
    worker = null;
    const faa = Object.entries(msg.results).map(([m, r]) => {
      const last = r.acc.map((row) => row[row.length - 1]);
      return `${m} ${((100 * last.reduce((a, b) => a + b, 0)) / last.length).toFixed(1)} %`;
    });
    setState('done', `done in ${msg.seconds.toFixed(1)} s. Final average accuracy: ${faa.join(', ')}`);
  } else if (msg.type === 'error') fail(msg.message);
}

function fail(message) {
  page.error = message;
  worker?.terminate();
  worker = null;
  setState('error', `error: ${message}`);
}

function togglePause() {
  if (!pauseFlag) return;
  if (page.state === 'running') {
    Atomics.store(pauseFlag, 0, 1);
    setState('paused', `${$('status').textContent} (paused)`);
  } else if (page.state === 'paused') {
    Atomics.store(pauseFlag, 0, 0);
    Atomics.notify(pauseFlag, 0);
    setState('running');
  }
}

function reset() {
  worker?.terminate();
  worker = null;
  charts?.destroy();
  charts = null;
  Object.assign(page, { results: null, seconds: 0, error: '', messages: 0 });
  $('config').textContent = '';
  setState('idle', '');
}

for (const id of ['perClass', 'seed', 'backend']) if (params.has(id)) $(id).value = params.get(id);
$('start').addEventListener('click', start);
$('pause').addEventListener('click', togglePause);
$('reset').addEventListener('click', reset);
setState('idle');
if (params.get('autostart') === '1') start();
