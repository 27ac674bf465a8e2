// The same ViT written with TensorFlow.js ops, for the side-by-side bench: pre-LN blocks, fused qkv, exact
// GELU (erf), class token, learned position embedding, patch embedding as reshape → transpose → matMul.
// Training uses Adam with decoupled weight decay applied by hand (AdamW; tfjs has no AdamW).

export function createTfViT(tf, c, seed = 0) {
  const { dim: D, patchSize: P, inChannels: C, heads: H, mlpDim: M, numClasses: K } = c;
  const N = (c.imageSize / P) ** 2;
  const T = N + 1;
  const hd = D / H;
  let s = seed;
  const normal = (shape, std) => tf.variable(tf.randomNormal(shape, 0, std, 'float32', s++));
  const zeros = (shape) => tf.variable(tf.zeros(shape));
  const ones = (shape) => tf.variable(tf.ones(shape));
  const p = {
    patchW: normal([C * P * P, D], 0.02),
    patchB: zeros([D]),
    cls: normal([1, 1, D], 1e-6),
    pos: normal([1, T, D], 0.02),
    blocks: Array.from({ length: c.depth }, () => ({
      g1: ones([D]),
      b1: zeros([D]),
      qkvW: normal([D, 3 * D], 0.02),
      qkvB: zeros([3 * D]),
      projW: normal([D, D], 0.02),
      projB: zeros([D]),
      g2: ones([D]),
      b2: zeros([D]),
      fc1W: normal([D, M], 0.02),
      fc1B: zeros([M]),
      fc2W: normal([M, D], 0.02),
      fc2B: zeros([D]),
    })),
    gf: ones([D]),
    bf: zeros([D]),
    headW: normal([D, K], 0.02),
    headB: zeros([K]),
  };
  const eps = c.layerNormEps;
  const ln = (x, g, b) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
  };
  const gelu = (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  const lin = (x2, w, b) => tf.add(tf.matMul(x2, w), b);

  function forward(x) {
    const B = x.shape[0];
    const g = c.imageSize / P;
    const patches = tf.reshape(tf.transpose(tf.reshape(x, [B, C, g, P, g, P]), [0, 2, 4, 1, 3, 5]), [
      B * N,
      C * P * P,
    ]);
    let h = tf.reshape(lin(patches, p.patchW, p.patchB), [B, N, D]);
    h = tf.add(tf.concat([tf.tile(p.cls, [B, 1, 1]), h], 1), p.pos);
    for (const k of p.blocks) {
      const a = tf.reshape(ln(h, k.g1, k.b1), [B * T, D]);
      const qkv = tf.transpose(tf.reshape(lin(a, k.qkvW, k.qkvB), [B, T, 3, H, hd]), [2, 0, 3, 1, 4]);
      const [q, kk, v] = tf.unstack(qkv, 0);
      const probs = tf.softmax(tf.mul(tf.matMul(q, kk, false, true), hd ** -0.5));
      const o = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B * T, D]);
      h = tf.add(h, tf.reshape(lin(o, k.projW, k.projB), [B, T, D]));
      const m = lin(gelu(lin(tf.reshape(ln(h, k.g2, k.b2), [B * T, D]), k.fc1W, k.fc1B)), k.fc2W, k.fc2B);
      h = tf.add(h, tf.reshape(m, [B, T, D]));
    }
    const f = tf.reshape(tf.slice(ln(h, p.gf, p.bf), [0, 0, 0], [B, 1, D]), [B, D]);
    return lin(f, p.headW, p.headB);
  }

  const variables = [
    p.patchW,
    p.patchB,
    p.cls,
    p.pos,
    ...p.blocks.flatMap((k) => Object.values(k)),
    p.gf,
    p.bf,
    p.headW,
    p.headB,
  ];
  return { forward, variables };
}

/** One AdamW step (lr 1e-3, weight decay 0.05 on every tensor, as our bench) on a batch; returns the loss. */
export function createTfTrainer(tf, model, { lr = 1e-3, weightDecay = 0.05 } = {}) {
  const opt = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  return (x, yOneHot) =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(yOneHot, model.forward(x)),
        model.variables,
      );
      for (const v of model.variables) v.assign(tf.mul(v, 1 - lr * weightDecay));
      opt.applyGradients(grads);
      return value;
    });
}
