/**
 * Hugging Face `ViTModel` / `ViTForImageClassification` names ↔ timm names. Hugging Face keeps query, key and
 * value as three Linear layers; timm fuses them into one `qkv` (rows: q, then k, then v), so the map
 * concatenates on load and splits on save.
 */
import type { NamedArray, NamedArrays } from './named.js';

const LAYER_RENAMES: ReadonlyArray<readonly [string, string]> = [
  ['layernorm_before', 'norm1'],
  ['attention.output.dense', 'attn.proj'],
  ['layernorm_after', 'norm2'],
  ['intermediate.dense', 'mlp.fc1'],
  ['output.dense', 'mlp.fc2'],
];

const TOP_RENAMES: ReadonlyArray<readonly [string, string]> = [
  ['embeddings.cls_token', 'cls_token'],
  ['embeddings.position_embeddings', 'pos_embed'],
  ['embeddings.patch_embeddings.projection.weight', 'patch_embed.proj.weight'],
  ['embeddings.patch_embeddings.projection.bias', 'patch_embed.proj.bias'],
  ['layernorm.weight', 'norm.weight'],
  ['layernorm.bias', 'norm.bias'],
];

/** Whether `names` use Hugging Face ViT naming (some name starts with `embeddings.` or `encoder.`, optionally under `vit.`). */
export function isHuggingFaceNaming(names: Iterable<string>): boolean {
  for (const n of names) if (/^(vit\.)?(embeddings|encoder)\./.test(n)) return true;
  return false;
}

function concatRows(parts: NamedArray[]): NamedArray {
  const rows = parts.reduce((a, p) => a + p.shape[0]!, 0);
  const data = new Float32Array(parts.reduce((a, p) => a + p.data.length, 0));
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { shape: [rows, ...parts[0]!.shape.slice(1)], data };
}

/** Arrays renamed to timm's names, and what was dropped. */
export interface RenameResult {
  /** The arrays under their new names. */
  readonly tensors: NamedArrays;
  /** Source names with no counterpart here (the Hugging Face pooler), dropped on purpose. */
  readonly ignored: string[];
}

/** Hugging Face names → timm names. Unknown names are an error, so a wrong file is never half loaded. */
export function fromHuggingFace(src: ReadonlyMap<string, NamedArray>): RenameResult {
  const out: NamedArrays = new Map();
  const ignored: string[] = [];
  const qkv = new Map<string, Partial<Record<'query' | 'key' | 'value', NamedArray>>>();
  for (const [full, t] of src) {
    const name = full.startsWith('vit.') ? full.slice(4) : full;
    if (name.startsWith('pooler.')) {
      ignored.push(full);
      continue;
    }
    if (name.startsWith('classifier.')) {
      out.set(`head.${name.slice('classifier.'.length)}`, t);
      continue;
    }
    const top = TOP_RENAMES.find(([hf]) => hf === name);
    if (top !== undefined) {
      out.set(top[1], t);
      continue;
    }
    const m = /^encoder\.layer\.(\d+)\.(.+)\.(weight|bias)$/.exec(name);
    if (m === null) throw new Error(`Hugging Face ViT weights: unknown parameter '${full}'`);
    const [, layer, inner, kind] = m as unknown as [string, string, string, string];
    const a = /^attention\.attention\.(query|key|value)$/.exec(inner);
    if (a !== null) {
      const key = `blocks.${layer}.attn.qkv.${kind}`;
      const slot = qkv.get(key) ?? {};
      slot[a[1] as 'query' | 'key' | 'value'] = t;
      qkv.set(key, slot);
      continue;
    }
    const r = LAYER_RENAMES.find(([hf]) => hf === inner);
    if (r === undefined) throw new Error(`Hugging Face ViT weights: unknown parameter '${full}'`);
    out.set(`blocks.${layer}.${r[1]}.${kind}`, t);
  }
  for (const [key, slot] of qkv) {
    const { query, key: k, value } = slot;
    if (query === undefined || k === undefined || value === undefined) {
      throw new Error(`Hugging Face ViT weights: ${key} needs query, key and value; some are missing`);
    }
    out.set(key, concatRows([query, k, value]));
  }
  return { tensors: out, ignored };
}

function splitRows(t: NamedArray, parts: number): NamedArray[] {
  const rows = t.shape[0]! / parts;
  const stride = t.data.length / parts;
  return Array.from({ length: parts }, (_, i) => ({
    shape: [rows, ...t.shape.slice(1)],
    data: t.data.slice(i * stride, (i + 1) * stride),
  }));
}

/** timm names → Hugging Face `ViTForImageClassification` names (prefix `vit.`; pass '' for `ViTModel`). */
export function toHuggingFace(src: ReadonlyMap<string, NamedArray>, prefix = 'vit.'): NamedArrays {
  const out: NamedArrays = new Map();
  for (const [name, t] of src) {
    if (name.startsWith('head.')) {
      out.set(`classifier.${name.slice(5)}`, t);
      continue;
    }
    const top = TOP_RENAMES.find(([, timm]) => timm === name);
    if (top !== undefined) {
      out.set(prefix + top[0], t);
      continue;
    }
    const m = /^blocks\.(\d+)\.(.+)\.(weight|bias)$/.exec(name);
    if (m === null) throw new Error(`timm ViT weights: no Hugging Face name for '${name}'`);
    const [, layer, inner, kind] = m as unknown as [string, string, string, string];
    const base = `${prefix}encoder.layer.${layer}`;
    if (inner === 'attn.qkv') {
      const [q, k, v] = splitRows(t, 3) as [NamedArray, NamedArray, NamedArray];
      out.set(`${base}.attention.attention.query.${kind}`, q);
      out.set(`${base}.attention.attention.key.${kind}`, k);
      out.set(`${base}.attention.attention.value.${kind}`, v);
      continue;
    }
    const r = LAYER_RENAMES.find(([, timm]) => timm === inner);
    if (r === undefined) throw new Error(`timm ViT weights: no Hugging Face name for '${name}'`);
    out.set(`${base}.${r[0]}.${kind}`, t);
  }
  return out;
}
