// The NoRGa gate explorer (gates.html): the score function and the gating probabilities it produces, computed
// with @norga/tensor in the browser, on WebGPU when navigator.gpu gives an adapter, else on the CPU. Bundled into
// dist/gates.js by build.mjs; served by serve.mjs.
import * as T from '@norga/tensor';
import { adapterName, pickBackend } from './backend.js';

const $ = (id) => document.getElementById(id);
const L = 5; // prefix experts
const N = 12; // token experts
const D = 16; // head dimension

function sigma(kind, z) {
  return kind === 'tanh' ? T.tanh(z) : kind === 'sigmoid' ? T.sigmoid(z) : T.gelu(z);
}

/** s' = s + alpha * sigma(tau * s), on a tensor. */
function norga(s, kind, alpha, tau) {
  return s.add(sigma(kind, s.mul(tau)).mul(alpha));
}

function scales(svg, xs, ys) {
  const w = svg.width.baseVal.value;
  const h = svg.height.baseVal.value;
  const pad = 34;
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  return {
    x: (v) => pad + ((v - x0) / (x1 - x0 || 1)) * (w - 2 * pad),
    y: (v) => h - pad - ((v - y0) / (y1 - y0 || 1)) * (h - 2 * pad),
    w,
    h,
    pad,
    y0,
    y1,
    x0,
    x1,
  };
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
function ticks(lo, hi, count = 5) {
  const raw = (hi - lo || 1) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * The x axis (ticks at `xTicks`, moved right by `shift` pixels, labelled by `xLabel`) and the y axis (round
 * ticks) of scales `sc`.
 */
function axes(svg, sc, xTicks, xLabel = (v) => String(v), shift = 0) {
  const base = sc.h - sc.pad;
  svg.append(el('line', { x1: sc.pad, x2: sc.w - sc.pad, y1: base, y2: base, stroke: '#444' }));
  svg.append(el('line', { x1: sc.pad, x2: sc.pad, y1: sc.pad, y2: base, stroke: '#444' }));
  for (const v of xTicks) {
    const x = sc.x(v) + shift;
    svg.append(el('line', { x1: x, x2: x, y1: base, y2: base + 4, stroke: '#444' }));
    svg.append(el('text', { x, y: base + 15, 'text-anchor': 'middle', 'font-size': 10 }, xLabel(v)));
  }
  for (const v of ticks(sc.y0, sc.y1)) {
    svg.append(el('line', { x1: sc.pad - 4, x2: sc.pad, y1: sc.y(v), y2: sc.y(v), stroke: '#444' }));
    svg.append(
      el('text', { x: sc.pad - 6, y: sc.y(v) + 3, 'text-anchor': 'end', 'font-size': 10 }, String(v)),
    );
  }
}

function el(name, attrs, text) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The values of `tensors` (read back from whichever backend holds them), each then disposed. */
async function values(tensors) {
  const out = await Promise.all(tensors.map(async (t) => Array.from(await t.data())));
  for (const t of tensors) t.dispose();
  return out;
}

async function drawCurve(kind, alpha, tau) {
  const [xs, ys] = await values(
    T.tidy(() => {
      const s = T.linspace(-4, 4, 161);
      return [s, norga(s, kind, alpha, tau)];
    }),
  );
  const svg = $('curve');
  svg.replaceChildren();
  const sc = scales(svg, xs, [...ys, ...xs]);
  axes(svg, sc, ticks(-4, 4, 8));
  svg.append(el('line', { x1: sc.pad, x2: sc.w - sc.pad, y1: sc.y(0), y2: sc.y(0), stroke: '#ccc' }));
  svg.append(el('line', { x1: sc.x(0), x2: sc.x(0), y1: sc.pad, y2: sc.h - sc.pad, stroke: '#ccc' }));
  const path = (vals, color) =>
    el('path', {
      d: xs.map((x, i) => `${i ? 'L' : 'M'}${sc.x(x).toFixed(1)},${sc.y(vals[i]).toFixed(1)}`).join(''),
      fill: 'none',
      stroke: color,
      'stroke-width': 2,
    });
  svg.append(path(xs, '#999'), path(ys, '#1f6fd1'));
  svg.append(
    el(
      'text',
      { x: sc.w - sc.pad, y: sc.h - 8, 'text-anchor': 'end', 'font-size': 12 },
      's (linear prefix score)',
    ),
  );
  svg.append(el('text', { x: 6, y: 16, 'font-size': 12 }, `grey: s   blue: s + ${alpha}·${kind}(${tau}·s)`));
}

async function drawGates(kind, alpha, tau, seed) {
  T.manualSeed(seed);
  const [plain, gated] = await values(
    T.tidy(() => {
      const q = T.randn([1, D]);
      const keys = T.randn([N, D]);
      const prefix = T.randn([L, D]);
      const scale = 1 / Math.sqrt(D);
      const sPrefix = T.matmul(q, T.transpose(prefix)).mul(scale); // [1, L], linear in q
      const sTokens = T.matmul(q, T.transpose(keys)).mul(scale); // [1, N]
      const plain = T.softmax(T.concat([sPrefix, sTokens], 1), -1);
      const gated = T.softmax(T.concat([norga(sPrefix, kind, alpha, tau), sTokens], 1), -1);
      return [plain, gated];
    }),
  );
  const svg = $('gates');
  svg.replaceChildren();
  const sc = scales(svg, [0, L + N], [0, Math.max(...plain, ...gated)]);
  const bw = (sc.w - 2 * sc.pad) / (L + N) / 2.4;
  // Each expert's tick under the middle of its two bars.
  const experts = Array.from({ length: L + N }, (_, e) => e);
  axes(svg, sc, experts, (e) => String(e + 1), 2 + bw);
  for (let e = 0; e < L + N; e++) {
    const x = sc.x(e) + 2;
    svg.append(
      el('rect', { x, y: sc.y(plain[e]), width: bw, height: sc.y(0) - sc.y(plain[e]), fill: '#aaa' }),
    );
    svg.append(
      el('rect', {
        x: x + bw,
        y: sc.y(gated[e]),
        width: bw,
        height: sc.y(0) - sc.y(gated[e]),
        fill: '#1f6fd1',
      }),
    );
  }
  svg.append(
    el('line', {
      x1: sc.x(L) + 1,
      x2: sc.x(L) + 1,
      y1: sc.pad,
      y2: sc.h - sc.pad,
      stroke: '#d33',
      'stroke-dasharray': '4 3',
    }),
  );
  svg.append(el('text', { x: sc.x(0), y: sc.h - 4, 'font-size': 12 }, 'prefix experts'));
  svg.append(el('text', { x: sc.x(L) + 6, y: sc.h - 4, 'font-size': 12 }, 'token experts'));
  svg.append(el('text', { x: 4, y: 14, 'font-size': 12 }, 'gating probability'));
  const mass = (p) => p.slice(0, L).reduce((a, b) => a + b, 0);
  $('mass').textContent =
    `Mass on the prefix experts: ${(100 * mass(plain)).toFixed(1)}% with prefix tuning, ${(100 * mass(gated)).toFixed(1)}% with NoRGa.`;
}

let drawing = Promise.resolve();

function update() {
  const kind = $('sigma').value;
  const alpha = Number($('alpha').value);
  const tau = Number($('tau').value);
  const seed = Number($('seed').value) || 0;
  $('alphaV').textContent = alpha.toFixed(2);
  $('tauV').textContent = tau.toFixed(2);
  // One redraw at a time: on WebGPU the values come back asynchronously.
  drawing = drawing
    .then(async () => {
      await drawCurve(kind, alpha, tau);
      await drawGates(kind, alpha, tau, seed);
      const m = T.memory();
      $('status').textContent =
        `live tensors after the update: ${m.tensors} (tidy and dispose free what each update made)`;
    })
    .catch((err) => {
      $('status').textContent = `error: ${err.message}`;
    });
}

const backend = await pickBackend(new URLSearchParams(location.search).get('backend') ?? 'auto');
await T.setBackend(backend.name);
$('backend').textContent = backend.name === 'webgpu' ? `WebGPU (${adapterName(backend.adapter)})` : 'CPU';
for (const id of ['sigma', 'alpha', 'tau', 'seed']) $(id).addEventListener('input', update);
update();
