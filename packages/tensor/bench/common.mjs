// Shared bench plumbing: timing by repetition until a time budget, and writing Markdown + JSON results.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** Median seconds per call of fn (sync or async), after a warm-up, repeated for about `budgetMs`. */
export async function timeIt(fn, budgetMs = 1500, minReps = 3) {
  await fn();
  const samples = [];
  const start = performance.now();
  while (samples.length < minReps || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
    if (samples.length >= 200) break;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** Writes results/<name>.json and results/<name>.md atomically (temp file + rename). */
export function writeResults(name, title, columns, rows, extra = {}) {
  mkdirSync(resultsDir, { recursive: true });
  const json = { title, machine: machine(), columns, rows, ...extra };
  const md = [
    `# ${title}`,
    '',
    `Machine: ${json.machine.cpu}, ${json.machine.cores} cores, Node ${json.machine.node}, ${json.machine.date}.`,
    '',
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => r[c] ?? '').join(' | ')} |`),
    '',
  ].join('\n');
  for (const [ext, text] of [
    ['json', JSON.stringify(json, null, 2)],
    ['md', md],
  ]) {
    const file = join(resultsDir, `${name}.${ext}`);
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }
  console.log(md);
}
