#!/usr/bin/env node
/**
 * Merges finished `norga run` directories that differ only in their methods and seeds into one results set
 * (results.json / results.md / plots, with the paired table over every seed a method shares with prefix tuning):
 *
 *   node packages/norga/scripts/merge-runs.mjs OUT_DIR RUN_DIR [RUN_DIR ...]
 *
 * Each (method, seed) is a deterministic function of the configuration, so a run made in pieces (the main job's
 * 3 seeds, then more seeds or methods) gives the same numbers as one long run. Anything else that differs between
 * the configurations is refused, and a (method, seed) found twice must agree exactly. A directory whose run has not
 * finished (no results.json) contributes the (method, seed) results it holds (`<method>/seed-<s>/result.json`,
 * checksums checked); its configuration is its config.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadBackbone,
  METHOD_SPECS,
  prefixLearnerParameters,
  readStateIfExists,
  writeResults,
} from '@norga/norga';

const [out, ...dirs] = process.argv.slice(2);
if (!out || dirs.length === 0) {
  console.error('usage: node merge-runs.mjs OUT_DIR RUN_DIR [RUN_DIR ...]');
  process.exit(2);
}
// A cell that was not measured (NaN in memory) is written to JSON as "NaN" or null: read both back as NaN.
const numbers = (v) => (v === null || v === 'NaN' ? Number.NaN : Array.isArray(v) ? v.map(numbers) : v);
const readRuns = (runs) =>
  runs.map((r) => ({
    ...r,
    acc: numbers(r.acc),
    tii: numbers(r.tii),
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, numbers(v)])),
  }));
/** An unfinished run directory as a summary of the (method, seed) results it holds. */
function partialSummary(d) {
  const config = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
  const runs = config.methods.flatMap((m) =>
    config.seeds.flatMap((seed) => {
      const r = readStateIfExists(join(d, m, `seed-${seed}`, 'result.json'));
      return r ? [r] : [];
    }),
  );
  const held = [...new Set(runs.map((r) => r.method))];
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const wallSeconds = runs.reduce((t, r) => t + r.wallSeconds, 0);
  return {
    command: `(unfinished run in ${d})`,
    config: { ...config, methods: held, seeds },
    runs,
    wallSeconds,
  };
}
const summaries = dirs.map((d) => {
  const s = existsSync(join(d, 'results.json'))
    ? JSON.parse(readFileSync(join(d, 'results.json'), 'utf8'))
    : partialSummary(d);
  return { dir: d, s: { ...s, runs: readRuns(s.runs) } };
});
const identity = ({ methods: _m, seeds: _s, ...rest }) => JSON.stringify(rest);
const first = summaries[0];
for (const { dir, s } of summaries) {
  if (identity(s.config) !== identity(first.s.config))
    throw new Error(`${dir}: its configuration differs from ${first.dir} in more than methods and seeds`);
}
const runs = new Map();
for (const { dir, s } of summaries) {
  for (const r of s.runs) {
    const key = `${r.method}/${r.seed}`;
    const seen = runs.get(key);
    if (seen && JSON.stringify(seen.acc) !== JSON.stringify(r.acc))
      throw new Error(`${dir}: ${key} disagrees with an earlier directory's result`);
    if (!seen) runs.set(key, r);
  }
}
// Runs made before the trainable-parameter count was recorded get it from the configuration (prefix family only).
const { backbone } = await loadBackbone(first.s.config.backbone.path, 'tiny');
const numClasses = first.s.config.benchmark === 'split-cifar100' ? 100 : 10;
for (const r of runs.values())
  if (
    r.trainableParameters === undefined &&
    ['hide', 'sequential', 'joint'].includes(METHOD_SPECS[r.method].pipeline)
  )
    r.trainableParameters = prefixLearnerParameters(
      METHOD_SPECS[r.method],
      first.s.config,
      backbone.dim,
      numClasses,
      METHOD_SPECS[r.method].pipeline === 'hide' ? first.s.config.tasks : 1,
    );
backbone.dispose();
const all = [...runs.values()].sort((a, b) => a.seed - b.seed);
const methods = [...new Set(summaries.flatMap(({ s }) => s.config.methods))];
const ordered = methods.flatMap((m) => all.filter((r) => r.method === m));
const seeds = [...new Set(ordered.map((r) => r.seed))].sort((a, b) => a - b);
const files = await writeResults(out, {
  command: summaries.map(({ s }) => s.command).join(' && '),
  config: { ...first.s.config, methods, seeds },
  backend: first.s.backend,
  machine: first.s.machine,
  startedAt: summaries
    .map(({ s }) => s.startedAt)
    .filter(Boolean)
    .sort()[0],
  finishedAt: summaries
    .map(({ s }) => s.finishedAt)
    .filter(Boolean)
    .sort()
    .at(-1),
  wallSeconds: summaries.reduce((t, { s }) => t + s.wallSeconds, 0),
  runs: ordered,
});
console.log(
  `merged ${ordered.length} runs of ${methods.length} methods from ${dirs.length} directories:\n${files.join('\n')}`,
);
