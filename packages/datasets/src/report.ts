import type { DatasetReport } from './node/registry.js';

/** A plain-text table of data set reports, one line per data set, reasons for missing ones below. */
export function formatReport(reports: readonly DatasetReport[]): string {
  const rows = reports.map((r) => [
    r.name,
    r.status,
    r.train === undefined ? '-' : String(r.train),
    r.test === undefined ? '-' : String(r.test),
    r.classes === undefined ? '-' : String(r.classes),
    r.shape ? r.shape.join('x') : '-',
    r.trainPerClass ? perClass(r.trainPerClass) : '-',
    r.path ?? '-',
  ]);
  const header = ['name', 'status', 'train', 'test', 'classes', 'CxHxW', 'train/class', 'path'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const notes = reports.filter((r) => r.message).map((r) => `${r.name}: ${r.message}`);
  return [line(header), ...rows.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

function perClass(counts: readonly number[]): string {
  if (counts.length === 0) return '-';
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  return min === max ? String(min) : `${min}-${max}`;
}
