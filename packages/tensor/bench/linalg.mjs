// eigh and svd (host Jacobi in float64) on uncentered covariances XᵀX of X [2n, n], n = 64, 128, 256: the
// median time per call on the CPU backend, float32.
// Run after a build: node bench/linalg.mjs   (on a shared machine: nice -n -20 node bench/linalg.mjs)
import * as T from '../dist/index.js';
import { machine, timeIt } from './common.mjs';

console.log(machine());
for (const n of [64, 128, 256]) {
  T.manualSeed(n);
  const cov = T.tidy(() => {
    const x = T.randn([2 * n, n]);
    return T.matmul(T.transpose(x), x);
  });
  for (const [op, decompose] of [
    ['eigh', T.eigh],
    ['svd', T.svd],
  ]) {
    const seconds = await timeIt(async () => {
      for (const t of Object.values(await decompose(cov))) t.dispose();
    }, 3000);
    console.log(`${op} ${n}×${n}: ${(seconds * 1000).toFixed(0)} ms`);
  }
  cov.dispose();
}
