// The conformance subset the browser test runs, as plain JavaScript so that the page can load this very file
// (served as is) while the Node side imports it too: one case table, built on the CPU in Node and on
// navigator.gpu in the browser.

/**
 * @param {any} T the @norga/tensor module
 * @param {{a: number[], b: number[], c: number[], x3: number[]}} inp a, c: [4, 33]; b: [33, 20]; x3: [3, 5, 70]
 * @param {string} backend
 * @returns {Record<string, () => any>}
 */
export function cases(T, inp, backend) {
  const t = (data, shape) => T.tensor(data, { shape, backend });
  const a = () => t(inp.a, [4, 33]);
  const b = () => t(inp.b, [33, 20]);
  const c = () => t(inp.c, [4, 33]);
  const x3 = () => t(inp.x3, [3, 5, 70]);
  return {
    'add broadcast': () => T.add(a(), T.slice(c(), 0, 1, 2)),
    'mul strided': () => T.mul(T.slice(a(), 1, 1, 33, 2), T.slice(c(), 1, 0, 32, 2)),
    exp: () => T.exp(a()),
    'gelu (erf)': () => T.gelu(a()),
    'where / cmplt': () => T.where(T.lt(a(), c()), a(), c()),
    'cast to int32': () => T.cast(T.mul(a(), 10), 'int32'),
    'sum last axis': () => T.sum(x3(), -1),
    'sum axes [0, 2]': () => T.sum(x3(), [0, 2]),
    'max of a permuted view': () => T.max(T.permute(x3(), [2, 0, 1]), 0),
    argmax: () => T.argmax(x3(), 2),
    matmul: () => T.matmul(a(), b()),
    'matmul transposed': () => T.matmul(T.transpose(b()), T.transpose(a())),
    'batched matmul': () => T.matmul(x3(), T.transpose(x3())),
    softmax: () => T.softmax(x3(), -1),
    layerNorm: () => T.layerNorm(x3(), [70]),
  };
}
