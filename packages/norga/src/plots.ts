/**
 * Plots a person opens: SVG files rendered headless by Vega-Lite (no canvas, no browser). Each function builds a
 * Vega-Lite spec from plain numbers; `renderSvg` compiles and renders it. `vega` and `vega-lite` are optional peer
 * dependencies (13 MB), loaded only when a plot is rendered: the rest of the package loads, by `import` or
 * `require()`, and type-checks without them.
 */
import type { AccuracyMatrix } from './metrics.js';

/**
 * A Vega-Lite specification as plain JSON: the schema, the rows it draws and whatever else Vega-Lite reads (title,
 * mark, encoding, facet, layer, transform…). Declared here so that the public types need none of vega-lite's.
 */
export interface PlotSpec {
  /** The Vega-Lite JSON schema the spec follows (version 6). */
  $schema: string;
  /** The rows the plot draws, one plain object of numbers and strings each. */
  data: { values: Record<string, unknown>[] };
  /** Every other property of a Vega-Lite top-level spec, passed through unchecked. */
  [property: string]: unknown;
}

/** `renderSvg` was called where `vega` or `vega-lite` cannot be loaded; the message says what to install. */
export class PlotError extends Error {
  override name = 'PlotError';
}

/** vega and vega-lite, imported at the first plot, or a PlotError naming what to install when one is missing. */
async function loadVega() {
  try {
    const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
    return { vega, vegaLite };
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new PlotError(
      `install vega and vega-lite to write plots: npm install vega@6.4.0 vega-lite@6.5.0 (${(err as Error).message})`,
      { cause: err },
    );
  }
}

/**
 * Compiles a Vega-Lite spec and renders it to an SVG document (a string starting with `<svg`).
 *
 * @throws PlotError when `vega` or `vega-lite` is not installed.
 */
export async function renderSvg(spec: PlotSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One method's accuracy matrix, as the plots take it. */
export interface MethodMatrix {
  method: string;
  /** Accuracy matrix (fractions); when several seeds ran, their element-wise mean. */
  acc: AccuracyMatrix;
}

/** One heat map per method: rows are tasks, columns the task after which they were tested, cells in percent. */
export function accuracyHeatmapSpec(items: MethodMatrix[]): PlotSpec {
  // Panels in the order the methods were asked for, not alphabetically.
  const order = items.map((i) => i.method);
  const values = items.flatMap(({ method, acc }) =>
    acc.flatMap((row, i) =>
      row.flatMap((a, t) =>
        Number.isFinite(a) ? [{ method, task: `task ${i + 1}`, after: `after ${t + 1}`, acc: a * 100 }] : [],
      ),
    ),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Test accuracy (%) of each task after training each task',
    data: { values },
    facet: { column: { field: 'method', type: 'nominal', title: null, sort: order } },
    spec: {
      width: 200,
      height: 200,
      encoding: {
        x: { field: 'after', type: 'ordinal', title: 'after training', sort: null },
        y: { field: 'task', type: 'ordinal', title: 'tested on', sort: null },
      },
      layer: [
        {
          mark: 'rect',
          encoding: {
            color: {
              field: 'acc',
              type: 'quantitative',
              title: 'accuracy %',
              scale: { domain: [0, 100], scheme: 'viridis' },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            text: { field: 'acc', type: 'quantitative', format: '.1f' },
            color: { condition: { test: 'datum.acc > 60', value: 'black' }, value: 'white' },
          },
        },
      ],
    },
  };
}

/** Accuracy of each task over time (one line per task), one panel per method: forgetting shows as a falling line. */
export function accuracyOverTimeSpec(items: MethodMatrix[]): PlotSpec {
  const order = items.map((i) => i.method);
  const values = items.flatMap(({ method, acc }) =>
    acc.flatMap((row, i) =>
      row.flatMap((a, t) =>
        Number.isFinite(a) ? [{ method, task: `task ${i + 1}`, after: t + 1, acc: a * 100 }] : [],
      ),
    ),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Per-task test accuracy over the task sequence',
    data: { values },
    facet: { column: { field: 'method', type: 'nominal', title: null, sort: order } },
    spec: {
      width: 220,
      height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: {
          field: 'after',
          type: 'quantitative',
          title: 'after training task',
          axis: { tickMinStep: 1, format: 'd' },
        },
        y: { field: 'acc', type: 'quantitative', title: 'accuracy %', scale: { domain: [0, 100] } },
        color: { field: 'task', type: 'nominal', title: 'task' },
      },
    },
  };
}

/** One method's prefix attention mass (Learner.prefixMass) per task and prompted layer. */
export interface PrefixMass {
  method: string;
  /** mass[task][layer]: mean softmax weight the task's prefix columns receive, over heads, queries and test images. */
  mass: number[][];
}

/** How much attention the prefix experts draw in each prompted layer, per task and method. */
export function prefixMassSpec(items: PrefixMass[]): PlotSpec {
  const order = items.map((i) => i.method);
  const values = items.flatMap(({ method, mass }) =>
    mass.flatMap((perLayer, task) =>
      perLayer.map((m, layer) => ({ method, task: `task ${task + 1}`, layer, mass: m })),
    ),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Attention mass on the prefix experts per prompted layer',
    data: { values },
    facet: { column: { field: 'method', type: 'nominal', title: null, sort: order } },
    spec: {
      width: 200,
      height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'layer', type: 'ordinal', title: 'layer' },
        y: {
          field: 'mass',
          type: 'quantitative',
          title: 'softmax mass on prefix columns',
          scale: { domain: [0, 1] },
        },
        color: { field: 'task', type: 'nominal', title: 'prefix of' },
      },
    },
  };
}
