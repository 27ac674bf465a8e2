// A short tour of @norga/tensor: run with `npm run main` (builds first) or `node examples/tour.mjs`.
// Every number printed is computed here, on the CPU backend (or WebGPU with --backend webgpu).
import * as T from '../packages/tensor/dist/index.js';

const backend = process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1] : 'cpu';
await T.setBackend(backend);
const show = async (label, t) => console.log(label.padEnd(34), JSON.stringify(await t.toArray()));

T.manualSeed(42);
const x = T.tensor([[1, 2, 3], [4, 5, 6]]);
await show('x', x);
await show('x.T (a view: no copy)', x.T);
await show('x + [10, 20, 30] (broadcast)', x.add(T.tensor([10, 20, 30])));
await show('x @ x.T', T.matmul(x, x.T));
await show('softmax(x, -1)', x.softmax(-1));
await show('layerNorm(x, [3])', T.layerNorm(x, [3]));
await show('gelu(x)', T.gelu(x));
await show('sum over axis 0', x.sum(0));
await show('argmax over axis 1', x.argmax(1));
await show('x[:, ::2] (strided slice)', x.slice(1, 0, 3, 2));
await show('rand([4]) with seed 42', T.rand([4]));

// Memory you can see: tidy frees everything created inside except what it returns.
const before = T.memory().tensors;
const kept = T.tidy(() => T.matmul(T.randn([64, 64]), T.randn([64, 64])).mean());
console.log('tidy kept 1 tensor:'.padEnd(34), T.memory().tensors - before === 1, '(mean of a 64×64 product:', (await kept.item()).toFixed(4) + ')');

try {
  T.matmul(T.zeros([2, 3]), T.zeros([4, 5]));
} catch (e) {
  console.log('errors name op, shapes, dtypes:'.padEnd(34), `${e.name}: ${e.message}`);
}
if (backend !== 'cpu') T.disposeBackend(backend);
