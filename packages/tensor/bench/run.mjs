// `pnpm bench` for @norga/tensor: runs each benchmark file in its own process (one backend's state per
// process), in order. Files that need a WebGPU adapter report and skip themselves when there is none.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = ['cpu.mjs', 'wasm-matmul.mjs', 'attention.mjs', 'webgpu.mjs'].filter(
  (f) => existsSync(join(here, f)) && (only.length === 0 || only.some((o) => f.includes(o))),
);
let failed = 0;
for (const f of files) {
  console.log(`\n## bench/${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
