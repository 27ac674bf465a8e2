// Bench plumbing: median time per call after a warm-up, and atomic Markdown + JSON results.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

/**
 * Best (minimum) seconds per call of fn after `warmup` calls, over about `budgetMs`. The minimum, not the
 * median: on a shared machine other load only ever slows a call down. A warm-up slower than the budget is
 * itself the (single) sample, so very slow configurations finish.
 */
export async function timeIt(fn, { budgetMs = 3000, minReps = 3, warmup = 1, callTimeoutMs = 120_000 } = {}) {
  const timed = async () => {
    const t0 = performance.now();
    let timer;
    // The timer also keeps the event loop alive while a GPU readback is pending.
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`one call took over ${callTimeoutMs / 1000} s (hung?)`)),
        callTimeoutMs,
      );
    });
    try {
      await Promise.race([fn(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return (performance.now() - t0) / 1000;
  };
  let first = 0;
  for (let i = 0; i < warmup; i++) first = await timed();
  if (first * 1000 > budgetMs) return first;
  const samples = [];
  const start = performance.now();
  while (samples.length < minReps || performance.now() - start < budgetMs) {
    samples.push(await timed());
    if (samples.length >= 100) break;
  }
  return Math.min(...samples);
}

export function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
  };
}

export function writeResults(name, title, columns, rows, notes = []) {
  mkdirSync(resultsDir, { recursive: true });
  const json = { title, machine: machine(), columns, rows, notes };
  const md = [
    `# ${title}`,
    '',
    `Machine: ${json.machine.cpu}, ${json.machine.cores} cores, Node ${json.machine.node}, ${json.machine.date}.`,
    '',
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => r[c] ?? '').join(' | ')} |`),
    '',
    ...notes.map((n) => `- ${n}`),
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
