// What `npm install @norga/<pkg>` would put in node_modules: the package's own tarball contents (npm pack's
// unpackedSize, after `pnpm build`) plus those of every production dependency, recursively (workspace packages
// by the same measure, npm packages by the bytes of their installed folder). Optional peers are not counted.
// Usage: node scripts/install-size.mjs  (prints a Markdown table)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const packSize = (dir) =>
  JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8' }))[0]
    .unpackedSize;
const folderBytes = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
    if (e.name === 'node_modules') return n;
    const p = join(dir, e.name);
    return n + (e.isDirectory() ? folderBytes(p) : statSync(p).size);
  }, 0);

function closure(dir, seen = new Map()) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (seen.has(pkg.name)) return seen;
  const workspace = dir.startsWith(join(root, 'packages'));
  seen.set(pkg.name, workspace ? packSize(dir) : folderBytes(dir));
  for (const dep of Object.keys(pkg.dependencies ?? {})) closure(findDep(dir, dep), seen);
  return seen;
}

/** Node's lookup: <d>/node_modules/<dep> from dir upwards (pnpm's store keeps a package's deps as its siblings). */
function findDep(dir, dep) {
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    for (const c of [join(d, 'node_modules', dep), d.endsWith('node_modules') ? join(d, dep) : '']) {
      if (c && existsSync(join(c, 'package.json'))) return realpathSync(c);
    }
  }
  throw new Error(`${dep} not found from ${dir}`);
}

const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
console.log('| package | own | with dependencies | dependencies |\n| --- | ---: | ---: | --- |');
for (const name of ['tensor', 'autograd', 'datasets', 'vit', 'norga']) {
  const sizes = closure(join(root, 'packages', name));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const own = [...sizes.values()][0];
  console.log(
    `| @norga/${name} | ${mb(own)} | ${mb(total)} | ${[...sizes.keys()].slice(1).join(', ') || '-'} |`,
  );
}
