// eigh and svd (host, float64) on uncentered covariances XᵀX of X [2n, n]: the median time per call on the CPU
// backend, float32. eigh at n = 64, 128, 256 (Jacobi) and 384, 512, 768 (tridiagonal QL; 768 is ViT-B's feature
// width); svd at 64, 128, 256 only, as one-sided Jacobi is all it has and takes tens of seconds per call beyond.
// Run after a build: node bench/linalg.mjs   (on a shared machine: nice -n -20 node bench/linalg.mjs)
import * as T from '../dist/index.js';
import { machine, timeIt } from './common.mjs';

const SVD_MAX_N = 256;

console.log(machine());
for (const n of [64, 128, 256, 384, 512, 768]) {
  T.manualSeed(n);
  const cov = T.tidy(() => {
    const x = T.randn([2 * n, n]);
    return T.matmul(T.transpose(x), x);
  });
  const ops = [['eigh', T.eigh]];
  if (n <= SVD_MAX_N) ops.push(['svd', T.svd]);
  for (const [op, decompose] of ops) {
    const seconds = await timeIt(async () => {
      for (const t of Object.values(await decompose(cov))) t.dispose();
    }, 3000);
    console.log(`${op} ${n}×${n}: ${(seconds * 1000).toFixed(0)} ms`);
  }
  cov.dispose();
}
