// Sums vitest's JSON reports (one per package) into one line: "N passed, N failed, N skipped".
// A package whose test task ran but wrote no report counts as a failure, so nothing is silently lost.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
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
  const file = join(dir, '.vitest-results.json');
  if (!existsSync(file)) {
    missing.push(dir);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  // A test file that failed to load has no tests counted; count the file itself.
  failed += (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
}
if (missing.length) console.error(`no test report from: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed + missing.length} failed, ${skipped} skipped`);
process.exit(failed + missing.length > 0 ? 1 : 0);
