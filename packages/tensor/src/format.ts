/**
 * Printing tensors as PyTorch does: `tensor([[0.1000, 0.2000], ...])`, precision 4, one width per tensor so
 * columns line up, fixed or scientific notation chosen from the value range, and past `threshold` elements only
 * the first and last `edgeItems` of each axis with `…` between. Pure string work over a host copy of the
 * values; the reads live in tensor.ts (sync on the CPU, async elsewhere).
 */
import type { AnyTypedArray, DType } from './dtype.js';

/** How toString, format and print lay out values (PyTorch's print options). */
export interface PrintOptions {
  /** Digits after the decimal point for floats (default 4, as PyTorch). */
  precision?: number;
  /** Tensors with more elements than this are summarised (default 1000). */
  threshold?: number;
  /** Elements kept at each end of a summarised axis (default 3). */
  edgeItems?: number;
  /** Characters per line before a row wraps (default 80). */
  lineWidth?: number;
}

/** What the formatter needs to know of a tensor besides its values. */
export interface PrintLayout {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly backend: string;
}

const PREFIX = 'tensor(';

/** The whole `tensor(...)` text for row-major `values` of `layout`. */
export function formatTensor(values: AnyTypedArray, layout: PrintLayout, options: PrintOptions = {}): string {
  const opts = {
    precision: options.precision ?? 4,
    threshold: options.threshold ?? 1000,
    edgeItems: options.edgeItems ?? 3,
    lineWidth: options.lineWidth ?? 80,
  };
  const { shape, dtype } = layout;
  const summarize = values.length > opts.threshold;
  const suffix = suffixOf(layout);
  if (values.length === 0) return `${PREFIX}[]${`, shape=[${shape.join(', ')}]`}${suffix})`;
  const shown = summarize ? visibleValues(values, shape, opts.edgeItems) : Array.from(values);
  const fmt = formatterFor(shown, dtype, opts.precision);
  const strides = rowMajorStrides(shape);
  const body = (axis: number, offset: number, indent: number): string => {
    if (shape.length === 0) return fmt(values[0]!);
    const n = shape[axis]!;
    const items = indicesOf(n, summarize, opts.edgeItems);
    if (axis === shape.length - 1) {
      const cells = items.map((i) => (i < 0 ? '…' : fmt(values[offset + i]!)));
      const perLine = Math.max(1, Math.floor((opts.lineWidth - indent) / (fmt.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
    }
    const parts = items.map((i) => (i < 0 ? '…' : body(axis + 1, offset + i * strides[axis]!, indent + 1)));
    const sep = `,${'\n'.repeat(shape.length - axis - 1)}${' '.repeat(indent + 1)}`;
    return `[${parts.join(sep)}]`;
  };
  return `${PREFIX}${body(0, 0, PREFIX.length)}${suffix})`;
}

/** What PyTorch adds after the values: the dtype when not a default one, and the device when not the CPU. */
function suffixOf({ dtype, backend }: PrintLayout): string {
  let s = '';
  if (dtype === 'float64') s += ', dtype=float64';
  if (backend !== 'cpu') s += `, backend='${backend}'`;
  return s;
}

/** Indices along one axis to show, with -1 where the `…` goes. */
function indicesOf(n: number, summarize: boolean, edge: number): number[] {
  if (!summarize || n <= 2 * edge) return Array.from({ length: n }, (_, i) => i);
  return [
    ...Array.from({ length: edge }, (_, i) => i),
    -1,
    ...Array.from({ length: edge }, (_, i) => n - edge + i),
  ];
}

/** The values a summarised print shows: the formatter's width and notation come from these alone. */
function visibleValues(values: AnyTypedArray, shape: readonly number[], edge: number): number[] {
  const strides = rowMajorStrides(shape);
  const out: number[] = [];
  const walk = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      out.push(values[offset]!);
      return;
    }
    for (const i of indicesOf(shape[axis]!, true, edge))
      if (i >= 0) walk(axis + 1, offset + i * strides[axis]!);
  };
  walk(0, 0);
  return out;
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

type Formatter = ((v: number) => string) & { width: number };

/**
 * PyTorch's _Formatter: integers as they are; floats that are all whole numbers as `3.`; otherwise fixed
 * `precision` decimals, or scientific when the finite non-zero magnitudes span more than 1000× or leave
 * [1e-4, 1e8]. Every cell is padded to the widest so columns align.
 */
function formatterFor(shown: readonly number[], dtype: DType, precision: number): Formatter {
  let one: (v: number) => string;
  if (dtype === 'bool') one = (v) => (v !== 0 ? 'true' : 'false');
  else if (dtype === 'int32') one = (v) => String(v);
  else {
    const finite = shown.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
    // Loops, not Math.max(...): a spread of a large tensor's values would overflow the call stack.
    let max = 0;
    let min = Infinity;
    for (const v of finite) {
      if (v > max) max = v;
      if (v < min) min = v;
    }
    const whole = shown.every((v) => !Number.isFinite(v) || Number.isInteger(v));
    const sci = finite.length > 0 && (max / min > 1000 || max > 1e8 || (!whole && min < 1e-4));
    const num = sci
      ? (v: number) => v.toExponential(precision).replace(/e([+-])(\d)$/, 'e$10$2')
      : whole
        ? (v: number) => `${v.toFixed(0)}.`
        : (v: number) => v.toFixed(precision);
    one = (v) => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : num(v));
  }
  let width = 1;
  for (const v of shown) width = Math.max(width, one(v).length);
  const fmt = ((v: number) => one(v).padStart(width)) as Formatter;
  fmt.width = width;
  return fmt;
}
