// The page's live charts (Chart.js, bundled by build.mjs) and its accuracy-matrix tables, fed by the worker's
// messages through `LiveCharts.take`. Redraws are coalesced into one per animation frame: the worker posts
// every training step.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
);

/** A colour per task (and per layer), and one per method (the page test looks for these colours' pixels). */
const TASK_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const METHOD_COLOURS = ['#888888', '#1f6fd1', '#2ca02c', '#d62728'];

/** The names the page shows for the methods (norga's names otherwise). */
const LABELS = { 'prefix-tuning': 'prefix tuning', 'norga-tanh': 'NoRGa (tanh)', tii: 'task identity (TII)' };
const label = (name) => LABELS[name] ?? name;

/** Options shared by every chart: no animation (live data), titled axes with ticks. */
function options(title, xTitle, yTitle, extra = {}) {
  const axis = (text) => ({ title: { display: true, text }, ticks: { maxTicksLimit: 8 } });
  return {
    animation: false,
    responsive: false,
    plugins: {
      title: { display: true, text: title },
      legend: { position: 'bottom', labels: { boxWidth: 12 } },
    },
    scales: { x: axis(xTitle), y: axis(yTitle) },
    ...extra,
  };
}

/** Deep-merges scale options into `o.scales` (min, max, type). */
function withScales(o, scales) {
  for (const [k, v] of Object.entries(scales)) o.scales[k] = { ...o.scales[k], ...v };
  return o;
}

/** The live charts and tables of one run of `methods` over `tasks` tasks with prompted blocks `layers`. */
export class LiveCharts {
  /**
   * @param {{ loss: HTMLCanvasElement, forgetting: HTMLCanvasElement, mass: HTMLCanvasElement,
   *   gate: HTMLCanvasElement, matrices: HTMLElement }} el
   * @param {{ methods: string[], tasks: number, promptLayers: number[] }} cfg
   */
  constructor(el, cfg) {
    this.cfg = cfg;
    this.el = el;
    this.pending = false;
    const after = Array.from({ length: cfg.tasks }, (_, t) => `after task ${t + 1}`);
    this.loss = new Chart(el.loss, {
      type: 'line',
      data: {
        datasets: [...cfg.methods, 'tii'].map((m, k) => ({
          label: label(m),
          data: [],
          borderColor: m === 'tii' ? '#bbbbbb' : METHOD_COLOURS[k % METHOD_COLOURS.length],
          backgroundColor: m === 'tii' ? '#bbbbbb' : METHOD_COLOURS[k % METHOD_COLOURS.length],
          borderWidth: 2,
          pointRadius: 0,
        })),
      },
      options: withScales(options('Training loss per step', 'step (all tasks)', 'loss'), {
        x: { type: 'linear', min: 0 },
        y: { min: 0 },
      }),
    });
    this.forgetting = new Chart(el.forgetting, {
      type: 'line',
      data: {
        labels: after,
        datasets: cfg.methods.flatMap((m, k) =>
          after.map((_, i) => ({
            label: `${label(m)}: task ${i + 1}`,
            data: after.map(() => null),
            borderColor: TASK_COLOURS[i % TASK_COLOURS.length],
            backgroundColor: TASK_COLOURS[i % TASK_COLOURS.length],
            borderDash: k === 0 ? [5, 4] : [],
            pointRadius: 3,
          })),
        ),
      },
      options: withScales(
        options('Each task’s accuracy over time (dashed: prefix tuning)', 'evaluated', 'test accuracy (%)'),
        { y: { min: 0, max: 100 } },
      ),
    });
    this.mass = new Chart(el.mass, {
      type: 'bar',
      data: {
        labels: after.map((_, t) => `task ${t + 1}`),
        datasets: cfg.methods.flatMap((m, k) =>
          cfg.promptLayers.map((layer, j) => ({
            label: `${label(m)}, block ${layer}`,
            data: after.map(() => null),
            backgroundColor: METHOD_COLOURS[k % METHOD_COLOURS.length],
            borderColor: TASK_COLOURS[j % TASK_COLOURS.length],
            borderWidth: 2,
          })),
        ),
      },
      options: withScales(
        options('Softmax mass on each task’s prefix experts', 'task (its prefix, its test images)', 'mass'),
        { y: { min: 0 } },
      ),
    });
    this.gate = new Chart(el.gate, {
      type: 'bar',
      data: {
        labels: cfg.promptLayers.flatMap((l) => [`α, block ${l}`, `τ, block ${l}`]),
        datasets: [],
      },
      options: options('Learned gate (α, τ) after task 1', 'parameter', 'value'),
    });
    this.matrices = this.#matrixTables(el.matrices);
  }

  /** Updates the charts and tables from one worker message. */
  take(msg) {
    const m = this.cfg.methods.indexOf(msg.method);
    if (msg.type === 'step' && (msg.phase === 'wtp' || msg.phase === 'tii')) {
      const set = this.loss.data.datasets[msg.phase === 'tii' ? this.cfg.methods.length : m];
      if (set) set.data.push({ x: set.data.length, y: msg.loss });
    } else if (msg.type === 'accuracy' && m >= 0) {
      const T = this.cfg.tasks;
      for (let i = 0; i <= msg.task; i++) {
        const a = msg.acc[i][msg.task] * 100;
        this.forgetting.data.datasets[m * T + i].data[msg.task] = a;
        const cell = this.matrices[m][i][msg.task];
        cell.textContent = a.toFixed(1);
        cell.style.background = `hsl(${(a * 1.2).toFixed(0)} 70% 80%)`;
      }
    } else if (msg.type === 'mass' && m >= 0) {
      const L = this.cfg.promptLayers.length;
      msg.mass.forEach((v, j) => {
        this.mass.data.datasets[m * L + j].data[msg.task] = v;
      });
    } else if (msg.type === 'gate' && Object.keys(msg.gate).length > 0) {
      const values = this.cfg.promptLayers.flatMap((l) => [
        msg.gate[`gate.alpha.${l}`],
        msg.gate[`gate.tau.${l}`],
      ]);
      this.gate.data.datasets.push({
        label: label(msg.method),
        data: values,
        backgroundColor: METHOD_COLOURS[m % METHOD_COLOURS.length],
      });
    } else return;
    this.#redrawSoon();
  }

  /** Removes the charts (a reset). */
  destroy() {
    for (const c of [this.loss, this.forgetting, this.mass, this.gate]) c.destroy();
    this.el.matrices.replaceChildren();
  }

  #redrawSoon() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      for (const c of [this.loss, this.forgetting, this.mass, this.gate]) c.update('none');
    });
  }

  /** One table per method, a[i][t] (row: the task evaluated, column: after task t), empty until filled. */
  #matrixTables(host) {
    host.replaceChildren();
    return this.cfg.methods.map((method) => {
      const table = document.createElement('table');
      table.className = 'matrix';
      table.dataset.method = method;
      const caption = table.createCaption();
      caption.textContent = `${label(method)}: accuracy (%)`;
      const head = table.createTHead().insertRow();
      head.insertCell().textContent = '';
      for (let t = 0; t < this.cfg.tasks; t++) head.insertCell().textContent = `t=${t + 1}`;
      const body = table.createTBody();
      const cells = Array.from({ length: this.cfg.tasks }, (_, i) => {
        const row = body.insertRow();
        row.insertCell().textContent = `task ${i + 1}`;
        return Array.from({ length: this.cfg.tasks }, () => row.insertCell());
      });
      host.append(table);
      return cells;
    });
  }
}
