// One NoRGa prefix-attention forward, as plain JavaScript so that the bundle check runs this very file in a
// Chromium tab (through the browser bundle of @norga/norga, @norga/vit and @norga/tensor) and in Node (through
// their Node entries) and compares the two outputs.

/** Deterministic values in [-1, 1) (an LCG), so both sides build the same inputs without passing them around. */
function values(n, seed) {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s >>> 8) / 8388608 - 1);
  });
}

/**
 * @param {{ N: any, V: any, T: any }} m the @norga/norga, @norga/vit and @norga/tensor modules
 * @returns {Promise<{ shape: number[], attention: number[], scores: number[] }>} the attention output of a
 *   [2, 5, 8] input with 3 prefix tokens, 2 heads and a tanh NoRGa gate (α = τ = 1), and the gate's scores of
 *   a [2, 3] tensor
 */
export async function norgaSmoke({ N, V, T }) {
  const gate = new N.Gate('tanh', [0]);
  // Everything but the two results is freed when tidy returns (the gate's α and τ are kept: disposed below).
  const [y, s] = T.tidy(() => {
    const d = 8;
    const params = new Map([
      ['attn.qkv.weight', T.tensor(values(3 * d * d, 1), { shape: [3 * d, d] })],
      ['attn.qkv.bias', T.tensor(values(3 * d, 2), { shape: [3 * d] })],
      ['attn.proj.weight', T.tensor(values(d * d, 3), { shape: [d, d] })],
      ['attn.proj.bias', T.tensor(values(d, 4), { shape: [d] })],
    ]);
    const x = T.tensor(values(2 * 5 * d, 5), { shape: [2, 5, d] });
    const prefix = {
      key: T.tensor(values(3 * d, 6), { shape: [1, 3, d] }),
      value: T.tensor(values(3 * d, 7), { shape: [1, 3, d] }),
    };
    const lookup = (name) => params.get(name);
    return [
      V.attention(x, lookup, 'attn', { heads: 2, prefix, score: gate.score, layer: 0 }),
      gate.score(T.tensor(values(6, 8), { shape: [2, 3] }), 0),
    ];
  });
  const out = {
    shape: [...y.shape],
    attention: Array.from(await y.data()),
    scores: Array.from(await s.data()),
  };
  for (const t of [y, s, ...gate.parameters().map((p) => p[1])]) t.dispose();
  return out;
}
