// Sums vitest's JSON reports (one or more per package) into one line: "N passed, N failed, N skipped".
// A package whose test task ran but wrote no report counts as a failure, so nothing is silently lost.
// Checks that are not vitest runs (.ci/run's tsc and biome) come as arguments, name=ok or name=failed, and
// count as one test each, so a failed lint shows in the line rather than only in the exit code.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dirs = ['packages', 'examples'].flatMap((root) =>
  !existsSync(root) ? [] : root === 'examples' ? [root] : readdirSync(root).map((d) => join(root, d)),
);
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of dirs) {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg) || !JSON.parse(readFileSync(pkg, 'utf8')).scripts?.test) continue;
  // One report per vitest run: .vitest-results.json, plus e.g. .vitest-results.js-tier.json for a second pass.
  const reports = readdirSync(dir).filter((f) => /^\.vitest-results(\..+)?\.json$/.test(f));
  if (!reports.includes('.vitest-results.json')) missing.push(dir);
  for (const file of reports) {
    const r = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    // A test file that failed to load has no tests counted; count the file itself.
    failed += (r.testResults ?? []).filter(
      (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
    ).length;
  }
}
for (const arg of process.argv.slice(2)) {
  const [name, result] = arg.split('=');
  if (result === 'ok') passed++;
  else {
    failed++;
    console.error(`check failed: ${name}`);
  }
}
if (missing.length) console.error(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed + missing.length} failed, ${skipped} skipped`);
process.exit(failed + missing.length > 0 ? 1 : 0);
